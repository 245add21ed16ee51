package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import dev.hypha.node.offers.Offer;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Orders the offers for a model, best first: only live offers in a token the payer holds, from providers the
 * {@link RoutingPolicy} permits, at endpoints prompts may be sent to ({@link ProviderTransport#usable}: TLS bound to
 * the provider's key, or loopback). Then, by what the gateway has seen of each provider ({@link ProviderStats}):
 * <ol>
 *   <li>providers caught cheating recently rank after all others, and those cooling down after a fault after those
 *       that are not;</li>
 *   <li>then the lower expected price first: input plus output price per million, divided by the provider's
 *       reliability (the share of requests it answered, decayed), since each failed request is paid again
 *       elsewhere;</li>
 *   <li>then the more reliable, then the faster first token, and the provider's address last, so the order is
 *       deterministic.</li>
 * </ol>
 * A provider appears once, with its cheapest offer.
 */
public final class Router {
    private final RoutingPolicy policy;
    private final Set<Address> tokens;
    private final ProviderStats stats;

    /**
     * @param tokens the payment tokens the payer can pay in
     */
    public Router(RoutingPolicy policy, Set<Address> tokens, ProviderStats stats) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.tokens = Set.copyOf(tokens);
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** What the router ranks by; the backend records each provider's answers and failures in it. */
    public ProviderStats stats() {
        return stats;
    }

    /** Ollama's names: a name without a tag means {@code :latest}. */
    public static String canonical(String model) {
        return model.contains(":") ? model : model + ":latest";
    }

    public List<Offer> rank(String model, List<Offer> offers, Instant now) {
        String name = canonical(model);
        Map<Address, Offer> cheapest = new LinkedHashMap<>();
        for (Offer o : offers) {
            if (canonical(o.model()).equals(name) && o.liveAt(now) && tokens.contains(o.token())
                    && policy.permits(o.provider()) && ProviderTransport.usable(o)) {
                cheapest.merge(o.provider(), o, (a, b) -> price(a).compareTo(price(b)) <= 0 ? a : b);
            }
        }
        Map<Address, ProviderStats.Standing> seen = new LinkedHashMap<>();
        for (Address provider : cheapest.keySet()) {
            seen.put(provider, stats.standing(provider, now));
        }
        Comparator<Offer> order = Comparator
                .comparingInt((Offer o) -> tier(seen.get(o.provider())))
                .thenComparingDouble(o -> price(o).doubleValue() / seen.get(o.provider()).reliability())
                .thenComparingDouble(o -> -seen.get(o.provider()).reliability())
                .thenComparingLong(o -> seen.get(o.provider()).latencyNanos())
                .thenComparing(o -> o.provider().lowercaseHex());
        return cheapest.values().stream().sorted(order).toList();
    }

    /** 0: in good standing; 1: cooling down after a fault; 2: caught cheating. */
    private static int tier(ProviderStats.Standing s) {
        return s.caughtCheating() ? 2 : s.coolingDown() ? 1 : 0;
    }

    private static java.math.BigInteger price(Offer o) {
        return o.inputPerMillion().add(o.outputPerMillion());
    }
}

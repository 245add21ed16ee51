package dev.hypha.node.subnet;

import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scores an inference subnet's miners from what they sell on chain: a miner with no live offer (its provider stopped,
 * or never published) scores 0; the others score in inverse proportion to their cheapest price (input + output per
 * million tokens), the cheapest 65535. Integer arithmetic only, so validators reading the same chain agree.
 * Answer quality (deterministic replay of paid requests) is not measured by this scorer.
 */
public final class OfferPriceScorer implements MinerScorer {
    private final OfferSource offers;
    private final Supplier<Instant> now;

    /** @param now the chain's time (offers are live until their last heartbeat plus the registry's maximum age) */
    public OfferPriceScorer(OfferSource offers, Supplier<Instant> now) {
        this.offers = offers;
        this.now = now;
    }

    @Override
    public Map<Integer, Integer> score(List<Member> members) {
        Instant at = now.get();
        Map<String, BigInteger> cheapest = new HashMap<>();
        for (Offer o : offers.offers()) {
            if (!o.liveAt(at)) continue;
            String who = o.provider().lowercaseHex();
            BigInteger price = o.inputPerMillion().add(o.outputPerMillion());
            cheapest.merge(who, price, BigInteger::min);
        }
        BigInteger best = null;
        for (Member m : members) {
            BigInteger p = cheapest.get(m.account().toLowerCase(Locale.ROOT));
            if (p != null && (best == null || p.compareTo(best) < 0)) best = p;
        }
        Map<Integer, Integer> scores = new HashMap<>();
        for (Member m : members) {
            BigInteger p = cheapest.get(m.account().toLowerCase(Locale.ROOT));
            if (p == null) continue;
            BigInteger s = BigInteger.valueOf(65_535).multiply(best.add(BigInteger.ONE)).divide(p.add(BigInteger.ONE));
            scores.put(m.uid(), Math.max(1, s.intValueExact()));
        }
        return scores;
    }
}

package dev.hypha.node.agents;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.ProviderTransport;
import dev.hypha.node.gateway.network.Router;
import dev.hypha.node.gateway.network.RoutingPolicy;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.x402.MeteredCompletions;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a served agent's channel inference ({@code serve.channel}) is bought: the provider its URL names, or the one
 * the paying gateway's {@link Router} ranks first among the on-chain offers for the spec's model (live, in the
 * account's payment token, at an endpoint prompts may be sent to, cheapest first), narrowed to the providers the
 * spec's {@code budget.allow} lists (the account's policy refuses to fund a channel to any other) and to
 * {@code maxPrice}. An offer's provider is reached as the gateway reaches it ({@link ProviderTransport}: TLS bound to
 * its registered signing key), and its 402 must name that provider as payee. Providers that failed the agent
 * ({@code excluded}: unreachable, or charging beyond their offer) are passed over, so the next offer takes their place.
 */
final class ChannelProviders {
    private ChannelProviders() {}

    /**
     * One provider to buy from.
     *
     * @param url   its metered completions route
     * @param http  the client that reaches it
     * @param payee the provider its 402 must name, when it was chosen from an offer
     * @param model the model to ask for (empty: the provider's default, or the agent's model)
     * @param offer the offer it was chosen from, for the log
     */
    record Provider(URI url, HttpClient http, Optional<Address> payee, String model, Optional<Offer> offer) {}

    /**
     * The provider for {@code spec}.
     *
     * @param offers  the on-chain offers (needed for the model form)
     * @param allowed the addresses the spec's budget allows paying
     * @param excluded providers not to choose again (they failed this agent)
     * @param token   the account's payment token
     * @param model   the agent's own model, asked of a provider named by URL
     * @throws HyphaException INPUT when the model form finds no offer it may use, naming why
     */
    static Provider choose(AgentSpec.InferenceChannel spec, Optional<OfferSource> offers, Set<Address> allowed,
                           Set<Address> excluded, Address token, long chainId, String model, Clock clock) {
        if (spec.url().isPresent()) {
            return new Provider(spec.url().get(), HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                    Optional.empty(), model, Optional.empty());
        }
        String wanted = spec.model().orElseThrow();
        if (allowed.isEmpty()) {
            throw HyphaException.input("serve.channel.model chooses among the providers in budget.allow, and it lists"
                    + " none: add the providers the account may fund channels to");
        }
        List<Offer> all = offers.orElseThrow(() -> HyphaException.input("serve.channel.model needs the deployment's"
                + " OfferRegistry to choose a provider")).offers();
        Optional<BigInteger> cap = spec.maxPrice().map(p -> new BigDecimal(p).movePointRight(Deployer.PAYMENT_DECIMALS)
                .toBigIntegerExact());
        List<Offer> affordable = all.stream().filter(o -> cap.isEmpty()
                || o.inputPerMillion().add(o.outputPerMillion()).compareTo(cap.get()) <= 0).toList();
        List<Offer> ranked = new Router(new RoutingPolicy(allowed, excluded), Set.of(token), new ProviderStats())
                .rank(wanted, affordable, clock.instant());
        if (ranked.isEmpty()) {
            long forModel = all.stream().filter(o -> Router.canonical(o.model()).equals(Router.canonical(wanted))).count();
            throw HyphaException.input("no usable offer for " + AgentLog.quote(wanted) + ": " + forModel
                    + " published for it, none live, in the account's token, from a provider in budget.allow "
                    + allowed.stream().map(Address::toChecksumString).toList()
                    + (excluded.isEmpty() ? "" : " other than those that failed it "
                    + excluded.stream().map(Address::toChecksumString).toList())
                    + spec.maxPrice().map(p -> " and at most " + p + " hUSD per million tokens").orElse("")
                    + " (`hypha offers` lists them)");
        }
        Offer best = ranked.getFirst();
        String root = best.endpoint().toString().replaceAll("/+$", "");
        return new Provider(URI.create(root + MeteredCompletions.PATH), ProviderTransport.clientFor(best, chainId, clock),
                Optional.of(best.provider()), best.model(), Optional.of(best));
    }
}

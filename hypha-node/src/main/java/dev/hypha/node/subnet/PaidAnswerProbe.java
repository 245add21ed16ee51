package dev.hypha.node.subnet;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.node.gateway.network.Budget;
import dev.hypha.node.gateway.network.PayerChannels;
import dev.hypha.node.gateway.network.PayerFiles;
import dev.hypha.node.gateway.network.ProviderTransport;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import java.nio.file.Path;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.network.NetworkBackend;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.Router;
import dev.hypha.node.gateway.network.RoutingPolicy;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.gateway.remote.ProviderHttp;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Evaluation requests bought exactly as a gateway buys answers: through {@link NetworkBackend} (payment channel opened
 * within the validator's budget, cumulative vouchers, the provider's signed receipt checked against the answer), with
 * a routing policy that allows only the miner under test, so no other provider ever answers for it.
 */
public final class PaidAnswerProbe implements AnswerProbe {
    private final NetworkBackend.Payer payer;
    private final Set<Address> tokens;
    private final Function<Offer, ProviderHttp> transport;
    private final Clock clock;
    private final Map<String, NetworkBackend> perProvider = new HashMap<>();
    /** The newest offer seen per provider (its heartbeat moves on between rounds). */
    private final Map<String, Offer> current = new HashMap<>();
    private final List<AutoCloseable> owned;

    /** @param tokens payment tokens the validator pays in (the deployment's hUSD) */
    public PaidAnswerProbe(NetworkBackend.Payer payer, Set<Address> tokens, Function<Offer, ProviderHttp> transport,
                           Clock clock) {
        this.payer = payer;
        this.tokens = Set.copyOf(tokens);
        this.transport = transport;
        this.clock = clock;
        this.owned = List.of();
    }

    private PaidAnswerProbe(NetworkBackend.Payer payer, Set<Address> tokens, Function<Offer, ProviderHttp> transport,
                            Clock clock, List<AutoCloseable> owned) {
        this.payer = payer;
        this.tokens = Set.copyOf(tokens);
        this.transport = transport;
        this.clock = clock;
        this.owned = List.copyOf(owned);
    }

    /**
     * A probe paying from {@code asPayer}'s account with the same files and budget its gateway uses
     * ({@code <home>/gateway/payer-…}, {@code hypha budget}), so channels opened for evaluation are the ones
     * {@code hypha usage} and the dashboard show.
     */
    public static PaidAnswerProbe open(Path home, HyphaContracts asPayer, java.util.function.Function<TypedData, Signature> key,
                                       Clock clock) {
        Deployment deployment = asPayer.deployment();
        Address account = Address.parse(asPayer.account());
        PayerFiles files = PayerFiles.of(home, deployment.chainId(), account);
        PayerLedger ledger = PayerLedger.open(files.ledger(), asPayer.channels().voucherDomain());
        PayerReceipts receipts;
        try {
            receipts = PayerReceipts.open(files.receipts());
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
        PayerChannels channels = new PayerChannels(asPayer.channels(), ledger, account, Budget.load(home));
        NetworkBackend.Payer payer = new NetworkBackend.Payer(ledger, receipts, key, channels,
                Address.parse(deployment.address(PaymentChannelsClient.NAME)),
                new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address(ProviderRegistryClient.NAME))),
                        OpmlVerifierClient.addressIn(deployment));
        return new PaidAnswerProbe(payer, Set.of(Address.parse(deployment.address(PaymentTokenClient.NAME))),
                o -> ProviderTransport.answersClientFor(o, deployment.chainId(), clock), clock, List.of(receipts, ledger));
    }

    @Override
    public synchronized String ask(Offer offer, GenerateCall call) {
        String key = offer.provider().lowercaseHex() + " " + offer.endpoint();
        current.put(key, offer);
        NetworkBackend network = perProvider.computeIfAbsent(key, k -> new NetworkBackend(() -> List.of(current(k)),
                new Router(new RoutingPolicy(Set.of(offer.provider()), Set.of()), tokens, new ProviderStats()),
                payer, transport, clock));
        return network.generate(call, TextSink.DISCARD).text();
    }

    private synchronized Offer current(String key) {
        return current.get(key);
    }

    @Override
    public synchronized void close() {
        perProvider.values().forEach(NetworkBackend::close);
        perProvider.clear();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the validator's payer files: " + e.getMessage(), e);
            }
        }
    }
}

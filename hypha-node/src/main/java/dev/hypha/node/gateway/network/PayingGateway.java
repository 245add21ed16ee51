package dev.hypha.node.gateway.network;

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
import dev.hypha.node.apps.ChainAppCharges;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.node.offers.RefreshingOffers;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A gateway that buys from the network, wired as {@code hypha gateway --network} and {@code hypha up} run it: offers
 * from the chain (re-read at most every {@link #OFFERS_MAX_AGE}), the payer's ledger and receipts and the providers'
 * faults under {@code <home>/gateway} ({@link PayerFiles}; routing starts from what they hold, {@link ProviderStats}), channels within the home's {@link Budget}, TLS bound to each provider's
 * key ({@link ProviderTransport}), requests tagged with an app charged through AppRewards ({@link ChainAppCharges}). Closing it closes the backend and the payer's files.
 */
public final class PayingGateway implements AutoCloseable {
    /** How long the offers read from the chain are reused. */
    public static final Duration OFFERS_MAX_AGE = Duration.ofSeconds(5);

    private final PayerLedger ledger;
    private final PayerReceipts receipts;
    private final ReputationLog reputation;
    private final NetworkBackend backend;
    private final Budget budget;
    private final PayerChannels channels;

    private PayingGateway(PayerLedger ledger, PayerReceipts receipts, ReputationLog reputation, NetworkBackend backend,
                          Budget budget, PayerChannels channels) {
        this.channels = channels;
        this.ledger = ledger;
        this.receipts = receipts;
        this.reputation = reputation;
        this.backend = backend;
        this.budget = budget;
    }

    /**
     * @param asPayer  the contracts as the paying account (it signs the channel transactions)
     * @param payerKey signs the vouchers (the same account)
     */
    public static PayingGateway open(Path home, HyphaContracts asPayer, Function<TypedData, Signature> payerKey,
                                     RoutingPolicy policy, Clock clock) {
        Deployment deployment = asPayer.deployment();
        Address payer = Address.parse(asPayer.account());
        Address token = Address.parse(deployment.address(PaymentTokenClient.NAME));
        PayerFiles files = PayerFiles.of(home, deployment.chainId(), payer);
        Budget budget = Budget.load(home);
        PayerLedger ledger = PayerLedger.open(files.ledger(), asPayer.channels().voucherDomain());
        PayerReceipts receipts;
        ReputationLog reputation;
        ProviderStats stats;
        try {
            receipts = PayerReceipts.open(files.receipts());
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
        try {
            reputation = ReputationLog.open(files.reputation());
            Instant now = clock.instant();
            reputation.forgetBefore(ProviderStats.forgotten(now)); // they no longer count; the file stays small
            stats = ProviderStats.open(reputation, receipts, now);
        } catch (RuntimeException e) {
            receipts.close();
            ledger.close();
            throw e;
        }
        PayerChannels channels = new PayerChannels(asPayer.channels(), ledger, payer, budget);
        NetworkBackend backend = new NetworkBackend(
                new RefreshingOffers(new ChainOffers(asPayer.offers(), asPayer.registry()), OFFERS_MAX_AGE, clock),
                new Router(policy, Set.of(token), stats),
                new NetworkBackend.Payer(ledger, receipts, payerKey, channels, Address.parse(deployment.address(PaymentChannelsClient.NAME)),
                        new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address(ProviderRegistryClient.NAME))),
                        OpmlVerifierClient.addressIn(deployment)),
                offer -> ProviderTransport.answersClientFor(offer, deployment.chainId(), clock), clock,
                Optional.of(new ChainAppCharges(asPayer.apps())));
        return new PayingGateway(ledger, receipts, reputation, backend, budget, channels);
    }

    /** The backend the Ollama and OpenAI routes serve. */
    public NetworkBackend backend() {
        return backend;
    }

    /** The payer's channels (read by the dashboard; the backend writes them). */
    public PayerLedger ledger() {
        return ledger;
    }

    /** The receipts the backend accepted (read by the dashboard). */
    public PayerReceipts receipts() {
        return receipts;
    }

    /** Its channels: the backend opens them on demand; the dashboard funds one when a person confirms it. */
    public PayerChannels channels() {
        return channels;
    }

    /** The budget its channels stay within. */
    public Budget budget() {
        return budget;
    }

    @Override
    public void close() {
        try {
            backend.close();
        } finally {
            try {
                reputation.close();
            } finally {
                try {
                    receipts.close();
                } finally {
                    ledger.close();
                }
            }
        }
    }
}

package dev.hypha.node.devnet;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.network.Budget;
import dev.hypha.node.gateway.network.NetworkBackend;
import dev.hypha.node.gateway.network.PayerChannels;
import dev.hypha.node.gateway.network.PayerFiles;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.ProviderTransport;
import dev.hypha.node.gateway.network.Router;
import dev.hypha.node.gateway.network.RoutingPolicy;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.node.offers.OfferPublisher;
import dev.hypha.node.offers.RefreshingOffers;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.PublishedOffers;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.transport.ProviderTls;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;

/**
 * The paid inference path of {@code hypha up}: one provider (a dev account, staked and registered) selling the home
 * store's models, and the gateway's network backend buying from the network as another dev account, opening its
 * channels from that account's hUSD within the home's budget. The provider publishes its models on the OfferRegistry
 * and the gateway finds them there, as any gateway finds any provider. So a request to the node's Ollama or OpenAI API travels
 * the same path as on a real network: TLS bound to the provider's registered key, 402, voucher, streamed answer,
 * signed receipt, redemption on chain.
 */
final class DevInference implements AutoCloseable {
    /** The dev account that sells. */
    static final int PROVIDER_ACCOUNT = 1;
    /** The dev account the gateway pays from. */
    static final int PAYER_ACCOUNT = 0;
    /** How long the gateway reuses the offers it read from the chain. */
    static final java.time.Duration OFFERS_MAX_AGE = java.time.Duration.ofSeconds(5);
    /** 0.1 hUSD per million prompt tokens, 0.2 per million generated tokens. */
    static final Prices PRICES = new Prices(BigInteger.valueOf(100_000), BigInteger.valueOf(200_000));

    private final LocalBackend engine;
    private final ProviderService provider;
    private final PublishedOffers published;
    private final PayerLedger payerLedger;
    private final PayerReceipts receipts;
    private final NetworkBackend gateway;

    private DevInference(LocalBackend engine, ProviderService provider, PublishedOffers published,
                         PayerLedger payerLedger, PayerReceipts receipts, NetworkBackend gateway) {
        this.engine = engine;
        this.provider = provider;
        this.published = published;
        this.payerLedger = payerLedger;
        this.receipts = receipts;
        this.gateway = gateway;
    }

    /**
     * @param asProvider the contracts as the provider's dev account
     * @param asPayer    the contracts as the gateway's dev account
     */
    static DevInference start(Path home, LocalBackend engine, boolean withProvider, int providerPort,
                              HyphaContracts asProvider,
                              Credentials providerKey, HyphaContracts asPayer, Credentials payerKey,
                              Consumer<String> progress) {
        Deployment deployment = asProvider.deployment();
        Address providerAccount = Address.parse(asProvider.account());
        Address token = Address.parse(deployment.address(PaymentTokenClient.NAME));
        ReceiptDomain receiptDomain = new ReceiptDomain(deployment.chainId(),
                Address.parse(deployment.address(ProviderRegistryClient.NAME)));
        Address channelsContract = Address.parse(deployment.address(PaymentChannelsClient.NAME));
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), token, providerAccount, channelsContract, PRICES, 600);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            ProviderService provider = null;
            PublishedOffers published = null;
            if (withProvider) {
                provider = ProviderService.start(engine, terms, asProvider.channels(),
                        new ReceiptSigner(receiptDomain, providerAccount, data -> Eip712.sign(data, providerKey)),
                        ProviderService.ledgerFile(home, deployment.chainId(), providerAccount), "127.0.0.1", providerPort,
                        ProviderTls.server(providerKey, deployment.chainId(), providerAccount, Clock.systemUTC()),
                        Clock.systemUTC());
                opened.add(provider);
                progress.accept("Provider " + providerAccount.toChecksumString() + " serving the store's models on "
                        + provider.endpoint());
                DevProvider.ensureRegistered(asProvider, provider.endpoint(), progress);
                published = PublishedOffers.publish(asProvider.offers(), engine.models(), terms);
                opened.add(published);
                progress.accept("Published " + published.count() + " offer(s) on the OfferRegistry (heartbeat every "
                        + OfferPublisher.intervalFor(asProvider.offers().maxAge()).toSeconds() + " s)");
            }

            Address payer = Address.parse(asPayer.account());
            PayerFiles files = PayerFiles.of(home, deployment.chainId(), payer);
            PayerLedger ledger = PayerLedger.open(files.ledger(), asPayer.channels().voucherDomain());
            opened.add(ledger);
            PayerReceipts receipts = PayerReceipts.open(files.receipts());
            opened.add(receipts);
            Budget budget = Budget.load(home);
            OfferSource offers = new RefreshingOffers(new ChainOffers(asPayer.offers(), asPayer.registry()),
                    OFFERS_MAX_AGE, Clock.systemUTC());
            NetworkBackend gateway = new NetworkBackend(offers,
                    new Router(RoutingPolicy.anyProvider(), Set.of(token), new ProviderStats()),
                    new NetworkBackend.Payer(ledger, receipts, data -> Eip712.sign(data, payerKey),
                            new PayerChannels(asPayer.channels(), ledger, payer, budget), channelsContract, receiptDomain),
                    offer -> ProviderTransport.clientFor(offer, deployment.chainId(), Clock.systemUTC()), Clock.systemUTC());
            progress.accept("Gateway paying from " + payer.toChecksumString() + " (channels of "
                    + budget.perChannel() + " hUSD units each, at most " + budget.total() + " in all: `hypha budget`)");
            return new DevInference(engine, provider, published, ledger, receipts, gateway);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** What the gateway serves: answers bought from the network. */
    InferenceBackend gateway() {
        return gateway;
    }

    List<ModelInfo> models() {
        return gateway.models();
    }

    /**
     * Withdraws the offers, stops selling and redeems what the provider earned (the payments settle on chain); nothing
     * when no provider runs here.
     */
    List<Redeemer.Outcome> stopAndRedeem() {
        if (provider == null) {
            return List.of();
        }
        published.close();
        provider.stopServing();
        return provider.redeemAll();
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            try {
                if (provider != null) {
                    published.close();
                    provider.close();
                }
            } finally {
                receipts.close();
                payerLedger.close();
            }
        }
    }
}

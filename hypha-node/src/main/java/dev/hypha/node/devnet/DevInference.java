package dev.hypha.node.devnet;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.coordinator.FulfilmentService;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.network.Budget;
import dev.hypha.node.gateway.network.PayingGateway;
import dev.hypha.node.gateway.network.RoutingPolicy;
import dev.hypha.node.offers.OfferPublisher;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.ml.store.ModelStore;
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
    /** How often the dev provider looks for contracts' inference requests. */
    static final java.time.Duration FULFIL_EVERY = java.time.Duration.ofSeconds(2);
    /** 0.1 hUSD per million prompt tokens, 0.2 per million generated tokens. */
    static final Prices PRICES = new Prices(BigInteger.valueOf(100_000), BigInteger.valueOf(200_000));

    private final ProviderService provider;
    private final PublishedOffers published;
    private final FulfilmentService fulfilment;
    private final PayingGateway gateway;
    private final Address providerAccountAddress;
    private final HyphaContracts asProvider;

    /** {@code provider}, {@code published} and {@code fulfilment} are null when no provider runs in this process. */
    private DevInference(ProviderService provider, PublishedOffers published, FulfilmentService fulfilment,
                         PayingGateway gateway, Address providerAccountAddress, HyphaContracts asProvider) {
        this.providerAccountAddress = providerAccountAddress;
        this.asProvider = asProvider;
        this.provider = provider;
        this.published = published;
        this.fulfilment = fulfilment;
        this.gateway = gateway;
    }

    /**
     * @param asProvider the contracts as the provider's dev account
     * @param asPayer    the contracts as the gateway's dev account
     */
    static DevInference start(Path home, ChainClient chain, LocalBackend engine, boolean withProvider, int providerPort,
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
            FulfilmentService fulfilment = null;
            if (withProvider) {
                provider = ProviderService.start(engine, terms, asProvider.channels(),
                        new ReceiptSigner(receiptDomain, providerAccount, data -> Eip712.sign(data, providerKey)),
                        ProviderService.ledgerFile(home, deployment.chainId(), providerAccount), "127.0.0.1", providerPort,
                        ProviderTls.server(providerKey, deployment.chainId(), providerAccount, Clock.systemUTC()),
                        Clock.systemUTC(), List.of(BlockRoutes.forStore(new ModelStore(home, Clock.systemUTC()), home)),
                        List.of(dev.hypha.node.x402.MeteredCompletions.areas(engine),
                                dev.hypha.node.mcp.ProviderMcp.areas(engine)));
                opened.add(provider);
                progress.accept("Provider " + providerAccount.toChecksumString() + " serving the store's models on "
                        + provider.endpoint());
                DevProvider.ensureRegistered(asProvider, provider.endpoint(), progress);
                published = PublishedOffers.publish(asProvider.offers(), engine::models, terms);
                opened.add(published);
                progress.accept("Published " + published.count() + " offer(s) on the OfferRegistry (heartbeat every "
                        + OfferPublisher.intervalFor(asProvider.offers().maxAge()).toSeconds() + " s)");
                fulfilment = FulfilmentService.start(home, chain, asProvider, engine, PRICES,
                        data -> Eip712.sign(data, providerKey), FULFIL_EVERY);
                opened.add(fulfilment);
                progress.accept("Answering contracts' inference requests (InferenceCoordinator) as the same provider");
            }

            PayingGateway gateway = PayingGateway.open(home, asPayer, data -> Eip712.sign(data, payerKey),
                    RoutingPolicy.anyProvider(), Clock.systemUTC());
            opened.add(gateway);
            Budget budget = gateway.budget();
            Address payer = Address.parse(asPayer.account());
            progress.accept("Gateway paying from " + payer.toChecksumString() + " (channels of "
                    + budget.perChannel() + " hUSD units each, at most " + budget.total() + " in all: `hypha budget`)");
            return new DevInference(provider, published, fulfilment, gateway, providerAccount, asProvider);
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

    /** The paying gateway (its ledger and receipts are what the dashboard shows of spending). */
    PayingGateway paying() {
        return gateway;
    }

    /** The in-process provider's account and voucher ledger (what it earned); empty when none runs here. */
    java.util.Optional<dev.hypha.node.ui.DashboardSources.Seller> seller() {
        return provider == null ? java.util.Optional.empty()
                : java.util.Optional.of(new dev.hypha.node.ui.DashboardSources.Seller(providerAccountAddress,
                provider.ledger()));
    }

    /**
     * The in-process provider's voucher ledger and its contracts as the provider's account: what pays the royalties its
     * redeemed answers owe (the same {@code RoyaltyRouter} pass as {@code hypha provider start}); empty when no
     * provider runs here.
     */
    java.util.Optional<LocalNetwork.DevProvider> devProvider() {
        return provider == null ? java.util.Optional.empty()
                : java.util.Optional.of(new LocalNetwork.DevProvider(provider.ledger(), asProvider));
    }

    /** What the gateway serves: answers bought from the network. */
    InferenceBackend gateway() {
        return gateway.backend();
    }

    List<ModelInfo> models() {
        return gateway.backend().models();
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
        fulfilment.stopAndCollect();
        provider.stopServing();
        return provider.redeemAll();
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            if (provider != null) {
                try {
                    fulfilment.close();
                    published.close();
                } finally {
                    provider.close();
                }
            }
        }
    }
}

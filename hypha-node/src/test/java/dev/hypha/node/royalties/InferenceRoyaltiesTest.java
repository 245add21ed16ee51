package dev.hypha.node.royalties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.ReceiptHeaders;
import dev.hypha.node.provider.ChannelGate;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderRoutes;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.testing.TinyModelStore;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Inference revenue reaching the data owners: a provider serves paid answers over real HTTP (a real tiny model, real
 * PaymentChannels on anvil) on a model registered in AssetRegistry with a dataset as parent; after its channels are
 * redeemed, the royalty the model's PaidPerToken licence asks on those tokens goes through RoyaltySplitter and the
 * dataset owner's balance grows by exactly its declared share; a crash anywhere between redeeming and paying pays once.
 */
class InferenceRoyaltiesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String MODEL = "tiny:latest";
    private static final Prices PRICES = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));
    /** The model's licence: 700 token units per 1,000 tokens of inference. */
    private static final BigInteger ROYALTY_PER_1000 = BigInteger.valueOf(700);
    private static final int DATASET_SHARE_BPS = 3_000;
    private static final AtomicLong SALTS = new AtomicLong(1);
    private static final AtomicLong SEEDS = new AtomicLong(11);

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;

    @TempDir
    Path dir;
    private final Credentials payer = devnet.account(1);
    private final Credentials provider = devnet.account(2);
    private final Credentials dataOwner = devnet.account(3);
    private final Credentials modelOwner = devnet.account(4);
    /** Registers the served model's content id before its owner does (and with a price of its own). */
    private final Credentials squatter = devnet.account(5);
    private ModelStore store;
    private LocalBackend backend;
    private ProviderLedger ledger;
    private ApiServer server;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        as(devnet.account(0)).payment().mint(devnet.account(1).getAddress(), BigInteger.valueOf(1_000_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @AfterEach
    void stopProvider() {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (ledger != null) {
            ledger.close();
        }
    }

    /** A provider serving a fresh tiny model (each test its own weights, so its own digest and asset). */
    private void startProvider() {
        store = TinyModelStore.create(dir, MODEL, SEEDS.getAndIncrement(), 512);
        backend = new LocalBackend(store, LocalBackend.Settings.defaults());
        ledger = openLedger();
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), token(), addr(provider),
                Address.parse(deployment.address("PaymentChannels")), PRICES, 60);
        TransactionSender key = sender(provider);
        ChannelGate gate = new ChannelGate(terms, ledger, as(provider).channels()::state);
        ReceiptDomain receipts = new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")));
        server = new ApiServer("127.0.0.1", 0, List.of(new ProviderRoutes(backend, terms, gate, ledger,
                new ReceiptSigner(receipts, addr(provider), key::signTypedData), Clock.systemUTC(), () -> 42)));
        server.start();
    }

    private ProviderLedger openLedger() {
        return ProviderLedger.open(dir.resolve("provider.sqlite"), as(provider).channels().voucherDomain());
    }

    /** Registers a dataset (owned by the data owner) and the served model with it as parent; returns the ids. */
    private long[] registerLineage(Terms terms) {
        byte[] datasetCid = ContentId.raw(("dataset for " + dir).getBytes()).bytes();
        long dataset = as(dataOwner).assets().register(AssetKind.DATASET, datasetCid, new byte[0],
                Licence.unpriced("CC-BY-4.0", Terms.FREE), List.of());
        Licence licence = terms == Terms.PAID_PER_TOKEN ? new Licence("Apache-2.0", terms, token(), ROYALTY_PER_1000)
                : Licence.unpriced("Apache-2.0", terms);
        long model = as(modelOwner).assets().register(AssetKind.MODEL, modelCid(), new byte[0], licence,
                List.of(new LineageEdge(dataset, DATASET_SHARE_BPS)));
        return new long[] {dataset, model};
    }

    private byte[] modelCid() {
        return ContentId.parse(backend.info(MODEL).digest()).bytes();
    }

    /** Serves {@code n} paid answers on one new channel; returns their tokens (input + output) in total. */
    private long serveAnswers(int n) throws Exception {
        ChannelParams c = new ChannelParams(addr(payer), addr(provider), token(), addr(payer),
                ChannelParams.salt(SALTS.getAndIncrement()));
        as(payer).channels().open(c, BigInteger.valueOf(10_000_000));
        long tokens = 0;
        BigInteger promised = BigInteger.ZERO;
        for (int i = 0; i < n; i++) {
            promised = promised.add(BigInteger.valueOf(1_000_000));
            Voucher v = as(payer).channels().voucherDomain().sign(c.id(), promised, sender(payer)::signTypedData);
            String body = "{\"model\":\"" + MODEL + "\",\"prompt\":\"Tell me about data number " + i
                    + "\",\"stream\":false,\"options\":{\"num_predict\":8,\"seed\":3}}";
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/provider/v1/api/generate"))
                    .header(PaymentHeaders.PAYMENT_SIGNATURE, PaymentHeaders.paymentSignature(deployment.chainId(), c, v))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Receipt receipt = ReceiptHeaders.parse(r.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).orElseThrow())
                    .receipt();
            tokens += receipt.tokensIn() + receipt.tokensOut();
            promised = receipt.cumulativeAmount(); // vouch exactly what is charged plus the next request's maximum
        }
        return tokens;
    }

    private BigInteger splitterBalance(Credentials who) {
        return as(who).royalties().balanceOf(token(), addr(who));
    }

    private static BigInteger royalty(long tokens) {
        return BigInteger.valueOf(tokens).multiply(ROYALTY_PER_1000).divide(BigInteger.valueOf(1_000));
    }

    private static BigInteger datasetShare(BigInteger revenue) {
        return revenue.multiply(BigInteger.valueOf(DATASET_SHARE_BPS)).divide(BigInteger.valueOf(10_000));
    }

    @Test
    void redeemedInferenceRevenuePaysTheDatasetOwnerExactlyItsDeclaredShareOnceAcrossARestart() throws Exception {
        startProvider();
        long[] ids = registerLineage(Terms.PAID_PER_TOKEN);
        long tokens = serveAnswers(3);
        String digest = backend.info(MODEL).digestHex();

        // The tally is written with each charge: every token and unit is there before anything is redeemed.
        assertThat(ledger.modelTallies()).singleElement().satisfies(t -> {
            assertThat(t.model()).isEqualTo(digest);
            assertThat(t.tokens()).isEqualTo(tokens);
            assertThat(t.charged()).isEqualTo(ledger.earnings().getFirst().charged());
            assertThat(t.due()).isZero();
        });
        BigInteger dataBefore = splitterBalance(dataOwner);
        BigInteger modelBefore = splitterBalance(modelOwner);
        RoyaltyRouter router = RoyaltyRouter.onChain(ledger, as(provider), publishers());
        // Nothing is redeemed yet, so nothing is owed yet.
        assertThat(router.routeAll()).isEmpty();
        assertThat(splitterBalance(dataOwner)).isEqualTo(dataBefore);

        assertThat(Redeemer.onChain(ledger, as(provider).channels()).redeemAll()).allSatisfy(o -> assertThat(o.ok()).isTrue());
        // The provider is killed between redeeming and paying: a fresh ledger on the same file carries on.
        server.close();
        server = null;
        ledger.close();
        ledger = openLedger();

        List<RoyaltyRouter.Routed> routed = RoyaltyRouter.onChain(ledger, as(provider), publishers()).routeAll();
        BigInteger revenue = royalty(tokens);
        assertThat(revenue).isPositive();
        assertThat(routed).singleElement().satisfies(r -> {
            assertThat(r.ok()).isTrue();
            assertThat(r.assetId()).isEqualTo(ids[1]);
            assertThat(r.tokens()).isEqualTo(tokens);
            assertThat(r.amount()).isEqualTo(revenue);
        });
        assertThat(splitterBalance(dataOwner).subtract(dataBefore)).isEqualTo(datasetShare(revenue));
        assertThat(splitterBalance(modelOwner).subtract(modelBefore)).isEqualTo(revenue.subtract(datasetShare(revenue)));

        // Paid once: routing again (and again after another restart) pays nothing more.
        assertThat(RoyaltyRouter.onChain(ledger, as(provider), publishers()).routeAll()).isEmpty();
        ledger.close();
        ledger = openLedger();
        assertThat(RoyaltyRouter.onChain(ledger, as(provider), publishers()).routeAll()).isEmpty();
        assertThat(splitterBalance(dataOwner).subtract(dataBefore)).isEqualTo(datasetShare(revenue));
        assertThat(ledger.modelTallies()).singleElement().satisfies(t -> assertThat(t.due()).isZero());

        // The data owner withdraws its share in tokens.
        BigInteger wallet = as(dataOwner).payment().balanceOf(dataOwner.getAddress());
        BigInteger share = splitterBalance(dataOwner);
        as(dataOwner).royalties().withdraw(token(), addr(dataOwner));
        assertThat(as(dataOwner).payment().balanceOf(dataOwner.getAddress()).subtract(wallet)).isEqualTo(share);
    }

    /** The process dies right after its payment landed on chain, before the ledger learnt it did. */
    @Test
    void aCrashAfterThePaymentLandedButBeforeItWasRecordedIsNotPaidAgain() throws Exception {
        crashMidPayment(true);
    }

    /** The process dies after recording the payment as pending, before sending it. */
    @Test
    void aCrashBeforeThePendingPaymentWasSentPaysItOnRestart() throws Exception {
        crashMidPayment(false);
    }

    private void crashMidPayment(boolean afterSending) throws Exception {
        startProvider();
        registerLineage(Terms.PAID_PER_TOKEN);
        long tokens = serveAnswers(2);
        Redeemer.onChain(ledger, as(provider).channels()).redeemAll();
        BigInteger dataBefore = splitterBalance(dataOwner);
        RoyaltyRouter.Chain real = RoyaltyRouter.chain(as(provider), publishers());
        RoyaltyRouter.Chain dying = new RoyaltyRouter.Chain() {
            @Override
            public Map<String, Long> modelAssets() {
                return real.modelAssets();
            }

            @Override
            public Licence licence(long assetId) {
                return real.licence(assetId);
            }

            @Override
            public long blockNumber() {
                return real.blockNumber();
            }

            @Override
            public List<BigInteger> paymentsSince(long assetId, Address token, long fromBlock) {
                return real.paymentsSince(assetId, token, fromBlock);
            }

            @Override
            public void pay(long assetId, Address token, BigInteger amount) {
                if (afterSending) {
                    real.pay(assetId, token, amount);
                }
                throw new ProcessDied(); // not a chain error: nothing after this line of the router runs
            }
        };
        assertThatThrownBy(() -> new RoyaltyRouter(ledger, dying).routeAll()).isInstanceOf(ProcessDied.class);
        assertThat(ledger.pendingRoyalties()).hasSize(1);
        BigInteger paidBeforeRestart = splitterBalance(dataOwner).subtract(dataBefore);
        assertThat(paidBeforeRestart).isEqualTo(afterSending ? datasetShare(royalty(tokens)) : BigInteger.ZERO);

        ledger.close();
        ledger = openLedger();
        List<RoyaltyRouter.Routed> routed = RoyaltyRouter.onChain(ledger, as(provider), publishers()).routeAll();

        assertThat(routed).hasSize(afterSending ? 0 : 1);
        assertThat(ledger.pendingRoyalties()).isEmpty();
        assertThat(splitterBalance(dataOwner).subtract(dataBefore)).isEqualTo(datasetShare(royalty(tokens)));
        assertThat(RoyaltyRouter.onChain(ledger, as(provider), publishers()).routeAll()).isEmpty();
        assertThat(splitterBalance(dataOwner).subtract(dataBefore)).isEqualTo(datasetShare(royalty(tokens)));
    }

    private static final class ProcessDied extends RuntimeException {}

    @Test
    void aModelNotRegisteredOrLicensedWithoutAPerTokenPriceRoutesNothing() throws Exception {
        startProvider();
        serveAnswers(1);
        Redeemer.onChain(ledger, as(provider).channels()).redeemAll();
        BigInteger providerTokens = as(provider).payment().balanceOf(provider.getAddress());
        RoyaltyRouter router = RoyaltyRouter.onChain(ledger, as(provider), publishers());

        assertThat(router.routeAll()).as("not registered").isEmpty();
        assertThat(ledger.modelTallies()).singleElement().satisfies(t -> assertThat(t.due()).isPositive());

        registerLineage(Terms.FREE);
        assertThat(router.routeAll()).as("registered with free terms").isEmpty();
        assertThat(as(provider).payment().balanceOf(provider.getAddress())).isEqualTo(providerTokens);
    }

    /** The publishers the provider honours: the model's owner (as a provider names the manifest signer it trusts). */
    private List<Address> publishers() {
        return List.of(addr(modelOwner));
    }

    /**
     * A squatter registered the served model's content id first (and a front-runner's copy of the owner's declaration
     * would be the same: an earlier registration by another account). The provider pays the asset of the publisher it
     * names, never the older registration; and a provider naming nobody pays only what it registered itself: nothing.
     */
    @Test
    void aSquattersEarlierRegistrationOfTheSameModelIsNeverPaid() throws Exception {
        startProvider();
        long squat = as(squatter).assets().register(AssetKind.MODEL, modelCid(), new byte[0],
                new Licence("Apache-2.0", Terms.PAID_PER_TOKEN, token(), ROYALTY_PER_1000), List.of());
        long[] ids = registerLineage(Terms.PAID_PER_TOKEN);
        assertThat(squat).isLessThan(ids[1]);
        assertThat(as(provider).assets().assetByContent(modelCid(), addr(modelOwner))).isEqualTo(ids[1]);
        assertThat(as(provider).assets().assetByContent(modelCid(), addr(squatter))).isEqualTo(squat);
        assertThat(as(provider).assets().registrant(squat)).isEqualTo(addr(squatter));
        long tokens = serveAnswers(2);
        Redeemer.onChain(ledger, as(provider).channels()).redeemAll();
        BigInteger squatterBefore = splitterBalance(squatter);
        BigInteger dataBefore = splitterBalance(dataOwner);

        assertThat(RoyaltyRouter.onChain(ledger, as(provider), List.of()).routeAll())
                .as("a provider naming no publisher trusts only its own registrations").isEmpty();
        assertThat(RoyaltyRouter.onChain(ledger, as(provider), List.of(addr(modelOwner))).routeAll())
                .singleElement().satisfies(r -> assertThat(r.assetId()).isEqualTo(ids[1]));
        assertThat(splitterBalance(squatter)).isEqualTo(squatterBefore);
        assertThat(splitterBalance(dataOwner).subtract(dataBefore)).isEqualTo(datasetShare(royalty(tokens)));
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }

    private static Address token() {
        return Address.parse(deployment.address("PaymentToken"));
    }
}

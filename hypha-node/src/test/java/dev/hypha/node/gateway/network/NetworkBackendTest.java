package dev.hypha.node.gateway.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ReceiptDomain;
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
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.chain.deploy.AppRewardsClient;
import dev.hypha.node.apps.AppTag;
import dev.hypha.node.apps.ChainAppCharges;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.provider.ForwardingBackend;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.testing.TinyModelStore;
import dev.hypha.node.transport.ProviderTls;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The gateway buying from the network: {@link NetworkBackend} over two real providers ({@link ProviderService} over the
 * real engine with a tiny seeded model, loopback HTTP) and the real PaymentChannels contract on anvil. Channels are
 * opened by the gateway itself within its budget; routing, policy and failover mid-answer are checked against what the
 * chain and both sides' stores say.
 */
class NetworkBackendTest {
    private static final String MODEL = "tiny:latest";
    private static final Prices CHEAP = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));
    private static final Prices DEAR = new Prices(BigInteger.valueOf(3_000_000), BigInteger.valueOf(4_000_000));
    private static final Budget BUDGET = new Budget(BigInteger.valueOf(10_000), BigInteger.valueOf(100_000));

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static final AtomicInteger PAYERS = new AtomicInteger(3);

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().accounts(16).start(); // providers 1, 2; a fresh payer per test from 3 on
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void streamsAPaidAnswerFromTheCheapestProviderThroughAChannelItOpensItself() {
        Provider cheap = provider(1, CHEAP, null);
        Provider dear = provider(2, DEAR, null);
        Payer payer = payer();
        NetworkBackend network = payer.network(List.of(dear.offer, cheap.offer), RoutingPolicy.anyProvider());

        StringBuilder streamed = new StringBuilder();
        Completion c = network.generate(chat("Hello there", 12), streamed::append);

        assertThat(streamed.toString()).isEqualTo(c.text());
        assertThat(c.generatedTokens()).isPositive();
        List<PayerReceipts.Stored> stored = payer.receipts.all();
        assertThat(stored).singleElement().satisfies(s -> {
            assertThat(s.provider()).isEqualTo(cheap.address);
            assertThat(s.receipt().price()).isEqualTo(CHEAP.cost(c.promptTokens(), c.generatedTokens()));
        });
        // The gateway opened exactly one channel, to the cheap provider, with the budget's deposit.
        assertThat(payer.ledger.channels()).singleElement().satisfies(ch -> {
            assertThat(ch.provider()).isEqualTo(cheap.address);
            assertThat(contracts(payer.key).channels().state(ch.id()).deposit()).isEqualTo(BUDGET.perChannel());
        });
        // The provider redeems exactly what the receipt charged.
        BigInteger before = contracts(cheap.key).payment().balanceOf(cheap.key.getAddress());
        assertThat(cheap.service.redeemAll()).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
        assertThat(contracts(cheap.key).payment().balanceOf(cheap.key.getAddress()).subtract(before))
                .isEqualTo(stored.getFirst().receipt().price());
    }

    @Test
    void theChannelIsReusedAndToppedUpWithinTheBudget() {
        Provider dear = provider(2, DEAR, null);
        Payer payer = payer(new Budget(BigInteger.valueOf(700), BigInteger.valueOf(1_400)));
        NetworkBackend network = payer.network(List.of(dear.offer), RoutingPolicy.anyProvider());
        for (int i = 0; i < 6; i++) {
            network.generate(chat("Request number " + i, 40), TextSink.DISCARD);
        }
        ChannelParams channel = payer.ledger.channels().getFirst();
        assertThat(payer.ledger.channels()).hasSize(1);
        BigInteger deposit = contracts(payer.key).channels().state(channel.id()).deposit();
        assertThat(deposit).isGreaterThan(BigInteger.valueOf(700)).isLessThanOrEqualTo(BigInteger.valueOf(1_400));
        assertThat(payer.channels.locked()).isEqualTo(deposit);
        // Beyond the total budget the gateway refuses rather than deposit more.
        assertThatThrownBy(() -> {
            for (int i = 0; i < 40; i++) {
                network.generate(chat("More requests " + i, 40), TextSink.DISCARD);
            }
        }).isInstanceOf(GatewayException.class).hasMessageContaining("hypha budget set");
        assertThat(contracts(payer.key).channels().state(channel.id()).deposit())
                .isLessThanOrEqualTo(BigInteger.valueOf(1_400));
    }

    @Test
    void theRoutingPolicyDecidesWhoSeesThePrompt() {
        Provider cheap = provider(1, CHEAP, null);
        Provider dear = provider(2, DEAR, null);
        Payer payer = payer();
        NetworkBackend network = payer.network(List.of(cheap.offer, dear.offer),
                new RoutingPolicy(Set.of(), Set.of(cheap.address)));
        network.generate(chat("Only the dear one may read this", 6), TextSink.DISCARD);
        assertThat(payer.receipts.all()).singleElement().satisfies(s -> assertThat(s.provider()).isEqualTo(dear.address));
        assertThat(cheap.service.ledger().unredeemed()).isEmpty();

        NetworkBackend nobody = payer.network(List.of(cheap.offer), new RoutingPolicy(Set.of(dear.address), Set.of()));
        assertThatThrownBy(() -> nobody.generate(chat("Hello", 4), TextSink.DISCARD))
                .isInstanceOf(GatewayException.class).hasMessageContaining("routing policy excludes");
    }

    @Test
    void listsTheModelsOfLiveOffersAndRefusesLapsedOnes() {
        Provider cheap = provider(1, CHEAP, null);
        Payer payer = payer();
        Offer lapsed = withLiveUntil(cheap.offer, Instant.now().minusSeconds(60));
        assertThat(payer.network(List.of(cheap.offer), RoutingPolicy.anyProvider()).models())
                .extracting(ModelInfo::name).containsExactly(MODEL);
        NetworkBackend network = payer.network(List.of(lapsed), RoutingPolicy.anyProvider());
        assertThat(network.models()).isEmpty();
        assertThatThrownBy(() -> network.generate(chat("Hello", 4), TextSink.DISCARD))
                .isInstanceOf(GatewayException.class).hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> network.generate(call("unknown:latest", new Prompt.Text("hi", null, false), 4),
                TextSink.DISCARD)).isInstanceOf(GatewayException.class).hasMessageContaining("not found");
    }

    @Test
    void aProviderThatFailsMidAnswerIsReplacedAndTheAnswerContinuesFromItsText() {
        // The cheap provider's engine breaks after 5 tokens; it reports the failure as the stream's last line.
        Provider failing = provider(1, CHEAP, 5);
        Provider healthy = provider(2, DEAR, null);
        Payer payer = payer();
        NetworkBackend network = payer.network(List.of(failing.offer, healthy.offer), RoutingPolicy.anyProvider());

        List<String> pieces = new ArrayList<>();
        Completion c = network.generate(chat("Tell me a long story", 20), pieces::add);

        String streamed = String.join("", pieces);
        assertThat(streamed).isEqualTo(c.text());
        assertThat(pieces.size()).isGreaterThan(5);
        // Only the healthy provider's receipt exists: the failing one charged nothing for an answer it did not finish.
        assertThat(payer.receipts.all()).singleElement().satisfies(s -> {
            assertThat(s.provider()).isEqualTo(healthy.address);
            assertThat(s.receipt().tokensOut()).isEqualTo(c.generatedTokens() - 5);
        });
        assertThat(failing.service.ledger().charged(payer.ledger.channels().stream()
                .filter(ch -> ch.provider().equals(failing.address)).findFirst().orElseThrow().id())).isZero();
        // The next request skips the failed provider while it cools down.
        network.generate(chat("Again", 3), TextSink.DISCARD);
        assertThat(payer.receipts.all()).hasSize(2).allSatisfy(s -> assertThat(s.provider()).isEqualTo(healthy.address));
    }

    @Test
    void anImpostorAtAProvidersEndpointIsRefusedAtTheHandshakeAndAnotherProviderAnswers() {
        Provider real = provider(1, CHEAP, null);
        Provider other = provider(2, DEAR, null);
        Payer payer = payer();
        // An offer claiming account (5)'s key at provider (1)'s endpoint: whoever answers there cannot prove that key.
        Address claimed = Address.parse(devnet.account(5).getAddress());
        Offer impostor = new Offer(claimed, real.offer.endpoint(), claimed, MODEL, real.offer.modelId(),
                real.offer.token(), BigInteger.ZERO, BigInteger.ZERO, 512, 1, Instant.now().plusSeconds(3600));
        NetworkBackend network = payer.network(List.of(impostor, other.offer), RoutingPolicy.anyProvider());
        network.generate(chat("Who are you?", 4), TextSink.DISCARD);
        assertThat(payer.receipts.all()).singleElement().satisfies(s -> assertThat(s.provider()).isEqualTo(other.address));
        assertThat(real.service.ledger().unredeemed()).isEmpty(); // no voucher ever reached the endpoint

        // A plain-HTTP endpoint on another machine is never sent a prompt.
        Offer plain = new Offer(other.address, java.net.URI.create("http://192.0.2.1:11435"), other.address, MODEL,
                other.offer.modelId(), other.offer.token(), BigInteger.ZERO, BigInteger.ZERO, 512, 1,
                Instant.now().plusSeconds(3600));
        assertThatThrownBy(() -> payer.network(List.of(plain), RoutingPolicy.anyProvider())
                .generate(chat("Hello", 4), TextSink.DISCARD)).isInstanceOf(GatewayException.class)
                .hasMessageContaining("plain-HTTP");
    }

    @Test
    void anAppTaggedAnswerPaysTheAppsCreatorAndTheCreatorsOwnUseEarnsNothing() {
        Provider cheap = provider(1, CHEAP, null);
        Payer creator = payer(BUDGET, "creator");
        Payer user = payer(BUDGET, "user");
        AppRewardsClient asCreator = contracts(creator.key).apps();
        BigInteger price = BigInteger.valueOf(50_000); // 0.05 hUSD per use
        long app = asCreator.publish(new byte[32], price, 5_000);
        long fromBlock = asCreator.blockNumber();
        BigInteger creatorBefore = contracts(creator.key).payment().balanceOf(creator.key.getAddress());

        NetworkBackend users = user.chargingApps(List.of(cheap.offer));
        Completion c = tagged(Long.toString(app), () -> users.generate(chat("Hello there", 8), TextSink.DISCARD));
        assertThat(c.generatedTokens()).isPositive();
        // 0.05: 0.005 fee, half of 0.045 to the creator, the rest to the provider that answered
        assertThat(contracts(creator.key).payment().balanceOf(creator.key.getAddress()).subtract(creatorBefore))
                .isEqualTo(BigInteger.valueOf(22_500));
        assertThat(asCreator.payments(app, fromBlock)).singleElement().satisfies(p -> {
            assertThat(p.payer()).isEqualTo(Address.parse(user.key.getAddress()));
            assertThat(p.provider()).isEqualTo(cheap.address);
            assertThat(p.toProvider()).isEqualTo(BigInteger.valueOf(22_500));
            assertThat(p.eligible()).isTrue();
        });

        // The creator using its own app through its own gateway pays, but it counts for nothing.
        NetworkBackend creators = creator.chargingApps(List.of(cheap.offer));
        tagged(Long.toString(app), () -> creators.generate(chat("Hello again", 8), TextSink.DISCARD));
        List<AppRewardsClient.Payment> paid = asCreator.payments(app, fromBlock);
        assertThat(paid).hasSize(2);
        assertThat(paid.getLast().eligible()).isFalse();
        long epoch = paid.getFirst().epoch();
        assertThat(asCreator.eligibleFees(epoch, app)).isEqualTo(price);

        // An unknown app or a malformed tag is refused before any provider is paid; untagged requests are not charged.
        int receipts = user.receipts.all().size();
        assertThatThrownBy(() -> tagged("999999", () -> users.generate(chat("Hi", 4), TextSink.DISCARD)))
                .isInstanceOf(GatewayException.class).hasMessageContaining("999999 is not a published app");
        assertThatThrownBy(() -> tagged("app-1", () -> users.generate(chat("Hi", 4), TextSink.DISCARD)))
                .isInstanceOf(GatewayException.class).hasMessageContaining("X-Hypha-App must be an app id");
        assertThat(user.receipts.all()).hasSize(receipts);
        users.generate(chat("Untagged", 4), TextSink.DISCARD);
        assertThat(asCreator.payments(app, fromBlock)).hasSize(2);
        // A backend that cannot charge apps refuses tagged requests rather than serving them uncharged.
        assertThatThrownBy(() -> tagged(Long.toString(app), () -> user.network(List.of(cheap.offer),
                RoutingPolicy.anyProvider()).generate(chat("Hi", 4), TextSink.DISCARD)))
                .isInstanceOf(GatewayException.class).hasMessageContaining("cannot charge apps");

        // After the epoch the creator's reward is 5 % of what others paid: the self-paid use earned nothing.
        while (asCreator.currentEpoch() <= epoch) {
            chain.request("evm_mine");
        }
        HyphaContracts sponsor = contracts(devnet.account(0));
        sponsor.payment().mint(devnet.account(0).getAddress(), BigInteger.valueOf(100_000_000));
        sponsor.apps().fund(BigInteger.valueOf(100_000_000)); // the pool is funded before the epoch is closed
        assertThat(sponsor.apps().rewardOf(epoch, app)).isZero(); // not closed yet
        assertThat(asCreator.claim(epoch, app)).isEqualTo(price.divide(BigInteger.valueOf(20)));
    }

    /**
     * The client names the app and its creator sets the price, so neither decides what the gateway's account pays: an
     * app priced above the gateway's cap per use is refused before any provider is paid, and a price raised while the
     * answer is produced is not what the answer is charged.
     */
    @Test
    void aTaggedRequestPaysAtMostTheCapAndThePriceQuotedBeforeTheAnswer() {
        Provider cheap = provider(1, CHEAP, null);
        Payer creator = payer(BUDGET, "creator");
        Payer user = payer(BUDGET, "user");
        AppRewardsClient asCreator = contracts(creator.key).apps();
        BigInteger quoted = BigInteger.valueOf(40_000);
        long app = asCreator.publish(new byte[32], quoted, 5_000);
        long greedy = asCreator.publish(new byte[32], ChainAppCharges.DEFAULT_MAX_PER_USE.add(BigInteger.ONE), 5_000);
        long fromBlock = asCreator.blockNumber();
        NetworkBackend users = user.chargingApps(List.of(cheap.offer));

        int receipts = user.receipts.all().size();
        assertThatThrownBy(() -> tagged(Long.toString(greedy), () -> users.generate(chat("Hi", 4), TextSink.DISCARD)))
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("costs 1000001 units per use, more than the 1000000 this gateway pays");
        assertThat(user.receipts.all()).hasSize(receipts); // nothing was bought

        // The creator raises the price to the whole cap once the answer has started: the use costs what was quoted.
        boolean[] raised = {false};
        tagged(Long.toString(app), () -> users.generate(chat("Hello there", 8), piece -> {
            if (!raised[0]) {
                raised[0] = true;
                asCreator.update(app, new byte[32], ChainAppCharges.DEFAULT_MAX_PER_USE, 5_000);
            }
        }));
        assertThat(raised[0]).isTrue();
        assertThat(asCreator.payments(app, fromBlock)).singleElement()
                .satisfies(p -> assertThat(p.amount()).isEqualTo(quoted));

        // Embeddings are not charged for apps yet, so a tagged one is refused rather than served as if paid.
        assertThatThrownBy(() -> tagged(Long.toString(app), () -> users.embed(new dev.hypha.node.gateway.EmbedCall(
                "m", List.of("a"), true, dev.hypha.node.gateway.KeepAlive.DEFAULT))))
                .isInstanceOf(GatewayException.class).hasMessageContaining("send embedding requests without it");
    }

    private static <T> T tagged(String app, java.util.function.Supplier<T> call) {
        AppTag.set(app);
        try {
            return call.get();
        } finally {
            AppTag.clear();
        }
    }

    // --- fixtures ---

    private record Provider(Credentials key, Address address, ProviderService service, Offer offer) {}

    private record Payer(Credentials key, PayerLedger ledger, PayerReceipts receipts, PayerChannels channels,
                         List<AutoCloseable> open) {
        NetworkBackend network(List<Offer> offers, RoutingPolicy policy) {
            NetworkBackend n = new NetworkBackend(() -> offers, new Router(policy,
                    Set.of(Address.parse(deployment.address("PaymentToken"))), new ProviderStats()),
                    new NetworkBackend.Payer(ledger, receipts, sender(key)::signTypedData, channels,
                    Address.parse(deployment.address("PaymentChannels")), receiptDomain()),
                    o -> ProviderTransport.answersClientFor(o, deployment.chainId(), Clock.systemUTC()), Clock.systemUTC());
            open.add(n);
            return n;
        }

        /** The network backend charging app-tagged requests through AppRewards from this payer's account. */
        NetworkBackend chargingApps(List<Offer> offers) {
            NetworkBackend n = new NetworkBackend(() -> offers, new Router(RoutingPolicy.anyProvider(),
                    Set.of(Address.parse(deployment.address("PaymentToken"))), new ProviderStats()),
                    new NetworkBackend.Payer(ledger, receipts, sender(key)::signTypedData, channels,
                    Address.parse(deployment.address("PaymentChannels")), receiptDomain()),
                    o -> ProviderTransport.answersClientFor(o, deployment.chainId(), Clock.systemUTC()), Clock.systemUTC(),
                    Optional.of(new ChainAppCharges(contracts(key).apps())));
            open.add(n);
            return n;
        }
    }

    /** A provider on loopback; with {@code failAfter} its engine throws after that many tokens. */
    private Provider provider(int account, Prices prices, Integer failAfter) {
        Credentials key = devnet.account(account);
        Address address = Address.parse(key.getAddress());
        Path home = dir.resolve("provider-" + account);
        ModelStore store = TinyModelStore.create(home, MODEL, 7, 512);
        LocalBackend local = new LocalBackend(store, LocalBackend.Settings.defaults());
        open.add(local);
        InferenceBackend backend = failAfter == null ? local : new FailingAfter(local, failAfter);
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), Address.parse(deployment.address("PaymentToken")),
                address, Address.parse(deployment.address("PaymentChannels")), prices, 60);
        ProviderService service = ProviderService.start(backend, terms, contracts(key).channels(),
                new ReceiptSigner(receiptDomain(), address, sender(key)::signTypedData),
                home.resolve("ledger.sqlite"), "127.0.0.1", 0,
                ProviderTls.server(key, deployment.chainId(), address, Clock.systemUTC()), Clock.systemUTC());
        open.add(service);
        String digest = local.models().getFirst().digest();
        Offer offer = new Offer(address, service.endpoint(), address, MODEL,
                Hex.encode(ContentId.parse(digest).multihash().digest()), terms.token(), prices.inputPerMillion(),
                prices.outputPerMillion(), 512, 1, Instant.now().plusSeconds(3600));
        return new Provider(key, address, service, offer);
    }

    private Payer payer() {
        return payer(BUDGET);
    }

    /** A fresh funded payer account (each test its own, so channels never carry over). */
    private Payer payer(Budget budget) {
        return payer(budget, "payer");
    }

    /** A payer whose files are named after {@code name} (several payers in one test). */
    private Payer payer(Budget budget, String name) {
        Credentials key = devnet.account(PAYERS.getAndIncrement());
        contracts(devnet.account(0)).payment().mint(key.getAddress(), BigInteger.valueOf(1_000_000_000));
        PayerLedger ledger = PayerLedger.open(dir.resolve(name + ".sqlite"), contracts(key).channels().voucherDomain());
        PayerReceipts receipts = PayerReceipts.open(dir.resolve(name + "-receipts.sqlite"));
        open.add(ledger);
        open.add(receipts);
        PayerChannels channels = new PayerChannels(contracts(key).channels(), ledger, Address.parse(key.getAddress()),
                budget);
        return new Payer(key, ledger, receipts, channels, open);
    }

    private static Offer withLiveUntil(Offer o, Instant until) {
        return new Offer(o.provider(), o.endpoint(), o.signingKey(), o.model(), o.modelId(), o.token(),
                o.inputPerMillion(), o.outputPerMillion(), o.contextLength(), o.concurrency(), until);
    }

    private static GenerateCall chat(String text, int maxTokens) {
        return call(MODEL, new Prompt.Chat(List.of(new Prompt.Message("user", text))), maxTokens);
    }

    private static GenerateCall call(String model, Prompt prompt, int maxTokens) {
        SamplingOptions sampling = SamplingOptions.defaults().withTemperature(0);
        return new GenerateCall(model, prompt, sampling, maxTokens, List.of(), OptionalInt.empty(),
                KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }

    private static ReceiptDomain receiptDomain() {
        return new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")));
    }

    private static TransactionSender sender(Credentials key) {
        return new TransactionSender(chain, key, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts contracts(Credentials key) {
        return HyphaContracts.connect(deployment, sender(key));
    }

    /** The real engine, whose generation breaks after {@code limit} tokens as a crashed GPU or OOM would. */
    private static final class FailingAfter extends ForwardingBackend {
        private final int limit;

        FailingAfter(InferenceBackend engine, int limit) {
            super(engine);
            this.limit = limit;
        }

        @Override
        public Completion generate(GenerateCall call, TextSink sink) {
            int[] n = {0};
            return engine.generate(call, TextSink.wrapping(sink, piece -> {
                if (n[0]++ == limit) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "engine failure after " + limit + " tokens");
                }
                sink.accept(piece);
            }));
        }

        @Override
        public void close() {
            // the engine is closed by the test's own list
        }
    }
}

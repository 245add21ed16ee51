package dev.hypha.node.gateway.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Receipt;
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
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.PaymentRequirement;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.ReceiptHeaders;
import dev.hypha.node.provider.ChannelGate;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.AnswerCommitter;
import dev.hypha.node.provider.ForwardingBackend;
import dev.hypha.node.verify.opml.IntLmModels;
import dev.hypha.node.verify.opml.OpmlAnswer;
import dev.hypha.node.verify.opml.OpmlAnswerLog;
import dev.hypha.node.verify.opml.OpmlBackend;
import dev.hypha.node.verify.opml.OpmlCheat;
import dev.hypha.node.verify.opml.OpmlProvider;
import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.node.provider.ProviderRoutes;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.provider.Redeemer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import dev.hypha.node.testing.TinyModelStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The gateway paying a real provider: {@link RemoteBackend} against the real provider routes (loopback HTTP, a real
 * model with seeded random weights) and a real PaymentChannels contract on anvil; hostile providers are a loopback
 * proxy that replays the real answer with one receipt field changed and re-signed with the provider's key.
 */
class RemoteBackendTest {
    private static final String MODEL = "tiny:latest";
    /** 1 unit per input token, 2 per output token. */
    private static final Prices PRICES = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));
    private static final int MAX_NEW = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static final AtomicLong SALTS = new AtomicLong(1);

    @TempDir
    Path dir;
    private Credentials payer;
    private Credentials provider;
    private LocalBackend backend;
    private ProviderLedger providerLedger;
    private ApiServer server;
    private PayerLedger payerLedger;
    private PayerReceipts receipts;

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

    @BeforeEach
    void start() {
        payer = devnet.account(1);
        provider = devnet.account(2);
        ModelStore store = TinyModelStore.create(dir, MODEL, 7, 512);
        backend = new LocalBackend(store, LocalBackend.Settings.defaults());
        providerLedger = ProviderLedger.open(dir.resolve("provider.sqlite"), as(provider).channels().voucherDomain());
        server = providerServer(backend);
        payerLedger = PayerLedger.open(dir.resolve("payer.sqlite"), as(payer).channels().voucherDomain());
        receipts = PayerReceipts.open(dir.resolve("payer-receipts.sqlite"));
    }

    @AfterEach
    void close() {
        server.close();
        backend.close();
        providerLedger.close();
        receipts.close();
        payerLedger.close();
    }

    @Test
    void paysForAnswersAndTheProviderRedeemsWhatTheReceiptsSay() {
        ChannelParams channel = open(1_000_000);
        BigInteger providerStart = as(provider).payment().balanceOf(provider.getAddress());
        String[] prompts = {"Hello there", "What is a payment channel?", "Say something else"};
        ProviderHttp http = ProviderHttp.plain();
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + server.port()), channel, http)) {
            for (String p : prompts) {
                GenerateCall call = chat(p);
                BigInteger maximum = PRICES.maximum(backend.budget(call));
                StringBuilder streamed = new StringBuilder();
                Completion c = remote.generate(call, streamed::append);
                assertThat(streamed.toString()).isEqualTo(c.text());
                assertThat(c.generatedTokens()).isPositive();
                Receipt r = receipts.all().getLast().receipt();
                assertThat(r.outputHash()).isEqualTo(keccak(c.text()));
                assertThat(r.price()).isEqualTo(PRICES.cost(c.promptTokens(), c.generatedTokens()));
                // the payer's exposure: never more than what answers cost plus one maximum
                assertThat(payerLedger.signedTotal(channel.id())).isLessThanOrEqualTo(r.cumulativeAmount().add(maximum));
                // Each answer read to its end gives its connection back, and the next request reuses it.
                assertThat(http.connections().getLeased()).isZero();
                assertThat(http.connections().getAvailable()).isEqualTo(1);
            }
        }
        List<PayerReceipts.Stored> stored = receipts.all();
        // Receipts name the model by what the store's manifest says, the same as the model file's details.
        assertThat(backend.info(MODEL)).isEqualTo(backend.show(MODEL, false).info());
        assertThat(stored).hasSize(prompts.length).allSatisfy(s -> {
            assertThat(s.model()).isEqualTo(MODEL);
            assertThat(s.provider()).isEqualTo(addr(provider));
            assertThat(s.receipt().modelId()).isEqualTo(backend.info(MODEL).digestHex());
        });
        BigInteger sum = stored.stream().map(s -> s.receipt().price()).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(stored.getLast().receipt().cumulativeAmount()).isEqualTo(sum);
        assertThat(providerLedger.charged(channel.id())).isEqualTo(sum);

        assertThat(redeemer().redeemAll()).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
        BigInteger paid = as(provider).payment().balanceOf(provider.getAddress()).subtract(providerStart);
        // The provider claims what the receipts charged (redeemUpTo), never the unspent part of the last maximum.
        assertThat(paid).isEqualTo(sum);
        assertThat(paid).isLessThanOrEqualTo(payerLedger.signedTotal(channel.id()));
    }

    /** The provider's routes over {@code engine}, on a started loopback server. */
    private ApiServer providerServer(InferenceBackend engine) {
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), token(), addr(provider), channelsContract(), PRICES, 60);
        ApiServer s = new ApiServer("127.0.0.1", 0, List.of(new ProviderRoutes(engine, terms,
                new ChannelGate(terms, providerLedger, as(provider).channels()::state), providerLedger,
                new ReceiptSigner(receiptDomain(), addr(provider), sender(provider)::signTypedData), Clock.systemUTC(),
                () -> 42)));
        s.start();
        return s;
    }

    @Test
    void anAnswerTheClientAbandonsStopsTheProvidersEngine() throws Exception {
        ChannelParams channel = open(1_000_000);
        GenerateCall story = chat("Tell me a long story");
        GenerateCall call = story.withPrompt(story.prompt(), 200);
        int whole;
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + server.port()), channel)) {
            whole = remote.generate(call, TextSink.DISCARD).generatedTokens();
        }
        assertThat(whole).as("the seeded model's whole answer, to compare with").isGreaterThan(40);

        // The provider's engine, held after its first piece until the gateway has given up on the answer, so the
        // engine can only learn of it through the connection the gateway dropped.
        CountDownLatch abandoned = new CountDownLatch(1);
        CountDownLatch engineDone = new CountDownLatch(1);
        AtomicInteger enginePieces = new AtomicInteger();
        InferenceBackend held = new ForwardingBackend(backend) {
            @Override
            public Completion generate(GenerateCall c, TextSink sink) {
                try {
                    return backend.generate(c, new TextSink() {
                        @Override
                        public void accept(String piece) {
                            if (enginePieces.incrementAndGet() == 2) {
                                awaitQuietly(abandoned);
                            }
                            sink.accept(piece);
                        }

                        @Override
                        public void starting(TokenBudget budget) {
                            sink.starting(budget);
                        }
                    });
                } finally {
                    engineDone.countDown();
                }
            }
        };
        ProviderHttp http = ProviderHttp.plain();
        try (ApiServer heldServer = providerServer(held);
             RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + heldServer.port()), channel, http)) {
            assertThatThrownBy(() -> remote.generate(call, piece -> {
                throw new IllegalStateException("the client left");
            })).hasMessageContaining("the client left");
            assertThat(http.connections().getLeased() + http.connections().getAvailable())
                    .as("the abandoned answer's connection is dropped, not kept").isZero();
            abandoned.countDown();
            assertThat(engineDone.await(60, TimeUnit.SECONDS)).as("the engine stopped").isTrue();
        }
        // A few pieces may still reach the socket before its write fails; not the rest of the answer.
        assertThat(enginePieces.get()).isLessThan(whole / 2);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aDepositTooSmallForTheNextRequestAsksForATopUpWithoutSigning() {
        ChannelParams channel = open(5);
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + server.port()), channel)) {
            assertThatThrownBy(() -> remote.generate(chat("Hello"), TextSink.DISCARD))
                    .isInstanceOf(GatewayException.class).hasMessageContaining("holds 5")
                    .hasMessageContaining("top the channel up");
        }
        assertThat(payerLedger.signedTotal(channel.id())).isZero();
        assertThat(receipts.all()).isEmpty();
        assertThat(providerLedger.charged(channel.id())).isZero();
    }

    @Test
    void aReceiptWithAWrongOutputHashIsRefused() throws IOException {
        refusedThrough(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), r.tokensOut(), keccak("other text"),
                r.price(), r.channelId(), r.cumulativeAmount()), "is not the keccak of the answer received",
                ProviderFault.BAD_RECEIPT);
    }

    @Test
    void aReceiptWithInflatedTokensIsRefused() throws IOException {
        refusedThrough(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), r.tokensOut() + 5, r.outputHash(),
                r.price(), r.channelId(), r.cumulativeAmount()), "differ from the answer's", ProviderFault.INFLATED_TOKENS);
    }

    @Test
    void aReceiptPricedAboveTheMaximumIsRefused() throws IOException {
        refusedThrough(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), r.tokensOut(), r.outputHash(),
                r.price().add(BigInteger.valueOf(1_000)), r.channelId(), r.cumulativeAmount()), "above the maximum",
                ProviderFault.OVERCHARGED);
    }

    @Test
    void aReceiptForAnotherRequestIsRefused() throws IOException {
        refusedThrough(r -> new Receipt(keccak("another body"), r.modelId(), r.tokensIn(), r.tokensOut(), r.outputHash(),
                r.price(), r.channelId(), r.cumulativeAmount()), "not the keccak of the body sent",
                ProviderFault.BAD_RECEIPT);
    }

    @Test
    void aReceiptPricedAboveTheOffersPricesIsRefusedAsAnOvercharge() throws IOException {
        // Within the maximum paid for, but more than the offer the request was routed on promised for these tokens.
        ChannelParams channel = open(1_000_000);
        HttpServer hostile = hostile(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), r.tokensOut(),
                r.outputHash(), r.price().add(BigInteger.ONE), r.channelId(), r.cumulativeAmount()), new AtomicInteger());
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + hostile.getAddress().getPort()), channel)) {
            assertThatThrownBy(() -> remote.generate(chat("Hello there"), Optional.of(new OfferTerms(PRICES, 512)),
                    TextSink.DISCARD)).isInstanceOfSatisfying(ProviderCheated.class,
                    e -> assertThat(e.fault()).isEqualTo(ProviderFault.OVERCHARGED))
                    .hasMessageContaining("its offer's prices make");
        } finally {
            hostile.stop(0);
        }
        assertThat(receipts.all()).isEmpty();
    }

    @Test
    void aToolCallOrReasoningTheReceiptDoesNotCoverIsRefused() throws IOException {
        for (UnaryOperator<ObjectNode> inject : List.<UnaryOperator<ObjectNode>>of(
                last -> {
                    ((ObjectNode) last.get("message")).putArray("tool_calls").addObject().putObject("function")
                            .put("name", "transfer_funds").putObject("arguments").put("to", "0xattacker");
                    return last;
                },
                last -> {
                    ((ObjectNode) last.get("message")).put("thinking", "a reasoning nobody signed");
                    return last;
                })) {
            ChannelParams channel = open(1_000_000);
            HttpServer hostile = hostile(UnaryOperator.identity(), inject, new AtomicInteger());
            try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + hostile.getAddress().getPort()),
                    channel)) {
                assertThatThrownBy(() -> remote.generate(chat("Hello there"), TextSink.DISCARD))
                        .isInstanceOf(GatewayException.class).hasMessageContaining("sent a receipt that was refused")
                        .hasMessageContaining("is not the keccak of the answer received");
            } finally {
                hostile.stop(0);
            }
        }
        assertThat(receipts.all()).isEmpty();
    }

    @Test
    void embeddingsArePaidPerInputTokenWithAReceiptOverTheVectors() {
        ChannelParams channel = open(1_000_000);
        EmbedCall call = embed("fortune favours the bold", "and a second input");
        Embeddings direct = backend.embed(call);
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + server.port()), channel)) {
            Embeddings bought = remote.embed(call);
            assertThat(bought.vectors()).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(bought.vectors().get(i)).containsExactly(direct.vectors().get(i));
            }
            assertThat(bought.promptTokens()).isEqualTo(direct.promptTokens());
            Receipt r = receipts.all().getLast().receipt();
            assertThat(r.tokensIn()).isEqualTo(direct.promptTokens());
            assertThat(r.tokensOut()).isZero();
            assertThat(r.outputHash()).isEqualTo(Hex.encode(Hashes.keccak256(direct.canonicalBytes())));
            assertThat(r.price()).isEqualTo(PRICES.cost(direct.promptTokens(), 0));
            assertThat(providerLedger.charged(channel.id())).isEqualTo(r.price());
        }
    }

    @Test
    void anEmbeddingReceiptWithAWrongOutputHashIsRefused() throws IOException {
        embeddingsRefusedThrough(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), r.tokensOut(),
                keccak("other vectors"), r.price(), r.channelId(), r.cumulativeAmount()), UnaryOperator.identity(),
                "output hash", "is not the keccak of the vectors received");
    }

    @Test
    void anEmbeddingReceiptClaimingOutputTokensIsRefused() throws IOException {
        embeddingsRefusedThrough(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), 3, r.outputHash(),
                r.price(), r.channelId(), r.cumulativeAmount()), UnaryOperator.identity(), "tokens in/out",
                "differ from the answer's");
    }

    @Test
    void aProviderReturningAVectorTooFewIsRefused() throws IOException {
        embeddingsRefusedThrough(UnaryOperator.identity(), o -> {
            ((ArrayNode) o.get("embeddings")).remove(1);
            return o;
        }, "holds 1 vectors for 2 inputs", "embeddings answer");
    }

    @Test
    void aProviderReturningVectorsOfDifferentDimensionsIsRefused() throws IOException {
        embeddingsRefusedThrough(UnaryOperator.identity(), o -> {
            ArrayNode second = (ArrayNode) o.get("embeddings").get(1);
            second.remove(second.size() - 1);
            return o;
        }, "vector 1 has", "dimensions, vector 0 has");
    }

    @Test
    void aProviderReturningANonNumberInAVectorIsRefused() throws IOException {
        embeddingsRefusedThrough(UnaryOperator.identity(), o -> {
            ((ArrayNode) o.get("embeddings").get(0)).set(0, "NaN");
            return o;
        }, "vector 0 element 0 is not a finite float", "embeddings answer");
    }

    /** Buys embeddings through a proxy that changes the receipt and the body; the answer must be refused, unstored. */
    private void embeddingsRefusedThrough(UnaryOperator<Receipt> tamper, UnaryOperator<ObjectNode> body, String... expected)
            throws IOException {
        ChannelParams channel = open(1_000_000);
        HttpServer hostile = hostile(tamper, body, new AtomicInteger());
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + hostile.getAddress().getPort()), channel)) {
            assertThatThrownBy(() -> remote.embed(embed("fortune favours the bold", "and a second input")))
                    .isInstanceOf(GatewayException.class).message().contains(expected);
        } finally {
            hostile.stop(0);
        }
        assertThat(receipts.all()).isEmpty();
    }

    @Test
    void knowingTheOfferThePayerPaysInTheFirstRequestAndRisksAtMostItsOwnBound() throws IOException {
        ChannelParams channel = open(1_000_000);
        AtomicInteger unpaid = new AtomicInteger();
        HttpServer relay = hostile(UnaryOperator.identity(), unpaid);
        OfferTerms offered = new OfferTerms(PRICES, 512);
        BigInteger providerStart = as(provider).payment().balanceOf(provider.getAddress());
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + relay.getAddress().getPort()), channel)) {
            for (String p : new String[] {"Hello there", "What is a payment channel?"}) {
                GenerateCall call = chat(p);
                BigInteger bound = offered.maximum(call, OllamaRequestBody.of(call));
                // The bound is above what the provider itself asks (it counts tokens, the payer counts bytes).
                assertThat(bound).isGreaterThanOrEqualTo(PRICES.maximum(backend.budget(call)));
                Completion c = remote.generate(call, Optional.of(offered), TextSink.DISCARD);
                remote.awaitSignedAhead();
                Receipt r = receipts.all().getLast().receipt();
                assertThat(r.price()).isEqualTo(PRICES.cost(c.promptTokens(), c.generatedTokens()));
                // The voucher paid what was charged before plus this request's bound ...
                assertThat(providerLedger.best(channel.id()).orElseThrow().cumulativeAmount())
                        .isEqualTo(r.cumulativeAmount().subtract(r.price()).add(bound));
                // ... and the next one, signed ahead, pays what is charged now plus the same bound: one maximum at risk.
                assertThat(payerLedger.signedTotal(channel.id())).isEqualTo(r.cumulativeAmount().add(bound));
            }
        } finally {
            relay.stop(0);
        }
        assertThat(unpaid).hasValue(0);
        BigInteger sum = receipts.all().stream().map(s -> s.receipt().price()).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(redeemer().redeemAll()).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
        assertThat(as(provider).payment().balanceOf(provider.getAddress()).subtract(providerStart)).isEqualTo(sum);
    }

    @Test
    void aRequestLikeTheLastIsPaidWithTheVoucherSignedAheadAndSignsNothingOnItsPath() throws IOException {
        ChannelParams channel = open(1_000_000);
        OfferTerms offered = new OfferTerms(PRICES, 512);
        List<String> signedOn = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        payerLedger.track(channel, as(payer).channels().state(channel.id()).deposit());
        try (RemoteBackend remote = new RemoteBackend(new RemoteProvider(URI.create("http://127.0.0.1:" + server.port()), addr(provider), channel,
                channelsContract(), receiptDomain()), payerLedger, receipts, typed -> {
                    signedOn.add(Thread.currentThread().getName());
                    return sender(payer).signTypedData(typed);
                }, ChannelFunds.NONE, ProviderHttp.plain(), Clock.systemUTC())) {
            GenerateCall call = chat("Hello there");
            BigInteger bound = offered.maximum(call, OllamaRequestBody.of(call));
            for (int i = 0; i < 3; i++) {
                remote.generate(call, Optional.of(offered), TextSink.DISCARD);
                remote.awaitSignedAhead();
                assertThat(payerLedger.signedTotal(channel.id()))
                        .isEqualTo(receipts.all().getLast().receipt().cumulativeAmount().add(bound));
            }
        }
        String caller = Thread.currentThread().getName();
        // Only the first request signed on its own path; each answer signed the next voucher off it.
        assertThat(signedOn.stream().filter(caller::equals)).hasSize(1);
        assertThat(signedOn.stream().filter("voucher-ahead"::equals)).hasSize(3);
        assertThat(receipts.all()).hasSize(3);
        BigInteger sum = receipts.all().stream().map(s -> s.receipt().price()).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(redeemer().redeemAll()).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
        assertThat(as(payer).channels().state(channel.id()).redeemed()).isEqualTo(sum);
    }

    @Test
    void aBoundShortOfTheProvidersMaximumIsPaidAgainAtThePriceIts402States() throws IOException {
        // The offer states a context of 1 token, so a call without a token limit is bounded far below what the provider
        // prices (its model's context): the provider refuses that voucher with a 402 naming its maximum, which the payer
        // then pays; no unpaid request is ever sent.
        ChannelParams channel = open(1_000_000);
        AtomicInteger unpaid = new AtomicInteger();
        HttpServer relay = hostile(UnaryOperator.identity(), unpaid);
        GenerateCall call = new GenerateCall(MODEL, new Prompt.Chat(List.of(new Prompt.Message("user", "Hi"))),
                SamplingOptions.defaults().withSeed(3), GenerateCall.UNLIMITED, List.of(), OptionalInt.empty(),
                KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
        BigInteger maximum = PRICES.maximum(backend.budget(call));
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + relay.getAddress().getPort()), channel)) {
            Completion c = remote.generate(call, Optional.of(new OfferTerms(PRICES, 1)), TextSink.DISCARD);
            assertThat(receipts.all()).singleElement().satisfies(s ->
                    assertThat(s.receipt().price()).isEqualTo(PRICES.cost(c.promptTokens(), c.generatedTokens())));
        } finally {
            relay.stop(0);
        }
        assertThat(unpaid).hasValue(0);
        assertThat(payerLedger.signedTotal(channel.id())).isEqualTo(maximum);
    }

    @Test
    void aDepositThatCoversThePriceButNotTheBoundIsPaidAtTheProvidersPrice() throws IOException {
        GenerateCall call = chat("Hello there");
        BigInteger maximum = PRICES.maximum(backend.budget(call));
        OfferTerms offered = new OfferTerms(PRICES, 512);
        assertThat(offered.maximum(call, OllamaRequestBody.of(call))).isGreaterThan(maximum);
        // Exactly the provider's maximum: the bound would need a top-up, the price does not.
        ChannelParams channel = open(maximum.longValueExact());
        AtomicInteger unpaid = new AtomicInteger();
        HttpServer relay = hostile(UnaryOperator.identity(), unpaid);
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + relay.getAddress().getPort()), channel)) {
            remote.generate(call, Optional.of(offered), TextSink.DISCARD);
        } finally {
            relay.stop(0);
        }
        assertThat(unpaid).hasValue(1);
        assertThat(receipts.all()).hasSize(1);
        assertThat(payerLedger.signedTotal(channel.id())).isEqualTo(maximum);
    }

    /** Runs a chat through a proxy that re-signs the real receipt after {@code tamper}; the answer must be refused. */
    private void refusedThrough(UnaryOperator<Receipt> tamper, String expected, ProviderFault fault) throws IOException {
        ChannelParams channel = open(1_000_000);
        HttpServer hostile = hostile(tamper, new AtomicInteger());
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + hostile.getAddress().getPort()), channel)) {
            // A non-streaming caller gets no answer at all; a streaming one has seen the text, and its stream ends
            // with this error instead of the answer's last line.
            assertThatThrownBy(() -> remote.generate(chat("Hello there"), TextSink.DISCARD))
                    .isInstanceOfSatisfying(ProviderCheated.class, e -> {
                        assertThat(e.fault()).isEqualTo(fault);
                        assertThat(e.delivered()).isTrue();
                    })
                    .hasMessageContaining("sent a receipt that was refused").hasMessageContaining(expected);
        } finally {
            hostile.stop(0);
        }
        assertThat(receipts.all()).isEmpty();
    }

    @Test
    void afterARefusedReceiptTheNextAnswerOnTheChannelPaysWhatTheProviderChargedAndNoMore() throws IOException {
        // The provider charged the refused answer (the payer stored no receipt for it), so the payer's own books are
        // behind the provider's: the next voucher it signs is short, the provider's 402 says what it has charged, and
        // the payer concedes that (never more than it ever signed) and pays again once.
        ChannelParams channel = open(1_000_000);
        HttpServer hostile = hostile(r -> new Receipt(r.requestHash(), r.modelId(), r.tokensIn(), r.tokensOut() + 5,
                r.outputHash(), r.price(), r.channelId(), r.cumulativeAmount()), new AtomicInteger());
        try (RemoteBackend cheat = remote(URI.create("http://127.0.0.1:" + hostile.getAddress().getPort()), channel)) {
            assertThatThrownBy(() -> cheat.generate(chat("Hello there"), TextSink.DISCARD))
                    .isInstanceOf(ProviderCheated.class);
        } finally {
            hostile.stop(0);
        }
        BigInteger chargedForTheRefused = providerLedger.charged(channel.id());
        assertThat(chargedForTheRefused).isPositive();
        try (RemoteBackend honest = remote(URI.create("http://127.0.0.1:" + server.port()), channel)) {
            for (String p : List.of("What is a payment channel?", "Say something else")) {
                GenerateCall call = chat(p);
                BigInteger maximum = PRICES.maximum(backend.budget(call));
                Completion c = honest.generate(call, TextSink.DISCARD);
                Receipt r = receipts.all().getLast().receipt();
                assertThat(r.price()).isEqualTo(PRICES.cost(c.promptTokens(), c.generatedTokens()));
                assertThat(r.cumulativeAmount()).isEqualTo(providerLedger.charged(channel.id()));
                assertThat(payerLedger.signedTotal(channel.id())).isLessThanOrEqualTo(r.cumulativeAmount().add(maximum));
            }
        }
        assertThat(receipts.all()).hasSize(2);
    }

    @Test
    void aProviderClaimingMoreChargedThanTheChannelWasEverPromisedIsCaught() throws IOException {
        ChannelParams channel = open(1_000_000);
        // A provider whose 402 claims a charge beyond every voucher the payer signed on the channel.
        HttpServer liar = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        liar.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                String header = PaymentHeaders.paymentRequired("short", "/provider/v1/chat", "an answer",
                        List.of(new PaymentRequirement(deployment.chainId(), token(), addr(provider),
                                BigInteger.valueOf(100), channelsContract(), 60)),
                        Optional.of(BigInteger.valueOf(900_000)));
                ex.getResponseHeaders().add(PaymentHeaders.PAYMENT_REQUIRED, header);
                ex.sendResponseHeaders(402, -1);
            }
        });
        liar.start();
        try (RemoteBackend remote = remote(URI.create("http://127.0.0.1:" + liar.getAddress().getPort()), channel)) {
            assertThatThrownBy(() -> remote.generate(chat("Hello there"), TextSink.DISCARD))
                    .isInstanceOfSatisfying(ProviderCheated.class,
                            e -> assertThat(e.fault()).isEqualTo(ProviderFault.WRONG_TERMS))
                    .hasMessageContaining("900000");
        } finally {
            liar.stop(0);
        }
        assertThat(payerLedger.signedTotal(channel.id())).isLessThanOrEqualTo(BigInteger.valueOf(100));
    }

    /**
     * A verifiable model's answer is paid for only with an opML commitment a challenge can use: the honest one is
     * accepted and stored; one omitted, one signed by a key other than the provider's registered one, and one that
     * commits to another model's weight root are each refused, nothing stored and the payer out at most the one
     * maximum the request risked (review: such a provider was paid and could never be slashed).
     */
    @Test
    void aVerifiableAnswerIsAcceptedOnlyWithACommitmentAChallengeCanUse() {
        String name = "intlm-11";
        Address verifier = Address.parse(deployment.address("OpmlVerifier"));
        OpmlBackend honest = new OpmlBackend(backend, List.of(name), OpmlCheat.NONE, addr(provider), provider,
                deployment.chainId(), verifier, new OpmlAnswerLog(dir.resolve("opml"), 100));
        GenerateCall call = new GenerateCall(name, new Prompt.Chat(List.of(new Prompt.Message("user", "hi"))),
                SamplingOptions.defaults().withSeed(3), MAX_NEW, List.of(), OptionalInt.empty(), KeepAlive.DEFAULT,
                GenerateCall.Format.TEXT);
        BigInteger maximum = PRICES.maximum(honest.budget(call));
        IntLm model = IntLmModels.parse(name);

        assertThat(buy(honest, c -> c, call, verifier)).isNull();
        assertThat(receipts.opmlAfter(0, 10)).hasSize(1);

        record Cheat(String caught, UnaryOperator<Optional<OpmlCommitment>> tamper) {}
        for (Cheat cheat : List.of(new Cheat("came without an opML commitment", c -> Optional.empty()),
                new Cheat("not the provider's registered signing key", c -> resigned(c.orElseThrow(),
                        devnet.account(7), model.weights().root(), verifier)),
                new Cheat("not intlm-11's weight root", c -> resigned(c.orElseThrow(), provider,
                        IntLmModels.parse("intlm-12").weights().root(), verifier)))) {
            int stored = receipts.all().size();
            ChannelParams channel = open(1_000_000);
            ProviderCheated refused = buy(honest, cheat.tamper(), call, verifier, channel);
            assertThat(refused).as(cheat.caught()).isNotNull();
            assertThat(refused.fault()).isEqualTo(ProviderFault.BAD_RECEIPT);
            assertThat(refused).hasMessageContaining("opML commitment was refused")
                    .hasMessageContaining(cheat.caught());
            assertThat(receipts.all()).hasSize(stored);
            assertThat(payerLedger.signedTotal(channel.id())).isLessThanOrEqualTo(maximum);
        }
    }

    private ProviderCheated buy(OpmlBackend honest, UnaryOperator<Optional<OpmlCommitment>> tamper, GenerateCall call,
                                Address verifier) {
        return buy(honest, tamper, call, verifier, open(1_000_000));
    }

    /** Buys {@code call} from a provider whose commitments {@code tamper} changes; what it was caught at, or null. */
    private ProviderCheated buy(OpmlBackend honest, UnaryOperator<Optional<OpmlCommitment>> tamper, GenerateCall call,
                                Address verifier, ChannelParams channel) {
        ApiServer cheater = providerServer(new Committing(honest, tamper));
        payerLedger.track(channel, as(payer).channels().state(channel.id()).deposit());
        try (RemoteBackend remote = new RemoteBackend(new RemoteProvider(URI.create("http://127.0.0.1:"
                + cheater.port()), addr(provider), channel, channelsContract(), receiptDomain(), Optional.of(verifier)),
                payerLedger, receipts, sender(payer)::signTypedData, ChannelFunds.NONE, ProviderHttp.plain(),
                Clock.systemUTC())) {
            remote.generate(call, TextSink.DISCARD);
            return null;
        } catch (ProviderCheated caught) {
            return caught;
        } finally {
            cheater.close();
        }
    }

    /** The commitment {@code c} re-signed by {@code key} with model root {@code root} (a provider cheating on it). */
    private static Optional<OpmlCommitment> resigned(OpmlCommitment c, Credentials key, byte[] root, Address verifier) {
        OpmlAnswer a = new OpmlProvider(c.receipt().provider(), key, IntLmModels.parse("intlm-11"), root,
                deployment.chainId(), verifier).answerWith(c.prompt(), c.output(), c.receipt().seed(),
                c.receipt().requestId());
        return Optional.of(new OpmlCommitment(a.receipt(), a.signature(), a.prompt(), a.output()));
    }

    /** An opML backend whose commitments are changed by {@code tamper} before they reach the receipt. */
    private static final class Committing extends ForwardingBackend implements AnswerCommitter {
        private final OpmlBackend honest;
        private final UnaryOperator<Optional<OpmlCommitment>> tamper;

        Committing(OpmlBackend honest, UnaryOperator<Optional<OpmlCommitment>> tamper) {
            super(honest);
            this.honest = honest;
            this.tamper = tamper;
        }

        @Override
        public Optional<OpmlCommitment> commit(GenerateCall call, Completion answer, byte[] requestHash) {
            return tamper.apply(honest.commit(call, answer, requestHash));
        }
    }

    private static EmbedCall embed(String... inputs) {
        return new EmbedCall(MODEL, List.of(inputs), true, KeepAlive.DEFAULT);
    }

    private HttpServer hostile(UnaryOperator<Receipt> tamper, AtomicInteger unpaid) throws IOException {
        return hostile(tamper, UnaryOperator.identity(), unpaid);
    }

    /**
     * A loopback provider that forwards to the real one and replays its answer with a tampered, re-signed receipt and,
     * for a one-object JSON answer (embeddings), that object changed by {@code tamperBody}; for a streamed answer, its
     * last line (the one carrying the receipt); counting the requests that came without a payment.
     */
    private HttpServer hostile(UnaryOperator<Receipt> tamper, UnaryOperator<ObjectNode> tamperBody, AtomicInteger unpaid)
            throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        HttpClient http = HttpClient.newHttpClient();
        s.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + ex.getRequestURI().getPath())).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                String pay = ex.getRequestHeaders().getFirst(PaymentHeaders.PAYMENT_SIGNATURE);
                if (pay != null) {
                    b.header(PaymentHeaders.PAYMENT_SIGNATURE, pay);
                } else {
                    unpaid.incrementAndGet();
                }
                HttpResponse<byte[]> real = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                real.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED)
                        .ifPresent(v -> ex.getResponseHeaders().add(PaymentHeaders.PAYMENT_REQUIRED, v));
                real.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).ifPresent(v ->
                        ex.getResponseHeaders().add(ReceiptHeaders.PAYMENT_RESPONSE, resigned(v, tamper)));
                // A streamed answer carries its receipt in the last line: tamper with that one.
                StringBuilder replayed = new StringBuilder();
                for (String line : new String(real.body(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.contains(ReceiptHeaders.STREAM_FIELD)) {
                        ObjectNode o = tamperBody.apply((ObjectNode) JSON.readTree(line));
                        o.put(ReceiptHeaders.STREAM_FIELD, resigned(o.get(ReceiptHeaders.STREAM_FIELD).asText(), tamper));
                        line = JSON.writeValueAsString(o);
                    }
                    replayed.append(line).append('\n');
                }
                boolean embeddings = ex.getRequestURI().getPath().endsWith("/embed");
                byte[] bytes = real.statusCode() != 200 ? real.body() : embeddings
                        ? JSON.writeValueAsBytes(tamperBody.apply((ObjectNode) JSON.readTree(real.body())))
                        : replayed.toString().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", real.statusCode() == 200 ? "application/x-ndjson"
                        : "application/json");
                ex.sendResponseHeaders(real.statusCode(), bytes.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        s.start();
        return s;
    }

    /** The receipt in {@code header}, changed by {@code tamper} and re-signed with the provider's real key. */
    private String resigned(String header, UnaryOperator<Receipt> tamper) {
        Receipt changed = tamper.apply(ReceiptHeaders.parse(header).receipt());
        return ReceiptHeaders.encode(deployment.chainId(), new ReceiptHeaders.SignedReceipt(changed, addr(provider),
                receiptDomain().sign(changed, sender(provider)::signTypedData)));
    }

    private RemoteBackend remote(URI url, ChannelParams channel) {
        return remote(url, channel, ProviderHttp.plain());
    }

    private RemoteBackend remote(URI url, ChannelParams channel, ProviderHttp http) {
        payerLedger.track(channel, as(payer).channels().state(channel.id()).deposit());
        return new RemoteBackend(new RemoteProvider(url, addr(provider), channel, channelsContract(), receiptDomain()),
                payerLedger, receipts, sender(payer)::signTypedData, ChannelFunds.NONE, http, Clock.systemUTC());
    }

    private static GenerateCall chat(String text) {
        return new GenerateCall(MODEL, new Prompt.Chat(List.of(new Prompt.Message("user", text))),
                SamplingOptions.defaults().withSeed(3), MAX_NEW, List.of(), OptionalInt.empty(), KeepAlive.DEFAULT,
                GenerateCall.Format.TEXT);
    }

    private ChannelParams open(long deposit) {
        ChannelParams c = new ChannelParams(addr(payer), addr(provider), token(), addr(payer),
                ChannelParams.salt(SALTS.getAndIncrement()));
        as(payer).channels().open(c, BigInteger.valueOf(deposit));
        return c;
    }

    private Redeemer redeemer() {
        var channels = as(provider).channels();
        return new Redeemer(providerLedger, new Redeemer.Channels() {
            @Override
            public void redeem(ProviderLedger.Redeemable r) {
                channels.redeemUpTo(r.channel(), r.voucher(), r.claim());
            }

            @Override
            public dev.hypha.chain.channels.ChannelState state(String channelId) {
                return channels.state(channelId);
            }
        });
    }

    private static ReceiptDomain receiptDomain() {
        return new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")));
    }

    private static Address channelsContract() {
        return Address.parse(deployment.address("PaymentChannels"));
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

    private static String keccak(String s) {
        return Hex.encode(Hashes.keccak256(s.getBytes(StandardCharsets.UTF_8)));
    }
}

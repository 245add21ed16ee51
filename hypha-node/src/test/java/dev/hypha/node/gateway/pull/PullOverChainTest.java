package dev.hypha.node.gateway.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedBlocks;
import dev.hypha.node.devnet.DevProvider;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.network.ProviderTransport;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.node.offers.OfferPublisher;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.transport.ProviderTls;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Pulling hypha-tiny (3 leaves of the unixfs-v1-2025 profile) from the network as a gateway does it: two honest
 * providers ({@link ProviderService} over TLS bound to their keys, serving {@link BlockRoutes} beside the paid routes)
 * and one that flips a byte in every leaf it sends, all three staked, registered and offering the model on the real
 * OfferRegistry on anvil; the gateway finds them through {@link ChainOffers} only.
 */
class PullOverChainTest {
    private static final String MODEL = "hypha-tiny:latest";
    private static final Prices PRICES = new Prices(BigInteger.ONE, BigInteger.ONE);

    @TempDir
    static Path dir;
    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static ScheduledExecutorService scheduler;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static Path original;
    private static ContentId cid;
    private static BlockRoutes honestA;
    private static BlockRoutes honestB;
    private static final AtomicInteger CORRUPTED = new AtomicInteger();
    /**
     * Opened when the liar is first asked for a leaf. Honest providers hold their leaves until then, so a faster honest
     * worker cannot take the liar's leaf before the liar's own worker asks for it, and every run sees it lie.
     */
    private static final CountDownLatch LIAR_ASKED = new CountDownLatch(1);
    private static Address liar;
    private static LocalBackend providerEngine;

    @BeforeAll
    static void network() throws IOException {
        original = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = PullOverChainTest.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, original);
        }
        cid = ContentIds.of(original);
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
        honestA = honestProvider(1);
        honestB = honestProvider(2);
        liar = corruptingProvider(3);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : OPEN.reversed()) c.close();
        scheduler.shutdownNow();
        chain.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    /** A home whose store holds hypha-tiny. */
    private static ModelStore storeWithModel(String home) {
        ModelStore store = new ModelStore(dir.resolve(home), Clock.systemUTC());
        store.importModel(original, ModelName.parse(MODEL), (done, total) -> { });
        return store;
    }

    /** A real provider: the paid routes and the store's blocks on one TLS server, registered and offering the model. */
    private static BlockRoutes honestProvider(int account) {
        Credentials key = devnet.account(account);
        Address address = Address.parse(key.getAddress());
        ModelStore store = storeWithModel("provider-" + account);
        LocalBackend engine = new LocalBackend(store, LocalBackend.Settings.defaults());
        OPEN.add(engine);
        if (providerEngine == null) providerEngine = engine;
        BlockRoutes blocks = BlockRoutes.forStore(store, dir.resolve("provider-" + account));
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), Address.parse(deployment.address("PaymentToken")),
                address, Address.parse(deployment.address("PaymentChannels")), PRICES, 60);
        ProviderService service = ProviderService.start(engine, terms, as(key).channels(),
                new ReceiptSigner(new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry"))),
                        address, sender(key)::signTypedData),
                dir.resolve("provider-" + account).resolve("ledger.sqlite"), "127.0.0.1", 0,
                ProviderTls.server(key, deployment.chainId(), address, Clock.systemUTC()), Clock.systemUTC(),
                List.of(holdLeavesUntilTheLiarIsAsked(), blocks));
        OPEN.add(service);
        offer(key, service.endpoint());
        return blocks;
    }

    /** Makes a provider's leaf requests wait (at most 20 s, then serve anyway) until the liar was asked for one. */
    private static ApiRoutes holdLeavesUntilTheLiarIsAsked() {
        return (Javalin api) -> api.before("/ipfs/{cid}", ctx -> {
            if (ContentId.parse(ctx.pathParam("cid")).codec() == ContentId.RAW) {
                LIAR_ASKED.await(20, TimeUnit.SECONDS);
            }
        });
    }

    /** A provider that offers the model and serves its blocks with one byte of every leaf flipped (plain HTTP, loopback). */
    private static Address corruptingProvider(int account) {
        Credentials key = devnet.account(account);
        ModelStore store = storeWithModel("liar-" + account);
        ServedBlocks served = new ServedBlocks(store, dir.resolve("liar-" + account).resolve("blocks"), Clock.systemUTC());
        ApiRoutes lying = (Javalin api) -> api.get("/ipfs/{cid}", ctx -> {
            ContentId asked = ContentId.parse(ctx.pathParam("cid"));
            byte[] block = served.block(asked).orElse(null);
            if (block == null) {
                ctx.status(404);
                return;
            }
            if (asked.codec() == ContentId.RAW) {
                block[block.length / 2] ^= 1;
                CORRUPTED.incrementAndGet();
                LIAR_ASKED.countDown();
            }
            ctx.contentType(BlockRoutes.RAW_BLOCK).result(block);
        });
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(lying));
        server.start();
        OPEN.add(server);
        offer(key, URI.create("http://127.0.0.1:" + server.port()));
        return Address.parse(key.getAddress());
    }

    private static void offer(Credentials key, URI endpoint) {
        as(devnet.account(0)).hyp().transfer(key.getAddress(), Deployer.hyp(2_000)); // stake money
        DevProvider.ensureRegistered(as(key), endpoint, line -> { });
        OPEN.add(OfferPublisher.start(as(key).offers(), List.of(new OfferTerms(Hex.encode(cid.multihash().digest()),
                deployment.address(PaymentTokenClient.NAME), MODEL, BigInteger.ONE, BigInteger.ONE, 2048, 4)),
                scheduler, Duration.ofSeconds(20)));
    }

    private static OfferSource chainOffers() {
        HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
        return new ChainOffers(reader.offers(), reader.registry());
    }

    private static Puller puller(ModelStore store, OfferSource offers) {
        return new Puller(store, offers, o -> ProviderTransport.clientFor(o, deployment.chainId(), Clock.systemUTC()),
                // One worker per provider: each asks for its own dealt leaf first (two could steal the liar's).
                ProviderTransport::usable, Clock.systemUTC(), new Puller.Settings(1, 8, 1L << 40));
    }

    /** A gateway over a fresh home: /api/pull from the chain's offers, the Ollama routes over the home's own store. */
    private record Gateway(ModelStore store, ApiServer server) {
        String base() {
            return "http://127.0.0.1:" + server.port();
        }
    }

    private static Gateway gateway(String home) {
        ModelStore store = new ModelStore(dir.resolve(home), Clock.systemUTC());
        LocalBackend local = new LocalBackend(store, LocalBackend.Settings.defaults());
        OPEN.add(local);
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(local),
                PullRoutes.network(puller(store, chainOffers()))));
        server.start();
        OPEN.add(server);
        return new Gateway(store, server);
    }

    private static HttpResponse<String> post(Gateway g, String body) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create(g.base() + "/api/pull"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static List<JsonNode> lines(String ndjson) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ndjson.split("\n")) if (!line.isBlank()) out.add(JsonBody.parse(line.getBytes()));
        return out;
    }

    @Test
    void pullsFromSeveralProvidersDropsTheOneSendingBadBlocksAndThePulledModelAnswersLocally() throws Exception {
        Gateway g = gateway("gateway-1");
        int servedBefore = honestA.blocksServed() + honestB.blocksServed();

        HttpResponse<String> response = post(g, "{\"model\": \"hypha-tiny\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("ndjson"));
        List<JsonNode> lines = lines(response.body());
        assertThat(lines.getFirst().path("status").asText()).isEqualTo("pulling manifest");
        List<JsonNode> progress = lines.stream().filter(l -> l.has("digest")).toList();
        assertThat(progress).isNotEmpty().allSatisfy(l -> {
            assertThat(l.path("digest").asText()).isEqualTo(cid.toString());
            assertThat(l.path("total").asLong()).isEqualTo(Files.size(original));
            assertThat(l.path("status").asText()).isEqualTo("pulling " + cid.toString().substring(cid.toString().length() - 12));
        });
        assertThat(progress.getLast().path("completed").asLong()).isEqualTo(Files.size(original));
        assertThat(progress).extracting(l -> l.path("completed").asLong()).isSorted();
        assertThat(lines.subList(lines.size() - 3, lines.size())).extracting(l -> l.path("status").asText())
                .containsExactly("verifying content id", "writing manifest", "success");
        assertThat(lines).noneMatch(l -> l.has("error"));

        // The liar was dealt a leaf (3 leaves, 3 providers), sent it corrupted, and the honest ones delivered all.
        assertThat(CORRUPTED.get()).isPositive();
        assertThat(honestA.blocksServed()).isPositive();
        assertThat(honestB.blocksServed()).isPositive();
        assertThat(honestA.blocksServed() + honestB.blocksServed() - servedBefore).isGreaterThanOrEqualTo(3);

        Path blob = g.store().resolve(ModelName.parse(MODEL));
        assertThat(Files.readAllBytes(blob)).isEqualTo(Files.readAllBytes(original));
        assertThat(ContentIds.of(blob)).isEqualTo(cid);
        assertThat(g.store().show(ModelName.parse(MODEL)).cid()).isEqualTo(cid);
        assertThat(g.store().pullFolder()).as("journal and partial file are gone").isEmptyDirectory();

        // The pulled model answers /api/generate from this gateway's own store, as the provider's copy does.
        OllamaLanguageModel pulled = OllamaLanguageModel.builder().baseUrl(g.base()).modelName("hypha-tiny")
                .temperature(0.0).numPredict(12).maxRetries(0).build();
        String answer = pulled.generate("Tell me a fortune").content();
        ApiServer reference = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(providerEngine)));
        reference.start();
        OPEN.add(reference);
        String expected = OllamaLanguageModel.builder().baseUrl("http://127.0.0.1:" + reference.port())
                .modelName("hypha-tiny").temperature(0.0).numPredict(12).maxRetries(0).build()
                .generate("Tell me a fortune").content();
        assertThat(answer).isNotBlank().isEqualTo(expected);

        // Pulling again, by content id and without streaming, finds it stored: success, no block fetched.
        int servedAfter = honestA.blocksServed() + honestB.blocksServed();
        HttpResponse<String> again = post(g, "{\"model\": \"" + cid + "\", \"stream\": false}");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JsonBody.parse(again.body().getBytes()).path("status").asText()).isEqualTo("success");
        assertThat(honestA.blocksServed() + honestB.blocksServed()).isEqualTo(servedAfter);
    }

    @Test
    void aNameNoOfferCarriesIsA404InOllamasErrorShape() throws Exception {
        Gateway g = gateway("gateway-2");
        HttpResponse<String> streamed = post(g, "{\"model\": \"no-such-model\"}");
        assertThat(streamed.statusCode()).isEqualTo(404);
        assertThat(JsonBody.parse(streamed.body().getBytes()).path("error").asText())
                .contains("'no-such-model:latest' is not offered on the network");
        HttpResponse<String> quiet = post(g, "{\"model\": \"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e\", \"stream\": false}");
        assertThat(quiet.statusCode()).isEqualTo(404);
        assertThat(JsonBody.parse(quiet.body().getBytes()).path("error").asText()).contains("no provider offers content");
        HttpResponse<String> missing = post(g, "{\"stream\": false}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JsonBody.parse(missing.body().getBytes()).path("error").asText()).isEqualTo("model is required");
    }

    @Test
    void anInterruptedPullResumesWithoutFetchingVerifiedChunksAgain() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("gateway-3"), Clock.systemUTC());
        // The honest providers only, so every block asked for is one a counter sees.
        OfferSource honest = () -> chainOffers().offers().stream().filter(o -> !o.provider().equals(liar)).toList();
        Puller puller = puller(store, honest);
        int before = honestA.blocksServed() + honestB.blocksServed();
        long[] resumedFrom = {-1};

        // The client goes away after the first chunk arrives (as a closed connection makes the stream's write throw).
        assertThatThrownBy(() -> puller.pull(MODEL, s -> {
            if (s.digest() != null && s.completed() > 0) throw new IllegalStateException("client gone");
        })).hasMessage("client gone");
        assertThat(store.find(ModelName.parse(MODEL))).isEmpty();
        assertThat(store.pullFolder().resolve(cid + ".journal")).exists();
        int firstRun = honestA.blocksServed() + honestB.blocksServed() - before;

        Puller.Result result = puller.pull(MODEL, s -> {
            if (s.digest() != null && resumedFrom[0] < 0) resumedFrom[0] = s.completed();
        });
        int secondRun = honestA.blocksServed() + honestB.blocksServed() - before - firstRun;

        assertThat(resumedFrom[0]).as("the resumed pull starts from what the first one wrote").isPositive();
        // Each run fetches the root once; the 3 leaves are fetched once over both runs, never twice.
        assertThat(firstRun + secondRun).isEqualTo(2 + 3);
        assertThat(result.blocksByProvider().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(secondRun);
        assertThat(Files.readAllBytes(store.resolve(ModelName.parse(MODEL)))).isEqualTo(Files.readAllBytes(original));
    }

    @Test
    void aLocalOnlyGatewaySaysItDoesNotPull() throws Exception {
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(PullRoutes.localOnly()));
        server.start();
        OPEN.add(server);
        HttpResponse<String> r = post(new Gateway(null, server), "{\"model\": \"hypha-tiny\"}");
        assertThat(r.statusCode()).isEqualTo(503);
        ObjectNode body = JsonBody.parse(r.body().getBytes());
        assertThat(body.path("error").asText()).contains("local-only").contains("hypha model import");
    }
}

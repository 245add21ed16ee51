// What the inference network adds to an answer: the same requests to the same engine, (a) called in-process, (b)
// through the gateway's Ollama HTTP API over the local engine, (c) through the gateway's Ollama HTTP API over the
// network backend, which pays a provider (its own HTTP server, over the same engine) through a payment channel on a
// real anvil chain. Then 1, 8 and 64 concurrent streaming clients against (b) and (c), and the chain transactions the
// paid path sent per 1,000 requests. Run it through bench/network-overhead.sh, which builds the shaded jar this program
// runs against (java -cp hypha-cli/target/hypha.jar bench/NetworkOverhead.java ...). See bench/README.md.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
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
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.network.Budget;
import dev.hypha.node.gateway.network.NetworkBackend;
import dev.hypha.node.gateway.network.PayerChannels;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.ProviderTransport;
import dev.hypha.node.gateway.remote.ProviderHttp;
import dev.hypha.node.gateway.network.Router;
import dev.hypha.node.gateway.network.RoutingPolicy;
import dev.hypha.node.gateway.ollama.OllamaRequests;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.transport.ProviderTls;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.web3j.crypto.Credentials;

public final class NetworkOverhead {
    static final String MODEL = "bench:latest";
    static final String PROMPT = "The gateway routes every request to the cheapest live provider and pays it through a "
            + "payment channel, one voucher per answer. Tell me what happens next:";
    static final ObjectMapper JSON = new ObjectMapper();
    /** hypha up's dev prices: 0.1 hUSD per million prompt tokens, 0.2 per million generated tokens. */
    static final Prices PRICES = new Prices(BigInteger.valueOf(100_000), BigInteger.valueOf(200_000));

    record Options(int requests, int warmup, int predict, int dim, int ffn, int layers, int threads, int[] clients,
                   int concurrentRequests, Path dir, boolean tls) {}

    /** One answer as its client saw it. Times in nanoseconds from the moment the request was sent. */
    record Sample(long firstPiece, long lastPiece, long total, int tokens, String text) {
        /** Generation speed as the client sees it: tokens after the first, over the time between first and last piece. */
        double tokensPerSecond() {
            return lastPiece > firstPiece ? (tokens - 1) * 1e9 / (lastPiece - firstPiece) : Double.NaN;
        }
    }

    /** One way to ask for an answer. */
    interface Way {
        Sample ask() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        long runStart = System.nanoTime();
        Path home = Files.createTempDirectory("hypha-netbench-");
        Files.createDirectories(o.dir());
        System.out.printf(Locale.ROOT, "model: qwen2, dim %d, %d layers, ffn %d, Q8_0, byte-level BPE 1000; engine threads %d;"
                + " num_predict %d, temperature 0, seed 42; gateway -> provider over %s%n", o.dim(), o.layers(), o.ffn(),
                o.threads(), o.predict(), o.tls() ? "TLS bound to the provider's key (as hypha up)" : "plain HTTP");
        try {
            measure(o, home);
        } finally {
            try (var files = Files.walk(home)) { // the imported model and the ledgers
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.out.printf(Locale.ROOT, "%nwhole run: %.0f s%n", (System.nanoTime() - runStart) / 1e9);
    }

    static void measure(Options o, Path home) throws Exception {
        ModelStore store = store(home, o);

        System.out.println("starting anvil and deploying the contracts ...");
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl())) {
            NonceManager nonces = new NonceManager(chain);
            Credentials deployer = devnet.account(0);
            Credentials providerKey = devnet.account(1);
            Credentials payerKey = devnet.account(2);
            Deployment deployment = new Deployer(sender(chain, nonces, deployer)).deploy(DeployParams.devnet());
            HyphaContracts asDeployer = HyphaContracts.connect(deployment, sender(chain, nonces, deployer));
            TransactionSender providerSender = sender(chain, nonces, providerKey);
            TransactionSender payerSender = sender(chain, nonces, payerKey);
            HyphaContracts asProvider = HyphaContracts.connect(deployment, providerSender);
            HyphaContracts asPayer = HyphaContracts.connect(deployment, payerSender);
            asDeployer.payment().mint(payerKey.getAddress(), BigInteger.valueOf(100_000_000)); // 100 hUSD

            Address token = Address.parse(deployment.address("PaymentToken"));
            Address channelsContract = Address.parse(deployment.address("PaymentChannels"));
            Address providerAccount = Address.parse(providerKey.getAddress());
            Address payerAccount = Address.parse(payerKey.getAddress());
            ReceiptDomain receiptDomain = new ReceiptDomain(deployment.chainId(),
                    Address.parse(deployment.address("ProviderRegistry")));
            ProviderTerms terms = new ProviderTerms(deployment.chainId(), token, providerAccount, channelsContract,
                    PRICES, 600);
            Model.Options engineOptions = Model.Options.defaults().withThreads(o.threads());

            try (LocalBackend engine = new LocalBackend(store, LocalBackend.Settings.defaults().withEngine(engineOptions));
                 ProviderService provider = ProviderService.start(new Probe(engine, true), terms, asProvider.channels(),
                         new ReceiptSigner(receiptDomain, providerAccount, providerSender::signTypedData),
                         home.resolve("provider-ledger.sqlite"), "127.0.0.1", 0,
                         o.tls() ? ProviderTls.server(providerKey, deployment.chainId(), providerAccount, Clock.systemUTC())
                                 : null, Clock.systemUTC());
                 PayerLedger ledger = PayerLedger.open(home.resolve("payer-ledger.sqlite"),
                         asPayer.channels().voucherDomain());
                 PayerReceipts receipts = PayerReceipts.open(home.resolve("payer-receipts.sqlite"))) {
                String digest = engine.models().getFirst().digest();
                // The provider's offer as hypha up makes it (concurrency 1), live for the whole run.
                Offer offer = new Offer(providerAccount, provider.endpoint(), providerAccount, MODEL,
                        Hex.encode(ContentId.parse(digest).multihash().digest()), token, PRICES.inputPerMillion(),
                        PRICES.outputPerMillion(), 2048, 1, Instant.now().plus(Duration.ofDays(1)));
                PayerChannels channels = new PayerChannels(asPayer.channels(), ledger, payerAccount, Budget.defaults());
                try (NetworkBackend network = new NetworkBackend(() -> List.of(offer),
                        new Router(RoutingPolicy.anyProvider(), Set.of(token), new ProviderStats()),
                        new NetworkBackend.Payer(ledger, receipts, payerSender::signTypedData, channels,
                                channelsContract, receiptDomain),
                        // As hypha up: over TLS, a client that trusts only the provider's registered key.
                        x -> o.tls() ? ProviderTransport.answersClientFor(x, deployment.chainId(), Clock.systemUTC())
                                : ProviderHttp.plain(),
                        Clock.systemUTC())) {
                    ApiServer localGateway = new ApiServer("127.0.0.1", 0,
                            List.of(new GatewayRoutes(new Probe(engine, true))));
                    ApiServer paidGateway = new ApiServer("127.0.0.1", 0,
                            List.of(new GatewayRoutes(new Probe(network, false))));
                    localGateway.start();
                    paidGateway.start();
                    try {
                        Chain before = Chain.read(chain, payerAccount, providerAccount);
                        HttpClient toProvider = o.tls()
                                ? ProviderTransport.clientFor(offer, deployment.chainId(), Clock.systemUTC())
                                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                        run(o, engine, localGateway.port(), paidGateway.port(), chain, payerAccount, providerAccount,
                                before, provider, ledger, receipts, asPayer, payerSender::signTypedData, home, toProvider);
                    } finally {
                        paidGateway.close();
                        localGateway.close();
                    }
                }
            }
        }
    }

    static void run(Options o, LocalBackend engine, int localPort, int paidPort, ChainClient chain, Address payer,
                    Address providerAccount, Chain start, ProviderService provider, PayerLedger ledger,
                    PayerReceipts receipts, HyphaContracts asPayer, Function<TypedData, Signature> payerKey,
                    Path home, HttpClient toProvider) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] body = requestBody(o.predict());
        GenerateCall call = new OllamaRequests(() -> 42).generate((ObjectNode) JSON.readTree(body)).call().orElseThrow();
        Way direct = () -> direct(engine, call);
        List<Trace> localTraces = new ArrayList<>();
        Way local = () -> traced(localTraces, () -> overHttp(http, localPort, body));
        List<Trace> traces = new ArrayList<>();
        Way paid = () -> traced(traces, () -> overHttp(http, paidPort, body));
        String[] names = {"(a) engine in-process", "(b) gateway HTTP, local", "(c) gateway HTTP, paid"};
        Way[] ways = {direct, local, paid};

        System.out.printf(Locale.ROOT, "warm-up: %d rounds of (a), (b), (c) (the first paid request opens the channel)%n",
                o.warmup());
        for (int i = 0; i < o.warmup(); i++) {
            for (Way w : ways) {
                w.ask();
            }
        }
        Chain afterWarmup = Chain.read(chain, payer, providerAccount);

        Trace.collecting = true;
        // Interleaved rounds, in a rotating order, so drift and other load on the machine fall on all three alike.
        List<List<Sample>> samples = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < o.requests(); i++) {
            for (int k = 0; k < 3; k++) {
                int w = (i + k) % 3;
                samples.get(w).add(ways[w].ask());
            }
        }
        Trace.collecting = false;
        String reference = samples.get(0).getFirst().text();
        for (int w = 0; w < 3; w++) {
            for (Sample s : samples.get(w)) {
                if (!s.text().equals(reference) || s.tokens() != samples.get(0).getFirst().tokens()) {
                    throw new IllegalStateException(names[w] + " answered differently from (a): " + s.tokens()
                            + " tokens \"" + s.text() + "\" vs \"" + reference + "\"");
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nsequential: %d requests each, after %d warm-up rounds; every answer %d tokens, "
                + "identical text in all three ways%n", o.requests(), o.warmup(), samples.get(0).getFirst().tokens());
        String row = "%-26s | %8s %8s | %8s %8s | %8s %8s | %7s %7s%n";
        System.out.printf(Locale.ROOT, row, "way", "TTFT p50", "TTFT p99", "total p50", "total p99", "tok/s p50",
                "tok/s p1", "+ms p50", "ratio");
        double[] ttftA = ms(samples.get(0), Sample::firstPiece);
        double[] totalA = ms(samples.get(0), Sample::total);
        double[] rateA = rates(samples.get(0));
        for (int w = 0; w < 3; w++) {
            double[] ttft = ms(samples.get(w), Sample::firstPiece);
            double[] total = ms(samples.get(w), Sample::total);
            double[] rate = rates(samples.get(w));
            System.out.printf(Locale.ROOT, row, names[w], f2(pct(ttft, 50)), f2(pct(ttft, 99)), f2(pct(total, 50)),
                    f2(pct(total, 99)), f1(pct(rate, 50)), f1(pct(rate, 1)),
                    w == 0 ? "-" : f2(pct(total, 50) - pct(totalA, 50)),
                    w == 0 ? "-" : f3(pct(rate, 50) / pct(rateA, 50)));
        }
        System.out.printf(Locale.ROOT, "added ms per request (p50 of each minus p50 of (a)): TTFT b-a %.2f, c-a %.2f; "
                        + "total b-a %.2f, c-a %.2f; c-b %.2f (what payment adds over the local gateway)%n",
                pct(ms(samples.get(1), Sample::firstPiece), 50) - pct(ttftA, 50),
                pct(ms(samples.get(2), Sample::firstPiece), 50) - pct(ttftA, 50),
                pct(ms(samples.get(1), Sample::total), 50) - pct(totalA, 50),
                pct(ms(samples.get(2), Sample::total), 50) - pct(totalA, 50),
                pct(ms(samples.get(2), Sample::total), 50) - pct(ms(samples.get(1), Sample::total), 50));
        System.out.printf(Locale.ROOT, "tokens/s ratio (p50 / p50 of (a)): b %.3f, c %.3f%n",
                pct(rates(samples.get(1)), 50) / pct(rateA, 50), pct(rates(samples.get(2)), 50) / pct(rateA, 50));

        timeline(traces, localTraces, samples.get(0));
        double measuredPayment = pct(ms(samples.get(2), Sample::total), 50) - pct(ms(samples.get(1), Sample::total), 50);
        breakdown(o, engine, call, o.tls() ? toProvider : http, toProvider, provider, body, receipts, ledger, asPayer,
                payer, payerKey, home, measuredPayment);
        int paidRequests = o.requests();

        System.out.printf(Locale.ROOT, "%nconcurrent streaming clients (%d requests per level, split among the clients)%n",
                o.concurrentRequests());
        String crow = "%-26s | %7s | %8s | %9s | %8s %8s | %8s%n";
        System.out.printf(Locale.ROOT, crow, "way", "clients", "req/s", "tokens/s", "lat p50", "lat p99", "TTFT p50");
        for (int w = 1; w < 3; w++) {
            for (int clients : o.clients()) {
                Level l = concurrent(ways[w], clients, o.concurrentRequests());
                if (w == 2) {
                    paidRequests += l.requests();
                }
                System.out.printf(Locale.ROOT, crow, names[w], clients, f1(l.requests() / l.seconds()),
                        f1(l.tokens() / l.seconds()), f1(pct(l.latencies(), 50)), f1(pct(l.latencies(), 99)),
                        f1(pct(l.ttfts(), 50)));
            }
        }
        Chain afterConcurrent = Chain.read(chain, payer, providerAccount);

        // The provider settles once: one redemption of the newest voucher (what hypha up does on stop).
        List<Redeemer.Outcome> redeemed = provider.redeemAll();
        Chain end = Chain.read(chain, payer, providerAccount);
        ChannelParams channel = ledger.channels().getFirst();
        System.out.printf(Locale.ROOT, "%non-chain transactions (anvil, one block per transaction):%n");
        System.out.printf(Locale.ROOT, "  warm-up (%d paid requests, channel opened): %s%n", o.warmup(),
                start.until(afterWarmup));
        System.out.printf(Locale.ROOT, "  %d sequential + %d concurrent paid requests: %s%n", o.requests(),
                paidRequests - o.requests(), afterWarmup.until(afterConcurrent));
        System.out.printf(Locale.ROOT, "  provider's redemption at the end (%d outcome(s), ok=%s): %s%n", redeemed.size(),
                redeemed.stream().allMatch(Redeemer.Outcome::ok), afterConcurrent.until(end));
        int allPaid = paidRequests + o.warmup();
        long allTx = start.until(end).transactions();
        System.out.printf(Locale.ROOT, "  per 1,000 paid requests: %.2f transactions while serving (%d over %d requests),"
                        + " %.2f including the channel's open and the redemption (%d)%n",
                1000.0 * afterWarmup.until(afterConcurrent).transactions() / paidRequests,
                afterWarmup.until(afterConcurrent).transactions(), paidRequests, 1000.0 * allTx / allPaid, allTx);
        System.out.printf(Locale.ROOT, "  receipts stored by the payer: %d; charged on the channel: %s hUSD units of a "
                        + "%s deposit (channel %s)%n", receipts.all().size(), receipts.charged(channel.id()),
                asPayer.channels().state(channel.id()).deposit(), channel.id());
    }

    /**
     * What the paid path does per request besides what (b) does, each step timed alone in this process (median of 50):
     * the provider prices the request twice (unpaid, then paid) and looks the model's id up once; one extra HTTP round
     * trip (the 402); the payer signs a voucher and checks the receipt's signature, the provider checks the voucher's
     * and signs the receipt; four durable SQLite commits (payer: voucher total, receipt; provider: reservation, charge).
     */
    static void breakdown(Options o, LocalBackend engine, GenerateCall call, HttpClient http, HttpClient asGateway,
                          ProviderService provider,
                          byte[] body, PayerReceipts receipts, PayerLedger ledger, HyphaContracts asPayer, Address payer,
                          Function<TypedData, Signature> payerKey, Path home, double measured) throws Exception {
        int n = 50;
        double budget = median(n, () -> engine.budget(call));
        double show = median(n, () -> engine.info(MODEL));
        HttpRequest unpaid = HttpRequest.newBuilder(URI.create(provider.endpoint() + "/provider/v1/api/generate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        double roundTrip = median(n, () -> {
            HttpResponse<byte[]> r = http.send(unpaid, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 402) {
                throw new IllegalStateException("unpaid request answered " + r.statusCode() + ", not 402");
            }
        });
        // The network backend's transport as the gateway builds it (no version given: HTTP/2 preferred, which on plain
        // http means an h2c upgrade offer the provider's server declines; over TLS, ALPN).
        double roundTripDefault = median(n, () -> {
            HttpResponse<byte[]> r = asGateway.send(unpaid, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 402) {
                throw new IllegalStateException("unpaid request answered " + r.statusCode() + ", not 402");
            }
        });
        var domain = asPayer.channels().voucherDomain();
        String channelId = ledger.channels().getFirst().id();
        Voucher[] v = {null};
        double sign = median(n, () -> v[0] = domain.sign(channelId, BigInteger.TEN, payerKey));
        double recover = median(n, () -> {
            if (!domain.isSignedBy(v[0], payer)) {
                throw new IllegalStateException("the voucher does not recover to the payer");
            }
        });
        Path scratch = Files.createTempDirectory(home, "commit-");
        PayerReceipts.Stored stored = receipts.all().getFirst();
        double commit;
        try (PayerReceipts s = PayerReceipts.open(scratch.resolve("receipts.sqlite"))) {
            commit = median(n, () -> s.add(stored, "0x00"));
        }
        double sum = 2 * budget + show + roundTrip + 2 * sign + 2 * recover + 4 * commit;
        System.out.printf(Locale.ROOT, "%nwhere the payment's time goes (each step alone, median of %d, ms): price the "
                        + "request (budget) %.2f x2, model id (info) %.2f, 402 round trip over loopback %.2f, EIP-712 sign "
                        + "%.2f x2, recover %.2f x2, durable SQLite commit (WAL, synchronous=FULL) %.2f x4 = %.1f ms; "
                        + "measured c - b (p50) %.1f ms%n",
                n, budget, show, roundTrip, sign, recover, commit, sum, measured);
        System.out.printf(Locale.ROOT, "402 round trip with an HTTP/1.1 client %.2f ms, with a default (HTTP/2-preferring) "
                + "client as the network backend's transport %.2f ms%n", roundTrip, roundTripDefault);
    }

    interface Step {
        void run() throws Exception;
    }

    static double median(int n, Step step) throws Exception {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[n / 2];
    }

    /** The moments one paid request passed (System.nanoTime), stamped by the client and the two {@link Probe}s. */
    static final class Trace {
        static volatile Trace current;
        static volatile boolean collecting;
        long sent, clientSent, gatewayIn, budget1In, budget1Out, budget2In, budget2Out, showIn, showOut, genIn, genFirst,
                genOut, gatewayFirst, gatewayOut, clientFirst, clientDone, providerWrites;
    }

    /**
     * A backend that passes everything to another and stamps the current {@link Trace}: on the provider side (what the
     * provider's paid routes call on its engine) or the gateway side (what the gateway's HTTP routes call on the
     * network backend). Two nanoTime reads per call; nothing else changes.
     */
    record Probe(InferenceBackend inner, boolean providerSide) implements InferenceBackend {
        @Override
        public Completion generate(GenerateCall call, dev.hypha.node.gateway.TextSink sink) {
            Trace t = Trace.current;
            if (t == null) {
                return inner.generate(call, sink);
            }
            if (providerSide) {
                t.genIn = System.nanoTime();
            } else {
                t.gatewayIn = System.nanoTime();
            }
            // The budget report passes through: the provider admits the payment from it, beside the engine.
            Completion c = inner.generate(call, dev.hypha.node.gateway.TextSink.wrapping(sink, piece -> {
                long now = System.nanoTime();
                if (providerSide && t.genFirst == 0) {
                    t.genFirst = now;
                } else if (!providerSide && t.gatewayFirst == 0) {
                    t.gatewayFirst = now;
                }
                sink.accept(piece);
                if (providerSide) {
                    t.providerWrites += System.nanoTime() - now;
                }
            }));
            if (providerSide) {
                t.genOut = System.nanoTime();
            } else {
                t.gatewayOut = System.nanoTime();
            }
            return c;
        }

        @Override
        public dev.hypha.node.gateway.TokenBudget budget(GenerateCall call) {
            Trace t = Trace.current;
            long in = System.nanoTime();
            dev.hypha.node.gateway.TokenBudget b = inner.budget(call);
            if (t != null && t.budget1In == 0) {
                t.budget1In = in;
                t.budget1Out = System.nanoTime();
            } else if (t != null) {
                t.budget2In = in;
                t.budget2Out = System.nanoTime();
            }
            return b;
        }

        @Override
        public dev.hypha.node.gateway.ModelDetails show(String model, boolean verbose) {
            Trace t = Trace.current;
            long in = System.nanoTime();
            dev.hypha.node.gateway.ModelDetails d = inner.show(model, verbose);
            if (t != null && providerSide) {
                t.showIn = in;
                t.showOut = System.nanoTime();
            }
            return d;
        }

        @Override
        public dev.hypha.node.gateway.ModelInfo info(String model) {
            Trace t = Trace.current;
            long in = System.nanoTime();
            dev.hypha.node.gateway.ModelInfo i = inner.info(model);
            if (t != null && providerSide) {
                t.showIn = in;
                t.showOut = System.nanoTime();
            }
            return i;
        }

        @Override
        public List<dev.hypha.node.gateway.ModelInfo> models() {
            return inner.models();
        }

        @Override
        public List<dev.hypha.node.gateway.RunningModel> running() {
            return inner.running();
        }

        @Override
        public long load(String model, dev.hypha.node.gateway.KeepAlive keepAlive) {
            return inner.load(model, keepAlive);
        }

        @Override
        public dev.hypha.node.gateway.Embeddings embed(dev.hypha.node.gateway.EmbedCall call) {
            return inner.embed(call);
        }

        @Override
        public void close() {
            // the wrapped backend belongs to whoever made it
        }
    }

    /** Median of each step of the paid requests' timeline, next to the engine's own time to first token in (a). */
    static void timeline(List<Trace> traces, List<Trace> local, List<Sample> direct) {
        // A gateway that knows the offer pays in its first post (the provider prices once); one that asks first sends
        // an unpaid request, answered 402, and the provider prices twice.
        boolean probed = traces.stream().allMatch(t -> t.budget2In != 0);
        // A provider that knows the payer's channel prices and admits it beside the engine (no budget call of its own).
        boolean beside = traces.stream().allMatch(t -> t.budget1In == 0);
        List<String> names = new ArrayList<>();
        List<java.util.function.ToLongFunction<Trace>> steps = new ArrayList<>();
        names.add("client -> gateway's network backend (HTTP in, parse, route)");
        if (beside) {
            steps.add(t -> t.gatewayIn - t.sent);
            names.add("-> provider's engine starts (payer prices it from the offer, reuses the voucher signed ahead or"
                    + " signs one, HTTP out, parse, voucher pre-checked)");
            steps.add(t -> t.genIn - t.gatewayIn);
        } else if (probed) {
            steps.add(t -> t.gatewayIn - t.sent);
            names.add("-> provider prices the unpaid request (HTTP out, parse)");
            steps.add(t -> t.budget1In - t.gatewayIn);
            names.add("provider prices it (budget: render + tokenize)");
            steps.add(t -> t.budget1Out - t.budget1In);
            names.add("-> provider prices the paid request (402 back, payer signs + commits the voucher, HTTP out, parse)");
            steps.add(t -> t.budget2In - t.budget1Out);
            names.add("provider prices it again");
            steps.add(t -> t.budget2Out - t.budget2In);
            names.add("-> provider's engine starts (voucher recovered, reservation committed, model id looked up)");
            steps.add(t -> t.genIn - t.budget2Out);
        } else {
            steps.add(t -> t.gatewayIn - t.sent);
            names.add("-> provider prices the paid request (payer prices it from the offer, signs + commits the voucher,"
                    + " HTTP out, parse)");
            steps.add(t -> t.budget1In - t.gatewayIn);
            names.add("provider prices it (budget: render + tokenize)");
            steps.add(t -> t.budget1Out - t.budget1In);
            names.add("-> provider's engine starts (voucher recovered, reservation committed, model id looked up)");
            steps.add(t -> t.genIn - t.budget1Out);
        }
        names.add("engine: prompt + first token (in (a): " + f2(pct(ms(direct, Sample::firstPiece), 50)) + " ms)");
        steps.add(t -> t.genFirst - t.genIn);
        names.add(beside ? "-> first piece reaches the gateway (waits for the reservation if not yet durable, provider"
                + " writes, gateway reads)" : "-> first piece reaches the gateway (provider writes, gateway reads)");
        steps.add(t -> t.gatewayFirst - t.genFirst);
        names.add("-> first piece reaches the client (gateway writes, client reads)");
        steps.add(t -> t.clientFirst - t.gatewayFirst);
        names.add("engine: the rest of the answer (in (a): " + f2(pct(ms(direct, s -> s.total() - s.firstPiece()), 50))
                + " ms)");
        steps.add(t -> t.genOut - t.genFirst);
        names.add("  of which the provider writing the pieces to the gateway (on the engine's thread, all pieces; in (b), "
                + "the gateway writing them to the client: " + f2(median(local, t -> t.providerWrites / 1e6))
                + " ms of " + f2(median(local, t -> (t.genOut - t.genFirst) / 1e6)) + " ms)");
        steps.add(t -> t.providerWrites);
        names.add("-> gateway's backend returns (charge committed, receipt signed, last line, receipt recovered + stored)");
        steps.add(t -> t.gatewayOut - t.genOut);
        names.add("-> client has the done line");
        steps.add(t -> t.clientDone - t.gatewayOut);
        System.out.printf(Locale.ROOT, "%ntimeline of a paid request (c), median of %d, ms (%s):%n", traces.size(),
                probed ? "unpaid request first, then paid" : beside ? "paid in the first request, admitted beside the "
                        + "engine" : "paid in the first request");
        for (int k = 0; k < names.size(); k++) {
            java.util.function.ToLongFunction<Trace> step = steps.get(k);
            double[] v = traces.stream().mapToDouble(t -> step.applyAsLong(t) / 1e6).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %8.2f  %s%n", pct(v, 50), names.get(k));
        }
    }

    /** Runs one request with a fresh {@link Trace} as the current one, keeping the trace while collecting. */
    static Sample traced(List<Trace> into, Way way) throws Exception {
        Trace t = new Trace();
        Trace.current = t;
        try {
            Sample sample = way.ask();
            t.sent = t.clientSent;
            if (Trace.collecting) {
                into.add(t);
            }
            return sample;
        } finally {
            Trace.current = null;
        }
    }

    static double median(List<Trace> traces, java.util.function.ToDoubleFunction<Trace> f) {
        return pct(traces.stream().mapToDouble(f).sorted().toArray(), 50);
    }

    /** (a): the engine called in-process; the sink is the client. */
    static Sample direct(LocalBackend engine, GenerateCall call) {
        long t0 = System.nanoTime();
        long[] first = {0};
        long[] last = {0};
        Completion c = engine.generate(call, piece -> {
            long now = System.nanoTime();
            if (first[0] == 0) {
                first[0] = now;
            }
            last[0] = now;
        });
        long end = System.nanoTime();
        return new Sample(first[0] - t0, last[0] - t0, end - t0, c.generatedTokens(), c.text());
    }

    /** (b) and (c): a streaming /api/generate over loopback HTTP; the first NDJSON line is the first token. */
    static Sample overHttp(HttpClient http, int port, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/generate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long t0 = System.nanoTime();
        Trace trace = Trace.current;
        if (trace != null) {
            trace.clientSent = t0;
        }
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long first = 0;
        long last = 0;
        StringBuilder text = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode() + " from port " + port + ": "
                        + lines.lines().reduce("", String::concat));
            }
            String line;
            while ((line = lines.readLine()) != null) {
                long now = System.nanoTime();
                JsonNode o = JSON.readTree(line);
                if (o.has("error")) {
                    throw new IllegalStateException("error from port " + port + ": " + o.get("error").asText());
                }
                String piece = o.path("response").asText("");
                if (first == 0) {
                    first = now;
                }
                if (!piece.isEmpty()) {
                    last = now;
                    text.append(piece);
                }
                if (o.path("done").asBoolean(false)) {
                    if (trace != null) {
                        trace.clientFirst = first;
                        trace.clientDone = System.nanoTime();
                    }
                    return new Sample(first - t0, last - t0, System.nanoTime() - t0, o.path("eval_count").asInt(),
                            text.toString());
                }
            }
        }
        throw new IllegalStateException("the stream from port " + port + " ended without its done line");
    }

    record Level(int requests, long tokens, double seconds, double[] latencies, double[] ttfts) {}

    /** {@code clients} threads share {@code requests} requests; wall time from the first start to the last answer. */
    static Level concurrent(Way way, int clients, int requests) throws Exception {
        AtomicInteger left = new AtomicInteger(requests);
        List<Sample> all = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        all.add(way.ask());
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long tokens = all.stream().mapToLong(Sample::tokens).sum();
        return new Level(all.size(), tokens, seconds, ms(all, Sample::total), ms(all, Sample::firstPiece));
    }

    /** The chain's height and the two parties' nonces, to count what was sent between two readings. */
    record Chain(ChainClient chain, long block, long payerNonce, long providerNonce) {
        static Chain read(ChainClient chain, Address payer, Address provider) {
            return new Chain(chain, chain.blockNumber(), chain.pendingNonce(payer.toChecksumString()).longValueExact(),
                    chain.pendingNonce(provider.toChecksumString()).longValueExact());
        }

        Count until(Chain later) {
            long tx = 0;
            for (long b = block + 1; b <= later.block; b++) {
                tx += chain.block(b).orElseThrow().getTransactions().size();
            }
            return new Count(tx, later.payerNonce - payerNonce, later.providerNonce - providerNonce);
        }
    }

    record Count(long transactions, long byPayer, long byProvider) {
        @Override
        public String toString() {
            return transactions + " transaction(s) (payer " + byPayer + ", provider " + byProvider + ")";
        }
    }

    static byte[] requestBody(int predict) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("prompt", PROMPT).put("stream", true);
        body.putObject("options").put("temperature", 0).put("seed", 42).put("num_predict", predict);
        return JSON.writeValueAsBytes(body);
    }

    /** A random-weight qwen2 model (written once to the bench folder) imported into a fresh store. */
    static ModelStore store(Path home, Options o) throws Exception {
        Path file = o.dir().resolve(String.format(Locale.ROOT, "netbench-qwen2-%dx%d-%d-q8_0.gguf", o.dim(), o.layers(),
                o.ffn()));
        if (!Files.isRegularFile(file)) {
            System.out.println("writing " + file + " ...");
            TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
            int heads = o.dim() / 64;
            RandomModelFactory.write(new RandomModelFactory.Spec(Architecture.QWEN2, o.dim(), o.ffn(), o.layers(), heads,
                    Math.max(1, heads / 4), 64, vocab.size(), 2048, GgmlType.Q8_0, false, 7), vocab, file);
        }
        ModelStore store = new ModelStore(home, Clock.systemUTC());
        store.importModel(file, ModelName.parse(MODEL), (done, total) -> { });
        return store;
    }

    static TransactionSender sender(ChainClient chain, NonceManager nonces, Credentials key) {
        return new TransactionSender(chain, key, nonces, RevertDecoder.forHyphaContracts());
    }

    interface Nanos {
        long of(Sample s);
    }

    static double[] ms(List<Sample> samples, Nanos f) {
        return samples.stream().mapToDouble(s -> f.of(s) / 1e6).sorted().toArray();
    }

    static double[] rates(List<Sample> samples) {
        return samples.stream().mapToDouble(Sample::tokensPerSecond).sorted().toArray();
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static Options parse(String[] args) {
        int requests = 100;
        int warmup = 20;
        int predict = 32;
        int dim = 768;
        int ffn = 2048;
        int layers = 8;
        int threads = 1;
        int[] clients = {1, 8, 64};
        int concurrent = 128;
        Path dir = Path.of("bench/out");
        boolean tls = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--tls")) {
                tls = true;
                continue;
            }
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--predict" -> predict = Integer.parseInt(v);
                case "--dim" -> dim = Integer.parseInt(v);
                case "--ffn" -> ffn = Integer.parseInt(v);
                case "--layers" -> layers = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--clients" -> clients = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--concurrent-requests" -> concurrent = Integer.parseInt(v);
                case "--dir" -> dir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (options: --requests "
                        + "--warmup --predict --dim --ffn --layers --threads --clients --concurrent-requests --dir --tls)");
            }
            i++;
        }
        return new Options(requests, warmup, predict, dim, ffn, layers, threads, clients, concurrent, dir, tls);
    }
}

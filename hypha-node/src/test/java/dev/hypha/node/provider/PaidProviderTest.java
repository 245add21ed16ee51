package dev.hypha.node.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
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
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.GenerationEvent;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ChargeHistory;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.ReceiptHeaders;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import dev.hypha.node.testing.TinyModelStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * A paid provider over real HTTP on loopback, a real model (seeded random weights, real byte-level BPE) and a real
 * PaymentChannels contract on anvil: 402 without payment, answers with verifiable receipts, hostile vouchers refused
 * before anything runs, and redemption on chain from the ledger, also from a fresh ledger on the same file.
 */
class PaidProviderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String MODEL = "tiny:latest";
    /** 1 unit per input token, 2 per output token. */
    private static final Prices PRICES = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));
    private static final int MAX_NEW = 8;

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static final AtomicLong SALTS = new AtomicLong(1);

    @TempDir
    Path dir;
    private Credentials payer;
    private Credentials provider;
    private ModelStore store;
    private LocalBackend backend;
    private ProviderLedger ledger;
    private ApiServer server;
    private ChannelGate gate;
    private final LinkedBlockingQueue<GenerationEvent> generations = new LinkedBlockingQueue<>();

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
    void startProvider() {
        payer = devnet.account(1);
        provider = devnet.account(2);
        store = TinyModelStore.create(dir, MODEL, 7, 512);
        backend = new LocalBackend(store, LocalBackend.Settings.defaults().withObserver(generations::add));
        ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), as(provider).channels().voucherDomain());
        server = new ApiServer("127.0.0.1", 0, List.of(routes(ledger)));
        server.start();
    }

    @AfterEach
    void stopProvider() {
        server.close();
        backend.close();
        ledger.close();
    }

    private ProviderRoutes routes(ProviderLedger l) {
        ProviderTerms terms = terms();
        TransactionSender key = sender(provider);
        gate = new ChannelGate(terms, l, as(provider).channels()::state);
        return new ProviderRoutes(backend, terms, gate, l,
                new ReceiptSigner(receiptDomain(), addr(provider), key::signTypedData), Clock.systemUTC(), () -> 42);
    }

    private static ProviderTerms terms() {
        return new ProviderTerms(deployment.chainId(), token(), addr(devnet.account(2)),
                Address.parse(deployment.address("PaymentChannels")), PRICES, 60);
    }

    private static ReceiptDomain receiptDomain() {
        return new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")));
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

    /** A new channel from the payer to the provider holding {@code deposit}. */
    private ChannelParams open(long deposit) {
        ChannelParams c = new ChannelParams(addr(payer), addr(provider), token(), addr(payer),
                ChannelParams.salt(SALTS.getAndIncrement()));
        as(payer).channels().open(c, BigInteger.valueOf(deposit));
        return c;
    }

    private Voucher voucher(Credentials signer, ChannelParams c, BigInteger total) {
        VoucherDomain domain = as(payer).channels().voucherDomain();
        return domain.sign(c.id(), total, sender(signer)::signTypedData);
    }

    private static String body(String prompt) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"stream\":false,\"options\":{\"num_predict\":"
                + MAX_NEW + ",\"seed\":3}}";
    }

    private HttpResponse<String> post(String path, String body, String payment) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (payment != null) {
            b.header(PaymentHeaders.PAYMENT_SIGNATURE, payment);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> generate(String body, ChannelParams c, Voucher v) throws Exception {
        return post("/provider/v1/api/generate", body,
                c == null ? null : PaymentHeaders.paymentSignature(deployment.chainId(), c, v));
    }

    /** The maximum price the provider quotes for {@code body} (from an unpaid request's 402). */
    private BigInteger quote(String body) throws Exception {
        HttpResponse<String> r = generate(body, null, null);
        assertThat(r.statusCode()).isEqualTo(402);
        return new BigInteger(JSON.readTree(r.body()).path("accepts").path(0).path("amount").asText());
    }

    private static String keccak(String s) {
        return Hex.encode(Hashes.keccak256(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRequestWithoutPaymentGets402StatingTheMaximumPriceAndWhomToPay() throws Exception {
        HttpResponse<String> r = generate(body("Hello there"), null, null);

        assertThat(r.statusCode()).isEqualTo(402);
        String header = r.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED).orElseThrow();
        JsonNode required = JSON.readTree(Base64.getDecoder().decode(header));
        assertThat(JSON.readTree(r.body())).isEqualTo(required);
        assertThat(required.path("x402Version").asInt()).isEqualTo(2);
        assertThat(required.path("error").asText()).contains("PAYMENT-SIGNATURE header is required");
        JsonNode accept = required.path("accepts").path(0);
        assertThat(accept.path("scheme").asText()).isEqualTo("hypha-channel");
        assertThat(accept.path("network").asText()).isEqualTo("eip155:" + deployment.chainId());
        assertThat(Address.parse(accept.path("asset").asText())).isEqualTo(token());
        assertThat(Address.parse(accept.path("payTo").asText())).isEqualTo(addr(provider));
        assertThat(Address.parse(accept.path("extra").path("channels").asText()))
                .isEqualTo(Address.parse(deployment.address("PaymentChannels")));
        // At least one prompt token at 1 unit plus MAX_NEW tokens at 2 units: the exact figure is checked against the
        // prompt token count of a paid answer below.
        assertThat(new BigInteger(accept.path("amount").asText())).isGreaterThan(BigInteger.valueOf(2L * MAX_NEW));
        assertThat(generations).isEmpty();
    }

    @Test
    void embeddingsAreSoldPerInputTokenOnlyAgainstAVoucherWithAReceiptOverTheVectors() throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"input\":[\"Hello there\",\"héllo\"]}";
        String path = "/provider/v1/api/embed";
        HttpResponse<String> unpaid = post(path, body, null);
        assertThat(unpaid.statusCode()).isEqualTo(402);
        BigInteger maximum = new BigInteger(JSON.readTree(unpaid.body()).path("accepts").path(0).path("amount").asText());
        // Priced before running at the input price: each input's UTF-8 bytes + 4 tokens ("héllo" is 6 bytes).
        assertThat(maximum).isEqualTo(BigInteger.valueOf(11 + 4 + 6 + 4));

        ChannelParams c = open(1_000_000);
        HttpResponse<String> tooLittle = post(path, body, PaymentHeaders.paymentSignature(deployment.chainId(), c,
                voucher(payer, c, maximum.subtract(BigInteger.ONE))));
        assertThat(tooLittle.statusCode()).isEqualTo(402);
        assertThat(ledger.charged(c.id())).isZero();

        HttpResponse<String> paid = post(path, body, PaymentHeaders.paymentSignature(deployment.chainId(), c,
                voucher(payer, c, maximum)));
        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(paid.body());
        List<float[]> vectors = new java.util.ArrayList<>();
        answer.path("embeddings").forEach(v -> {
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = v.get(i).floatValue();
            }
            vectors.add(f);
        });
        assertThat(vectors).hasSize(2);
        Receipt receipt = verifiedReceipt(paid);
        assertThat(receipt.requestHash()).isEqualTo(keccak(body));
        assertThat(receipt.tokensIn()).isEqualTo(answer.path("prompt_eval_count").asLong()).isPositive();
        assertThat(receipt.tokensOut()).isZero();
        assertThat(receipt.outputHash()).isEqualTo(Hex.encode(Hashes.keccak256(
                new dev.hypha.node.gateway.Embeddings(vectors, 0, 0, 0).canonicalBytes())));
        assertThat(receipt.price()).isEqualTo(BigInteger.valueOf(receipt.tokensIn())).isLessThanOrEqualTo(maximum);
        assertThat(ledger.charged(c.id())).isEqualTo(receipt.price());
    }

    @Test
    void paidAnswersCarryReceiptsSignedByTheProviderAndTheRedeemerCollectsTheBestVoucher() throws Exception {
        ChannelParams c = open(1_000_000);
        BigInteger providerStart = as(provider).payment().balanceOf(provider.getAddress());

        String first = body("Hello there");
        BigInteger max1 = quote(first);
        Voucher v1 = voucher(payer, c, max1);
        HttpResponse<String> r1 = generate(first, c, v1);
        assertThat(r1.statusCode()).as(r1.body()).isEqualTo(200);
        Receipt receipt1 = verifiedReceipt(r1);
        JsonNode answer1 = JSON.readTree(r1.body());
        assertThat(receipt1.requestHash()).isEqualTo(keccak(first));
        assertThat(receipt1.outputHash()).isEqualTo(keccak(answer1.path("response").asText()));
        assertThat(receipt1.tokensIn()).isEqualTo(answer1.path("prompt_eval_count").asLong());
        assertThat(receipt1.tokensOut()).isEqualTo(answer1.path("eval_count").asLong()).isBetween(1L, (long) MAX_NEW);
        assertThat(max1).isEqualTo(BigInteger.valueOf(receipt1.tokensIn() + 2L * MAX_NEW));
        assertThat(receipt1.price()).isEqualTo(BigInteger.valueOf(receipt1.tokensIn() + 2L * receipt1.tokensOut()));
        assertThat(receipt1.channelId()).isEqualTo(c.id());
        assertThat(receipt1.cumulativeAmount()).isEqualTo(receipt1.price());
        assertThat(receipt1.modelId()).isEqualTo(
                Hex.encode(dev.hypha.core.cid.ContentId.parse(backend.show(MODEL, false).info().digest()).multihash().digest()));

        // The next voucher covers what was charged plus the next maximum; what the first answer cost less than its
        // maximum stays the payer's.
        String second = body("And now something else");
        BigInteger max2 = quote(second);
        Voucher v2 = voucher(payer, c, receipt1.cumulativeAmount().add(max2).max(v1.cumulativeAmount()));
        HttpResponse<String> r2 = generate(second, c, v2);
        assertThat(r2.statusCode()).as(r2.body()).isEqualTo(200);
        Receipt receipt2 = verifiedReceipt(r2);
        assertThat(receipt2.cumulativeAmount()).isEqualTo(receipt1.price().add(receipt2.price()));
        assertThat(receipt2.price()).isLessThanOrEqualTo(max2);

        List<Redeemer.Outcome> outcomes = redeemer(ledger).redeemAll();

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.ok()).as(o.error()).isTrue();
            assertThat(o.redeemed()).isEqualTo(v2.cumulativeAmount());
        });
        assertThat(as(provider).payment().balanceOf(provider.getAddress()).subtract(providerStart))
                .isEqualTo(v2.cumulativeAmount());
        assertThat(as(provider).channels().state(c.id()).redeemed()).isEqualTo(v2.cumulativeAmount());
        assertThat(ledger.unredeemed()).isEmpty();
        assertThat(redeemer(ledger).redeemAll()).isEmpty();
    }

    @Test
    void aStreamedAnswerCarriesItsReceiptInTheLastLine() throws Exception {
        ChannelParams c = open(1_000_000);
        // Stop sequences end the answer early, so it costs less than its maximum and the charge must say so.
        String request = "{\"model\":\"" + MODEL + "\",\"prompt\":\"Tell me more\",\"stream\":true,"
                + "\"options\":{\"num_predict\":64,\"seed\":3,\"stop\":[\" \",\"e\",\"a\"]}}";
        BigInteger max = quote(request);
        HttpResponse<String> r = generate(request, c, voucher(payer, c, max));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        List<String> lines = r.body().lines().toList();
        StringBuilder text = new StringBuilder();
        for (String line : lines.subList(0, lines.size() - 1)) {
            JsonNode chunk = JSON.readTree(line);
            assertThat(chunk.path("done").asBoolean()).isFalse();
            text.append(chunk.path("response").asText());
        }
        JsonNode last = JSON.readTree(lines.getLast());
        assertThat(last.path("done").asBoolean()).isTrue();
        ReceiptHeaders.SignedReceipt signed = ReceiptHeaders.parse(last.path(ReceiptHeaders.STREAM_FIELD).asText());
        assertThat(receiptDomain().isSignedBy(signed.receipt(), signed.signature(), addr(provider))).isTrue();
        assertThat(signed.receipt().outputHash()).isEqualTo(keccak(text.toString()));
        assertThat(signed.receipt().requestHash()).isEqualTo(keccak(request));
        assertThat(signed.receipt().tokensOut()).isEqualTo(last.path("eval_count").asLong());
        assertThat(signed.receipt().price()).isEqualTo(BigInteger.valueOf(signed.receipt().tokensIn()
                + 2L * signed.receipt().tokensOut())).isLessThan(max);
        assertThat(ledger.charged(c.id())).isEqualTo(signed.receipt().cumulativeAmount()).isEqualTo(signed.receipt().price());
        // The charge is in the ledger's history too, with the receipt's model, tokens and price (issue 17).
        Receipt paid = signed.receipt();
        ChargeHistory.Window day = ChargeHistory.Window.ending(Instant.now().plus(Duration.ofHours(1)), Duration.ofDays(1),
                Duration.ofHours(1));
        assertThat(ledger.earningsOverTime(day).models()).singleElement().satisfies(m -> {
            assertThat(m.modelId()).isEqualTo(paid.modelId().toLowerCase(java.util.Locale.ROOT));
            assertThat(m.modelName()).isEqualTo(MODEL);
            assertThat(m.total()).isEqualTo(paid.price());
            assertThat(m.buckets()).singleElement().satisfies(b -> {
                assertThat(b.tokensIn()).isEqualTo(paid.tokensIn());
                assertThat(b.tokensOut()).isEqualTo(paid.tokensOut());
                assertThat(b.charges()).isEqualTo(1);
            });
        });
    }

    @Test
    void aKnownPayersStreamedRequestIsAdmittedWhileThePromptIsReadAndARefusalSendsNoText() throws Exception {
        ChannelParams c = open(1_000_000);
        String first = body("Hello there");
        BigInteger max = quote(first);
        assertThat(generate(first, c, voucher(payer, c, max)).statusCode()).isEqualTo(200);
        String streamed = first.replace("\"stream\":false", "\"stream\":true");
        BigInteger charged = ledger.charged(c.id());
        // Admitted beside the engine (a known channel): the answer streams and is charged as before.
        HttpResponse<String> ok = generate(streamed, c, voucher(payer, c, charged.add(max)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode last = JSON.readTree(ok.body().lines().toList().getLast());
        Receipt r = ReceiptHeaders.parse(last.path(ReceiptHeaders.STREAM_FIELD).asText()).receipt();
        assertThat(r.cumulativeAmount()).isEqualTo(charged.add(r.price())).isEqualTo(ledger.charged(c.id()));
        // Refused beside the engine: a plain 402, not a 200 stream cut short, and nothing charged.
        charged = ledger.charged(c.id());
        HttpResponse<String> shortOfIt = generate(streamed, c, voucher(payer, c, charged.add(max).subtract(BigInteger.ONE)));
        assertThat(shortOfIt.statusCode()).as(shortOfIt.body()).isEqualTo(402);
        assertThat(shortOfIt.body()).doesNotContain("\"response\"");
        assertThat(ledger.charged(c.id())).isEqualTo(charged);
    }

    @Test
    void staleForgedOverDepositAndUnderPricedVouchersAre402NamingWhyAndNothingRuns() throws Exception {
        ChannelParams c = open(1_000);
        String request = body("Hello there");
        BigInteger max = quote(request);
        HttpResponse<String> paid = generate(request, c, voucher(payer, c, max));
        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
        generations.clear();
        BigInteger charged = ledger.charged(c.id());
        BigInteger best = ledger.best(c.id()).orElseThrow().cumulativeAmount();

        refused(request, c, voucher(payer, c, best.subtract(BigInteger.ONE)), "is stale");
        refused(request, c, voucher(devnet.account(3), c, charged.add(max)), "is not signed by the channel's signer");
        refused(request, c, voucher(payer, c, BigInteger.valueOf(1_001)), "but the channel holds 1000: top it up");
        ChannelParams unopened = new ChannelParams(addr(payer), addr(provider), token(), addr(payer),
                ChannelParams.salt(SALTS.getAndIncrement()));
        refused(request, unopened, voucher(payer, unopened, max), "does not exist on chain");
        ChannelParams elsewhere = new ChannelParams(addr(payer), addr(devnet.account(3)), token(), addr(payer),
                ChannelParams.salt(SALTS.getAndIncrement()));
        refused(request, elsewhere, voucher(payer, elsewhere, max), "not this provider");

        HttpResponse<String> garbage = post("/provider/v1/api/generate", request, "not base64!");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("PAYMENT-SIGNATURE header: not base64");

        assertThat(generations).isEmpty();

        // Not stale (at least the best held) but short of what is charged plus this request's maximum: the price is
        // known only once the prompt is rendered, so the channel's known payer has the engine started when it is
        // refused. It stops at its first token with nothing sent, and the channel's next request waits for its
        // admission, so the second short voucher runs nothing.
        Voucher shortOfIt = voucher(payer, c, charged.add(max).subtract(BigInteger.ONE));
        assertThat(shortOfIt.cumulativeAmount()).isGreaterThanOrEqualTo(best);
        refused(request, c, shortOfIt, "so it must promise at least " + charged.add(max));
        assertThat(generations).singleElement().satisfies(e -> {
            assertThat(e.delivered()).isZero();
            assertThat(e.generated()).isLessThanOrEqualTo(1);
        });
        generations.clear();
        refused(request, c, shortOfIt, "so it must promise at least " + charged.add(max));
        assertThat(generations).isEmpty();

        assertThat(ledger.charged(c.id())).isEqualTo(charged);
        assertThat(ledger.best(c.id()).orElseThrow().cumulativeAmount()).isEqualTo(best);
        HttpResponse<String> enough = generate(request, c, voucher(payer, c, charged.add(max)));
        assertThat(enough.statusCode()).as(enough.body()).isEqualTo(200);
    }

    @Test
    void aProviderRestartedWithoutRedeemingStillRedeemsWhatItAccepted() throws Exception {
        ChannelParams c = open(100_000);
        String request = body("Hello there");
        Voucher v = voucher(payer, c, quote(request).add(BigInteger.valueOf(7)));
        assertThat(generate(request, c, v).statusCode()).isEqualTo(200);
        BigInteger providerStart = as(provider).payment().balanceOf(provider.getAddress());

        // No redemption and no clean close: a second ledger opens the same file as a restarted provider would
        // (LedgerKillTest shows a kill -9 loses no acknowledged voucher, so this is what a restart finds).
        BigInteger charged;
        try (ProviderLedger restarted = ProviderLedger.open(dir.resolve("provider.sqlite"),
                as(provider).channels().voucherDomain())) {
            charged = restarted.charged(c.id());
            assertThat(charged).isPositive().isLessThan(v.cumulativeAmount());
            // The provider claims what the answer cost, not the voucher's whole (pre-signed maximum) total.
            assertThat(redeemer(restarted).redeemAll()).singleElement()
                    .satisfies(o -> assertThat(o.redeemed()).isEqualTo(charged));
        }
        assertThat(as(provider).payment().balanceOf(provider.getAddress()).subtract(providerStart)).isEqualTo(charged);
    }

    @Test
    void aCloseThePayerRequestsIsRedeemedAtOnceAndNoFurtherVoucherIsAccepted() throws Exception {
        ChannelParams c = open(1_000_000);
        String request = body("Hello there");
        BigInteger max = quote(request);
        HttpResponse<String> r = generate(request, c, voucher(payer, c, max));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        BigInteger charged = verifiedReceipt(r).cumulativeAmount();
        // Nothing is closing yet: the check redeems nothing.
        assertThat(redeemer(ledger).redeemClosing(gate::closing)).isEmpty();

        as(payer).channels().requestClose(c); // the challenge window starts: the provider must redeem within it
        BigInteger before = as(provider).payment().balanceOf(provider.getAddress());
        assertThat(redeemer(ledger).redeemClosing(gate::closing)).singleElement().satisfies(o -> {
            assertThat(o.ok()).as(o.error()).isTrue();
            assertThat(o.redeemed()).isEqualTo(charged);
        });
        assertThat(as(provider).payment().balanceOf(provider.getAddress()).subtract(before)).isEqualTo(charged);
        String next = body("One more");
        refused(next, c, voucher(payer, c, charged.add(quote(next))), "is closing");
    }

    @Test
    void closesAreCheckedFourTimesPerChallengeWindowAndAtLeastEvery30Seconds() {
        assertThat(ProviderService.closeCheckInterval(60)).hasSeconds(15);
        assertThat(ProviderService.closeCheckInterval(86_400)).hasSeconds(30);
        assertThat(ProviderService.closeCheckInterval(0)).hasSeconds(1);
    }

    private void refused(String request, ChannelParams c, Voucher v, String why) throws Exception {
        HttpResponse<String> r = generate(request, c, v);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(402);
        JsonNode required = JSON.readTree(Base64.getDecoder().decode(
                r.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED).orElseThrow()));
        assertThat(required.path("error").asText()).contains(why);
        assertThat(r.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE)).isEmpty();
    }

    private Receipt verifiedReceipt(HttpResponse<String> r) {
        ReceiptHeaders.SignedReceipt signed = ReceiptHeaders.parse(
                r.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).orElseThrow());
        assertThat(signed.signer()).isEqualTo(addr(provider));
        assertThat(receiptDomain().isSignedBy(signed.receipt(), signed.signature(), addr(provider))).isTrue();
        // A receipt altered in any field no longer verifies.
        Receipt inflated = new Receipt(signed.receipt().requestHash(), signed.receipt().modelId(),
                signed.receipt().tokensIn(), signed.receipt().tokensOut() + 1, signed.receipt().outputHash(),
                signed.receipt().price(), signed.receipt().channelId(), signed.receipt().cumulativeAmount());
        assertThat(receiptDomain().isSignedBy(inflated, signed.signature(), addr(provider))).isFalse();
        return signed.receipt();
    }

    private Redeemer redeemer(ProviderLedger l) {
        return Redeemer.onChain(l, as(provider).channels());
    }
}

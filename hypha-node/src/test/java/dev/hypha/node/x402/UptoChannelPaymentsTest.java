package dev.hypha.node.x402;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.provider.ChannelGate;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.Redeemer;
import io.javalin.http.HandlerType;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * x402 {@code upto} paid over PaymentChannels, on anvil and loopback HTTP: a metered endpoint costing 10 hUSD units per
 * word asked for, at most {@value #MAX} per call, served by dev account 2 and paid by dev account 1.
 */
class UptoChannelPaymentsTest {
    private static final long MAX = 1_000;
    private static final long PER_WORD = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicLong SALTS = new AtomicLong(1);

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;

    @TempDir
    Path dir;
    private Credentials payer;
    private Credentials provider;
    private ProviderLedger ledger;
    private PayerLedger payerLedger;
    private ApiServer server;
    private final AtomicInteger served = new AtomicInteger();

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        as(devnet.account(0)).payment().mint(devnet.account(1).getAddress(), BigInteger.valueOf(1_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @BeforeEach
    void startServer() {
        payer = devnet.account(1);
        provider = devnet.account(2);
        PaymentChannelsClient channels = as(provider).channels();
        ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), channels.voucherDomain());
        payerLedger = PayerLedger.open(dir.resolve("payer.sqlite"), channels.voucherDomain());
        ProviderTerms terms = new ProviderTerms(chain.chainId(), token(), addr(provider), channelsAddress(),
                new Prices(BigInteger.ONE, BigInteger.ONE), 60);
        UptoChannelPaywall paywall = new UptoChannelPaywall(terms, new ChannelGate(terms, ledger, channels::state), ledger);
        server = new ApiServer("127.0.0.1", 0, List.of(paywall.routes(List.of(new UptoChannelPaywall.MeteredRoute(
                HandlerType.GET, "/metered/words", BigInteger.valueOf(MAX), "n words, 10 units each", ctx -> {
                    long n = Long.parseLong(ctx.queryParam("n"));
                    served.incrementAndGet();
                    ctx.json(Map.of("words", n));
                    return BigInteger.valueOf(n * PER_WORD);
                }), new UptoChannelPaywall.MeteredRoute(HandlerType.GET, "/metered/broken", BigInteger.valueOf(MAX),
                "fails after admission", ctx -> {
                    served.incrementAndGet();
                    throw new IllegalStateException("the work failed");
                })))));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        ledger.close();
        payerLedger.close();
    }

    @Test
    void eachCallPaysWhatItCostWithoutATransactionAndTheProviderRedeemsTheSum() {
        ChannelParams c = open(addr(provider), 10_000);
        UptoChannelClient client = client(c, MAX);
        BigInteger before = usd(provider);
        long block = chain.blockNumber();

        UptoChannelClient.Result first = client.send(get(3));
        UptoChannelClient.Result second = client.send(get(12));
        UptoChannelClient.Result third = client.send(get(7));

        assertThat(List.of(first, second, third)).allSatisfy(r -> assertThat(r.response().statusCode()).isEqualTo(200));
        assertThat(List.of(first.cost(), second.cost(), third.cost()))
                .containsExactly(BigInteger.valueOf(30), BigInteger.valueOf(120), BigInteger.valueOf(70));
        assertThat(List.of(first.charged(), second.charged(), third.charged()))
                .containsExactly(BigInteger.valueOf(30), BigInteger.valueOf(150), BigInteger.valueOf(220));
        // Each voucher continues from what was charged: charged so far + the maximum (never below one signed).
        assertThat(List.of(first.voucher().orElseThrow().cumulativeAmount(),
                second.voucher().orElseThrow().cumulativeAmount(), third.voucher().orElseThrow().cumulativeAmount()))
                .containsExactly(BigInteger.valueOf(1_000), BigInteger.valueOf(1_030), BigInteger.valueOf(1_150));
        assertThat(chain.blockNumber()).as("no transaction per call").isEqualTo(block);
        assertThat(ledger.charged(c.id())).isEqualTo(BigInteger.valueOf(220));

        List<Redeemer.Outcome> outcomes = Redeemer.onChain(ledger, as(provider).channels()).redeemAll();

        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
        assertThat(usd(provider).subtract(before)).isEqualTo(BigInteger.valueOf(220));
        assertThat(as(provider).channels().state(c.id()).remaining()).isEqualTo(BigInteger.valueOf(10_000 - 220));
    }

    @Test
    void withoutPaymentTheAnswerIs402OfferingUptoOverChannels() throws Exception {
        HttpResponse<String> r = HTTP.send(get(1), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(402);
        JsonNode header = JSON.readTree(Base64.getDecoder().decode(r.headers().firstValue(X402.PAYMENT_REQUIRED).orElseThrow()));
        assertThat(JSON.readTree(r.body())).isEqualTo(header);
        JsonNode offer = header.get("accepts").get(0);
        assertThat(offer.get("scheme").asText()).isEqualTo("upto");
        assertThat(offer.get("amount").asText()).isEqualTo(String.valueOf(MAX));
        assertThat(offer.get("network").asText()).isEqualTo("eip155:" + chain.chainId());
        assertThat(offer.get("payTo").asText()).isEqualToIgnoringCase(provider.getAddress());
        assertThat(offer.get("extra").get("assetTransferMethod").asText()).isEqualTo("payment-channel");
        assertThat(offer.get("extra").get("channels").asText()).isEqualToIgnoringCase(channelsAddress().lowercaseHex());
        assertThat(served).hasValue(0);
    }

    @Test
    void aVoucherBeyondTheDepositIsRefused() throws Exception {
        ChannelParams c = open(addr(provider), 500);

        assertRefused(header(c, voucher(payer, c, 1_000)), "but the channel holds 500: top it up");
        // The client's own ledger will not sign it either.
        assertThatThrownBy(() -> client(c, MAX).send(get(1))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("would exceed it");
    }

    @Test
    void aStaleVoucherIsRefused() throws Exception {
        ChannelParams c = open(addr(provider), 10_000);
        assertThat(pay(header(c, voucher(payer, c, 1_000)), 2).statusCode()).isEqualTo(200);

        assertRefused(header(c, voucher(payer, c, 999)), "is stale");
    }

    @Test
    void aVoucherSignedByAnotherKeyIsRefused() throws Exception {
        ChannelParams c = open(addr(provider), 10_000);

        assertRefused(header(c, voucher(devnet.account(3), c, 1_000)), "is not signed by the channel's signer");
    }

    @Test
    void aChannelToAnotherProviderOrNotOnChainOrOnAnotherNetworkIsRefused() throws Exception {
        ChannelParams other = open(addr(devnet.account(4)), 10_000);
        assertRefused(header(other, voucher(payer, other, 1_000)), "not this provider");

        ChannelParams never = new ChannelParams(addr(payer), addr(provider), token(), addr(payer),
                ChannelParams.salt(1_000_000 + SALTS.getAndIncrement()));
        assertRefused(header(never, voucher(payer, never, 1_000)), "does not exist on chain");

        ChannelParams c = open(addr(provider), 10_000);
        assertRefused(PaymentHeaders.paymentSignature(UptoRequirement.SCHEME, 1, c, voucher(payer, c, 1_000)),
                "payment is for network eip155:1");
    }

    @Test
    void aReplayedVoucherIsRefusedAndChargesNothingMore() throws Exception {
        ChannelParams c = open(addr(provider), 10_000);
        String paid = header(c, voucher(payer, c, 1_000));
        assertThat(pay(paid, 5).statusCode()).isEqualTo(200);
        assertThat(ledger.charged(c.id())).isEqualTo(BigInteger.valueOf(50));

        JsonNode required = assertRefused(paid, "must promise at least 1050");

        assertThat(required.get("accepts").get(0).get("extra").get("charged").asText()).isEqualTo("50");
        assertThat(ledger.charged(c.id())).isEqualTo(BigInteger.valueOf(50));
    }

    @Test
    void anUnreadablePaymentIs400NamingTheField() throws Exception {
        ChannelParams c = open(addr(provider), 10_000);
        HttpResponse<String> wrongScheme = pay(PaymentHeaders.paymentSignature("hypha-channel", chain.chainId(), c, voucher(payer, c, 1_000)), 1);
        HttpResponse<String> garbage = pay("not base64!", 1);

        assertThat(wrongScheme.statusCode()).isEqualTo(400);
        assertThat(wrongScheme.body()).contains("scheme must be upto");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not base64");
        assertThat(served).hasValue(0);
    }

    @Test
    void workThatFailsIsChargedNothing() throws Exception {
        ChannelParams c = open(addr(provider), 10_000);
        HttpRequest broken = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metered/broken"))
                .header(X402.PAYMENT_SIGNATURE, header(c, voucher(payer, c, 1_000))).GET().build();

        HttpResponse<String> r = HTTP.send(broken, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(served).hasValue(1);
        assertThat(ledger.charged(c.id())).isZero();
    }

    @Test
    void theClientRefusesAnOfferAboveItsLimitAndSignsNothing() {
        ChannelParams c = open(addr(provider), 10_000);

        assertThatThrownBy(() -> client(c, MAX - 1).send(get(1))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("at most " + (MAX - 1) + " per call");
        assertThat(payerLedger.signedTotal(c.id())).isZero();
        assertThat(served).hasValue(0);
    }

    @Test
    void aRestartedClientLearnsWhatWasChargedFromTheRefusalAndContinues() {
        ChannelParams c = open(addr(provider), 10_000);
        assertThat(client(c, MAX).send(get(3)).charged()).isEqualTo(BigInteger.valueOf(30));

        // A new client on the same ledger has lost the figure: its first voucher (1000) is below the 1030 required.
        UptoChannelClient.Result again = client(c, MAX).send(get(2));

        assertThat(again.response().statusCode()).isEqualTo(200);
        assertThat(again.voucher().orElseThrow().cumulativeAmount()).isEqualTo(BigInteger.valueOf(1_030));
        assertThat(again.charged()).isEqualTo(BigInteger.valueOf(50));
    }

    @Test
    void aRefusalClaimingThisCallsOwnVoucherAsChargedGetsNoSecondVoucher() throws Exception {
        ChannelParams c = open(addr(provider), 10_000);
        String offered = HTTP.send(get(1), HttpResponse.BodyHandlers.ofString()).headers()
                .firstValue(X402.PAYMENT_REQUIRED).orElseThrow();
        JsonNode required = JSON.readTree(Base64.getDecoder().decode(offered));
        AtomicInteger payments = new AtomicInteger();
        // A hostile provider: every paid request is refused with a charged total equal to everything the client has
        // signed, including the voucher it just sent (which nothing was charged against), hoping for a second one.
        HttpServer hostile = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hostile.createContext("/", exchange -> {
            if (exchange.getRequestHeaders().getFirst(X402.PAYMENT_SIGNATURE) != null) {
                payments.incrementAndGet();
            }
            JsonNode answer = required.deepCopy();
            ((ObjectNode) answer.get("accepts").get(0).get("extra")).put("charged", String.valueOf(MAX * payments.get()));
            byte[] body = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().add(X402.PAYMENT_REQUIRED, Base64.getEncoder().encodeToString(body));
            exchange.sendResponseHeaders(402, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        hostile.start();
        try {
            UptoChannelClient client = client(c, MAX);

            UptoChannelClient.Result r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + hostile.getAddress().getPort() + "/metered/words?n=1")).GET().build());

            assertThat(r.response().statusCode()).isEqualTo(402);
            assertThat(payments).as("one voucher per call").hasValue(1);
            assertThat(payerLedger.signedTotal(c.id())).isEqualTo(BigInteger.valueOf(MAX));
            assertThat(client.charged()).isZero();
        } finally {
            hostile.stop(0);
        }
    }

    /** Sends a hand-made payment; checks it is refused with 402 naming {@code reason}, nothing served or charged. */
    private JsonNode assertRefused(String paymentHeader, String reason) throws Exception {
        int servedBefore = served.get();
        HttpResponse<String> r = pay(paymentHeader, 1);
        assertThat(r.statusCode()).isEqualTo(402);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("error").asText()).contains(reason);
        assertThat(served).hasValue(servedBefore);
        return body;
    }

    private HttpResponse<String> pay(String paymentHeader, long words) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(get(words), (n, v) -> true)
                .header(X402.PAYMENT_SIGNATURE, paymentHeader).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpRequest get(long words) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metered/words?n=" + words))
                .GET().build();
    }

    private UptoChannelClient client(ChannelParams c, long maxPerCall) {
        payerLedger.track(c, as(payer).channels().state(c.id()).deposit());
        return new UptoChannelClient(HTTP, payerLedger, c, chain.chainId(), channelsAddress(),
                BigInteger.valueOf(maxPerCall), sender(payer)::signTypedData, BigInteger.ZERO);
    }

    private String header(ChannelParams c, Voucher v) {
        return PaymentHeaders.paymentSignature(UptoRequirement.SCHEME, chain.chainId(), c, v);
    }

    private ChannelParams open(Address to, long deposit) {
        ChannelParams c = new ChannelParams(addr(payer), to, token(), addr(payer), ChannelParams.salt(SALTS.getAndIncrement()));
        as(payer).channels().open(c, BigInteger.valueOf(deposit));
        return c;
    }

    private static Voucher voucher(Credentials signer, ChannelParams c, long total) {
        VoucherDomain domain = as(signer).channels().voucherDomain();
        return domain.sign(c.id(), BigInteger.valueOf(total), sender(signer)::signTypedData);
    }

    private static BigInteger usd(Credentials who) {
        return as(devnet.account(0)).payment().balanceOf(who.getAddress());
    }

    private static Address token() {
        return Address.parse(deployment.address(PaymentTokenClient.NAME));
    }

    private static Address channelsAddress() {
        return Address.parse(deployment.address(PaymentChannelsClient.NAME));
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }
}

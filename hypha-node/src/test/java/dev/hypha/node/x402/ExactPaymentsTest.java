package dev.hypha.node.x402;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * x402 {@code exact} payments between Hypha's client and Hypha's paywall over loopback HTTP and a real hUSD on anvil:
 * a paid request moves exactly the price once; replayed, expired, not-yet-valid, wrong-amount, wrong-recipient,
 * wrong-chain, wrong-token, forged and unfunded authorizations are refused with the reason named and nothing moves.
 */
class ExactPaymentsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static X402Chain chain;

    @BeforeAll
    static void start() {
        chain = new X402Chain();
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private X402Client client(Credentials key) {
        return new X402Client(HTTP, key, new X402Client.Limits(chain.client.chainId(), BigInteger.valueOf(10_000)),
                Clock.fixed(Instant.ofEpochSecond(chain.chainTime()), ZoneOffset.UTC), new SecureRandom());
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET().build();
    }

    private static HttpResponse<String> send(String header) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(chain.url(X402Chain.PAID_PATH))).GET();
        if (header != null) {
            b.header(X402.PAYMENT_SIGNATURE, header);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A payment signed by {@code key} of {@code auth} for {@code accepted}. */
    private static ExactPayment signed(ExactRequirement accepted, Eip3009Authorization auth, Credentials key) {
        return new ExactPayment(Optional.empty(), accepted, auth, auth.sign(accepted, key).toBytes());
    }

    private static Eip3009Authorization auth(Credentials from, String to, long value, long validAfter, long validBefore) {
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        return new Eip3009Authorization(Address.parse(from.getAddress()), Address.parse(to), BigInteger.valueOf(value),
                BigInteger.valueOf(validAfter), BigInteger.valueOf(validBefore), Hex.encode(nonce));
    }

    private Eip3009Authorization honest() {
        return auth(chain.payer, chain.payee.getAddress(), X402Chain.PRICE, 0, chain.chainTime() + 120);
    }

    /** Sends {@code payment} and checks it is refused with {@code reason} and that no hUSD moved. */
    private static void refused(ExactPayment payment, String reason) throws Exception {
        BigInteger before = chain.usd(chain.payee.getAddress());
        HttpResponse<String> r = send(payment.toHeader());
        assertThat(r.statusCode()).isEqualTo(402);
        PaymentRequired answer = PaymentRequired.parseHeader(r.headers().firstValue(X402.PAYMENT_REQUIRED).orElseThrow());
        assertThat(answer.error()).startsWith(reason + ": ");
        assertThat(r.headers().firstValue(X402.PAYMENT_RESPONSE)).isEmpty();
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(before);
    }

    @Test
    void withoutPaymentTheAnswerIs402NamingThePrice() throws Exception {
        HttpResponse<String> r = send(null);
        assertThat(r.statusCode()).isEqualTo(402);
        PaymentRequired required = PaymentRequired.parseHeader(r.headers().firstValue(X402.PAYMENT_REQUIRED).orElseThrow());
        assertThat(required.accepts()).containsExactly(chain.price(chain.payee.getAddress()));
        assertThat(required.resourceUrl()).endsWith(X402Chain.PAID_PATH);
        assertThat(r.body()).contains("\"accepts\"");
    }

    @Test
    void theClientPaysExactlyThePriceOnceAndGetsTheAnswerWithItsTransaction() {
        BigInteger payerBefore = chain.usd(chain.payer.getAddress());
        BigInteger payeeBefore = chain.usd(chain.payee.getAddress());
        X402Client.Result result = client(chain.payer).send(get(chain.url(X402Chain.PAID_PATH)));
        assertThat(result.response().statusCode()).isEqualTo(200);
        assertThat(new String(result.response().body(), StandardCharsets.UTF_8)).contains("\"hello\":\"world\"");
        Settlement s = result.settlement().orElseThrow();
        assertThat(s.success()).isTrue();
        assertThat(s.transaction()).matches("0x[0-9a-f]{64}");
        assertThat(s.payer()).isEqualToIgnoringCase(chain.payer.getAddress());
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(payeeBefore.add(BigInteger.valueOf(X402Chain.PRICE)));
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore.subtract(BigInteger.valueOf(X402Chain.PRICE)));
    }

    @Test
    void aSettledPaymentLeavesTheReceiptThePayerRatesTheAgentWith() {
        Credentials agentOwner = chain.payee;
        java.math.BigInteger agent = chain.as(agentOwner).identity().register("https://agent.example/card.json");
        X402Client.Result result = client(chain.payer).send(get(chain.url(X402Chain.PAID_PATH)));
        assertThat(result.response().statusCode()).isEqualTo(200);
        Eip3009Authorization paid = result.payment().orElseThrow().authorization();
        byte[] receiptId = chain.as(chain.payer).receipts().receiptIdOf(chain.payer.getAddress(), Hex.decode(paid.nonce()));
        dev.hypha.chain.agents.PaymentReceipt receipt = chain.as(chain.payer).receipts().receipt(receiptId);
        assertThat(receipt.value()).isEqualTo(BigInteger.valueOf(X402Chain.PRICE));
        assertThat(receipt.to()).isEqualToIgnoringCase(agentOwner.getAddress());
        long index = chain.as(chain.payer).reputation().rateWithReceipt(agent,
                dev.hypha.chain.agents.Feedback.score(95, "x402", X402Chain.PAID_PATH), receiptId);
        assertThat(chain.as(chain.payer).reputation().weight(agent, chain.payer.getAddress(), index))
                .isEqualTo(BigInteger.valueOf(X402Chain.PRICE));
    }

    @Test
    void aReplayedAuthorizationIsRefused() throws Exception {
        ExactPayment payment = signed(chain.price(chain.payee.getAddress()), honest(), chain.payer);
        assertThat(send(payment.toHeader()).statusCode()).isEqualTo(200);
        refused(payment, ExactFacilitator.NONCE_USED);
    }

    @Test
    void anExpiredAuthorizationIsRefused() throws Exception {
        long now = chain.chainTime();
        refused(signed(chain.price(chain.payee.getAddress()),
                auth(chain.payer, chain.payee.getAddress(), X402Chain.PRICE, 0, now - 1), chain.payer), ExactFacilitator.EXPIRED);
        // expiring within the margin is as good as expired: it could lapse before it is mined
        refused(signed(chain.price(chain.payee.getAddress()),
                auth(chain.payer, chain.payee.getAddress(), X402Chain.PRICE, 0, now + 2), chain.payer), ExactFacilitator.EXPIRED);
    }

    @Test
    void anAuthorizationNotValidYetIsRefused() throws Exception {
        long now = chain.chainTime();
        refused(signed(chain.price(chain.payee.getAddress()),
                auth(chain.payer, chain.payee.getAddress(), X402Chain.PRICE, now + 3600, now + 7200), chain.payer),
                ExactFacilitator.NOT_YET_VALID);
    }

    @Test
    void aWrongAmountIsRefusedBothBelowAndAbove() throws Exception {
        long now = chain.chainTime();
        ExactRequirement price = chain.price(chain.payee.getAddress());
        refused(signed(price, auth(chain.payer, chain.payee.getAddress(), X402Chain.PRICE - 1, 0, now + 120), chain.payer),
                ExactFacilitator.VALUE_MISMATCH);
        refused(signed(price, auth(chain.payer, chain.payee.getAddress(), X402Chain.PRICE + 1, 0, now + 120), chain.payer),
                ExactFacilitator.VALUE_MISMATCH);
        // claiming a cheaper requirement was accepted does not help either
        ExactRequirement cheaper = new ExactRequirement(price.chainId(), BigInteger.ONE, price.asset(), price.payTo(), 120,
                price.tokenName(), price.tokenVersion());
        refused(signed(cheaper, auth(chain.payer, chain.payee.getAddress(), 1, 0, now + 120), chain.payer),
                ExactFacilitator.VALUE_MISMATCH);
    }

    @Test
    void aWrongRecipientIsRefused() throws Exception {
        String thief = chain.devnet.account(5).getAddress();
        refused(signed(chain.price(chain.payee.getAddress()),
                auth(chain.payer, thief, X402Chain.PRICE, 0, chain.chainTime() + 120), chain.payer),
                ExactFacilitator.RECIPIENT_MISMATCH);
        refused(signed(chain.price(thief), auth(chain.payer, thief, X402Chain.PRICE, 0, chain.chainTime() + 120),
                chain.payer), ExactFacilitator.RECIPIENT_MISMATCH);
    }

    @Test
    void anAuthorizationForAnotherChainIsRefused() throws Exception {
        ExactRequirement here = chain.price(chain.payee.getAddress());
        ExactRequirement mainnet = new ExactRequirement(1, here.amount(), here.asset(), here.payTo(), 120,
                here.tokenName(), here.tokenVersion());
        refused(signed(mainnet, honest(), chain.payer), ExactFacilitator.NETWORK_MISMATCH);
        // signed in another chain's domain but claimed for this one: the signature does not hold here
        Eip3009Authorization a = honest();
        refused(new ExactPayment(Optional.empty(), here, a, a.sign(mainnet, chain.payer).toBytes()),
                ExactFacilitator.BAD_SIGNATURE);
    }

    @Test
    void anotherTokenOrAForgedSignatureIsRefused() throws Exception {
        ExactRequirement here = chain.price(chain.payee.getAddress());
        ExactRequirement otherToken = new ExactRequirement(here.chainId(), here.amount(),
                Address.parse(chain.deployment.address("HyphaToken")), here.payTo(), 120, "Hypha", "1");
        refused(signed(otherToken, honest(), chain.payer), ExactFacilitator.ASSET_MISMATCH);
        // signed by someone else than the payer it names
        Eip3009Authorization a = honest();
        refused(new ExactPayment(Optional.empty(), here, a, a.sign(here, chain.devnet.account(6)).toBytes()),
                ExactFacilitator.BAD_SIGNATURE);
    }

    @Test
    void aPayerWithoutTheMoneyIsRefused() throws Exception {
        Credentials poor = chain.devnet.account(7);
        refused(signed(chain.price(chain.payee.getAddress()),
                auth(poor, chain.payee.getAddress(), X402Chain.PRICE, 0, chain.chainTime() + 120), poor),
                ExactFacilitator.INSUFFICIENT_BALANCE);
    }

    @Test
    void aMalformedHeaderIs400NamingTheField() throws Exception {
        HttpResponse<String> r = send("bm90IGpzb24=");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("PAYMENT-SIGNATURE header: not JSON");
        ExactPayment p = signed(chain.price(chain.payee.getAddress()), honest(), chain.payer);
        var tree = p.toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("payload").get("authorization")).remove("nonce");
        HttpResponse<String> r2 = send(X402Json.encodeHeader(tree));
        assertThat(r2.statusCode()).isEqualTo(400);
        assertThat(r2.body()).contains("payload.authorization: nonce must be a string");
    }

    @Test
    void theClientRefusesAPriceAboveItsLimitWithoutSigning() {
        X402Client stingy = new X402Client(HTTP, chain.payer, new X402Client.Limits(chain.client.chainId(),
                BigInteger.valueOf(X402Chain.PRICE - 1)), Clock.systemUTC(), new SecureRandom());
        BigInteger before = chain.usd(chain.payer.getAddress());
        assertThatThrownBy(() -> stingy.send(get(chain.url(X402Chain.PAID_PATH))))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("asks for " + X402Chain.PRICE + " of")
                .hasMessageContaining("up to " + (X402Chain.PRICE - 1) + " per request");
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(before);
    }
}

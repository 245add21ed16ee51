package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static dev.hypha.node.payments.LedgerFixtures.PAYER;
import static dev.hypha.node.payments.LedgerFixtures.TOKEN;
import static dev.hypha.node.payments.LedgerFixtures.channel;
import static dev.hypha.node.payments.LedgerFixtures.voucher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The x402 headers of channel payments: round trips, and every kind of hostile header refused with its reason. */
class PaymentHeadersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String validHeader() {
        ChannelParams c = channel(1);
        return PaymentHeaders.paymentSignature(31337, c, voucher(PAYER, c.id(), 12_345));
    }

    /** The valid header with one change made to its JSON. */
    private static String tampered(Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(Base64.getDecoder().decode(validHeader()));
        change.accept(root);
        return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(root));
    }

    @Test
    void aPaymentSurvivesTheTripWithItsSignatureIntact() {
        ChannelParams c = channel(1);
        Voucher v = voucher(PAYER, c.id(), 12_345);
        PaymentHeaders.ChannelPayment p = PaymentHeaders.parsePaymentSignature(PaymentHeaders.paymentSignature(31337, c, v));
        assertThat(p.network()).isEqualTo("eip155:31337");
        assertThat(p.channel()).isEqualTo(c);
        assertThat(p.voucher()).isEqualTo(v);
        assertThat(DOMAIN.isSignedBy(p.voucher(), c.signer())).isTrue();
    }

    @Test
    void paymentRequiredListsWhatToPayInX402Shape() throws Exception {
        PaymentRequirement need = new PaymentRequirement(31337, TOKEN, Address.parse(LedgerFixtures.PROVIDER.getAddress()),
                BigInteger.valueOf(2_500), DOMAIN.contract(), 60);
        JsonNode body = JSON.readTree(Base64.getDecoder().decode(
                PaymentHeaders.paymentRequired("payment required", "/api/chat", "chat with tiny", List.of(need))));
        assertThat(body.get("x402Version").asInt()).isEqualTo(2);
        JsonNode accept = body.get("accepts").get(0);
        assertThat(accept.get("scheme").asText()).isEqualTo("hypha-channel");
        assertThat(accept.get("network").asText()).isEqualTo("eip155:31337");
        assertThat(accept.get("amount").asText()).isEqualTo("2500");
        assertThat(Address.parse(accept.get("payTo").asText()).lowercaseHex()).isEqualTo(LedgerFixtures.PROVIDER.getAddress());
        assertThat(accept.get("extra").get("voucher").asText()).isEqualTo("Voucher(bytes32 channelId,uint256 cumulativeAmount)");
    }

    @Test
    void hostileHeadersAreRefusedNamingWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(null)).hasMessageEndingWith("missing");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature("A".repeat(5000))).hasMessageContaining("more than the 4096");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature("not base64!")).hasMessageEndingWith("not base64");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(b64("{\"a\":"))).hasMessageEndingWith("not base64-encoded JSON");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(b64("[1]"))).hasMessageEndingWith("not a JSON object");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(b64("{}{}"))).hasMessageEndingWith("not base64-encoded JSON");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(b64("[".repeat(50) + "]".repeat(50))))
                .hasMessageEndingWith("not base64-encoded JSON");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> r.put("x402Version", 1))))
                .hasMessageContaining("x402Version must be 2");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> r.put("scheme", "exact"))))
                .hasMessageContaining("scheme must be hypha-channel");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> r.put("network", "eip155:0"))))
                .hasMessageContaining("network must be eip155:<chain id>");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> ((ObjectNode) r.get("payload"))
                .put("cumulativeAmount", "-1")))).hasMessageContaining("cumulativeAmount must be a decimal integer");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> ((ObjectNode) r.get("payload"))
                .put("cumulativeAmount", BigInteger.TWO.pow(256).toString())))).hasMessageContaining("below 2^256");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> ((ObjectNode) r.get("payload"))
                .put("cumulativeAmount", 5)))).hasMessageContaining("cumulativeAmount must be a string");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> ((ObjectNode) r.get("payload"))
                .put("signature", "0x1234")))).hasMessageContaining("65-byte low-s signature");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> ((ObjectNode) r.get("payload").get("channel"))
                .put("payer", "0xnope")))).hasMessageContaining("payload.channel.payer must be 0x + 40 hex digits");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> ((ObjectNode) r.get("payload").get("channel"))
                .put("salt", "0x00")))).hasMessageContaining("salt must be 0x + 64 hex digits");
        assertThatThrownBy(() -> PaymentHeaders.parsePaymentSignature(tampered(r -> r.remove("payload"))))
                .hasMessageContaining("payload must be an object");
    }

    private static String b64(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void anyBytesInTheHeaderGiveAPaymentOrAMalformedErrorNothingElse(@ForAll byte[] junk) {
        assertParsesOrIsMalformed(Base64.getEncoder().encodeToString(junk));
    }

    @Property(tries = 500)
    void aValidHeaderWithAnyByteFlippedGivesAPaymentOrAMalformedError(@ForAll @IntRange(min = 0, max = 2000) int position,
                                                                       @ForAll byte flip) {
        byte[] json = Base64.getDecoder().decode(validHeader());
        json[position % json.length] ^= (byte) (flip == 0 ? 1 : flip);
        assertParsesOrIsMalformed(Base64.getEncoder().encodeToString(json));
    }

    private static void assertParsesOrIsMalformed(String header) {
        try {
            PaymentHeaders.ChannelPayment p = PaymentHeaders.parsePaymentSignature(header);
            assertThat(p.voucher().channelId()).isEqualTo(p.channel().id());
        } catch (PaymentHeaders.Malformed expected) {
            assertThat(expected.getMessage()).startsWith("PAYMENT-SIGNATURE header: ");
        }
    }
}

package dev.hypha.node.x402;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The x402 messages as hostile input and as what the official packages expect: every header and body parser either
 * reads a value or refuses with a {@link MalformedPayment} naming the field (never another exception), for random bytes
 * and for valid messages with any byte flipped; what Hypha writes reads back to the same value; the authorization's
 * EIP-712 digest is EIP-3009's.
 */
class X402MessagesTest {
    private static final Credentials KEY = Credentials.create("0x" + "11".repeat(32));
    private static final ExactRequirement PRICE = new ExactRequirement(31337, BigInteger.valueOf(1000),
            Address.parse("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"),
            Address.parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"), 120, "Hypha USD", "1");

    private static ExactPayment payment(long validBefore, byte nonceByte) {
        Eip3009Authorization a = new Eip3009Authorization(Address.parse(KEY.getAddress()), PRICE.payTo(), PRICE.amount(),
                BigInteger.ZERO, BigInteger.valueOf(validBefore), Hex.encode(filled(nonceByte)));
        return new ExactPayment(Optional.of("http://127.0.0.1/paid"), PRICE, a, a.sign(PRICE, KEY).toBytes());
    }

    private static byte[] filled(byte b) {
        byte[] n = new byte[32];
        java.util.Arrays.fill(n, b);
        return n;
    }

    /** Runs {@code parser} and accepts only a value or a MalformedPayment with a message. */
    private static void readsOrRefuses(Consumer<String> parser, String input) {
        try {
            parser.accept(input);
        } catch (MalformedPayment refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    private static final List<Consumer<String>> HEADER_PARSERS = List.of(ExactPayment::parseHeader,
            PaymentRequired::parseHeader, Settlement::parseHeader);

    @Property(tries = 300)
    void anyTextInAnyHeaderIsReadOrRefusedByName(@ForAll String junk) {
        HEADER_PARSERS.forEach(p -> readsOrRefuses(p, junk));
        HEADER_PARSERS.forEach(p -> readsOrRefuses(p, Base64.getEncoder().encodeToString(junk.getBytes(StandardCharsets.UTF_8))));
    }

    @Property(tries = 500)
    void aValidPaymentWithAnyByteFlippedIsReadOrRefusedByName(@ForAll @IntRange(min = 0, max = 1500) int position,
                                                               @ForAll byte flip) {
        byte[] json = X402Json.bytes(payment(2_000_000_000L, (byte) 7).toJson());
        json[position % json.length] ^= (byte) (flip == 0 ? 1 : flip);
        String header = Base64.getEncoder().encodeToString(json);
        readsOrRefuses(ExactPayment::parseHeader, header);
        readsOrRefuses(h -> FacilitatorBodies.read(("{\"x402Version\":2,\"paymentPayload\":"
                + new String(json, StandardCharsets.ISO_8859_1) + ",\"paymentRequirements\":"
                + new String(X402Json.bytes(PRICE.toJson()), StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.ISO_8859_1)),
                header);
    }

    @Property(tries = 300)
    void aValidPaymentRequiredWithAnyByteFlippedIsReadOrRefusedByName(@ForAll @IntRange(min = 0, max = 1000) int position,
                                                                       @ForAll byte flip) {
        byte[] json = X402Json.bytes(new PaymentRequired("", "http://x/y", "thing", List.of(PRICE)).toJson());
        json[position % json.length] ^= (byte) (flip == 0 ? 1 : flip);
        readsOrRefuses(PaymentRequired::parseHeader, Base64.getEncoder().encodeToString(json));
    }

    @Property(tries = 100)
    void paymentsReadBackAsWritten(@ForAll @LongRange(min = 1, max = 4_000_000_000L) long validBefore,
                                   @ForAll byte nonce) {
        ExactPayment p = payment(validBefore, nonce);
        ExactPayment back = ExactPayment.parseHeader(p.toHeader());
        assertThat(back.accepted()).isEqualTo(p.accepted());
        assertThat(back.authorization()).isEqualTo(p.authorization());
        assertThat(back.signature()).isEqualTo(p.signature());
        assertThat(X402Json.bytes(back.acceptedJson())).isEqualTo(X402Json.bytes(p.acceptedJson()));
    }

    @Test
    void oversizedAndDeeplyNestedInputIsRefusedBeforeParsing() {
        assertThatThrownBy(() -> ExactPayment.parseHeader("A".repeat(X402Json.MAX_HEADER_CHARS + 1)))
                .isInstanceOf(MalformedPayment.class).hasMessageContaining("more than the 8192 accepted");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> ExactPayment.parseHeader(Base64.getEncoder().encodeToString(deep.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(MalformedPayment.class);
        assertThatThrownBy(() -> FacilitatorBodies.read(new byte[X402Json.MAX_BODY_BYTES + 1]))
                .isInstanceOf(MalformedPayment.class).hasMessageContaining("more than the");
    }

    @Test
    void eachBadFieldIsNamed() {
        ObjectNode tree = payment(2_000_000_000L, (byte) 1).toJson();
        ((ObjectNode) tree.get("payload").get("authorization")).put("value", "-5");
        assertThatThrownBy(() -> ExactPayment.parseHeader(X402Json.encodeHeader(tree)))
                .hasMessageContaining("payload.authorization: value must be a decimal integer string");
        ObjectNode t2 = payment(2_000_000_000L, (byte) 1).toJson();
        ((ObjectNode) t2.get("accepted")).put("network", "solana:mainnet");
        assertThatThrownBy(() -> ExactPayment.parseHeader(X402Json.encodeHeader(t2)))
                .hasMessageContaining("accepted: network must be eip155:<chain id>");
        ObjectNode t3 = payment(2_000_000_000L, (byte) 1).toJson();
        t3.put("x402Version", 1);
        assertThatThrownBy(() -> ExactPayment.parseHeader(X402Json.encodeHeader(t3))).hasMessageContaining("x402Version must be 2");
        ObjectNode t4 = payment(2_000_000_000L, (byte) 1).toJson();
        ((ObjectNode) t4.get("payload")).put("signature", "0x" + "ab".repeat(ExactPayment.MAX_SIGNATURE_BYTES + 1));
        assertThatThrownBy(() -> ExactPayment.parseHeader(X402Json.encodeHeader(t4)))
                .hasMessageContaining("signature must be 0x + hex, 1 to 1024 bytes");
    }

    @Test
    void theSignedDigestIsEip3009sTransferWithAuthorization() {
        // keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
        Eip3009Authorization a = payment(2_000_000_000L, (byte) 1).authorization();
        assertThat(Hex.encode(Eip712.typeHash(a.typedData(PRICE), "TransferWithAuthorization")))
                .isEqualTo("0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267");
    }

    @Test
    void paymentRequiredKeepsOnlyExactEvmEntriesAndEchoesThemVerbatim() {
        ObjectNode root = new PaymentRequired("", "http://x/y", "thing", List.of(PRICE)).toJson();
        ObjectNode other = root.withArray("accepts").addObject();
        other.put("scheme", "upto").put("network", "eip155:1");
        ObjectNode solana = root.withArray("accepts").addObject();
        solana.put("scheme", "exact").put("network", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp");
        ((ObjectNode) root.withArray("accepts").get(0)).put("payTo", PRICE.payTo().lowercaseHex());
        PaymentRequired read = PaymentRequired.parseHeader(X402Json.encodeHeader(root));
        assertThat(read.accepts()).containsExactly(PRICE);
        assertThat(read.acceptsJson().getFirst().get("payTo").textValue()).isEqualTo(PRICE.payTo().lowercaseHex());
    }
}

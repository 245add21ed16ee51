package dev.hypha.node.payments;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * x402 v2's {@code PAYMENT-RESPONSE} header as Hypha's providers send it: base64 JSON of the signed {@link Receipt}
 * of the answer it comes with, the signing key's address and its EIP-712 signature (checked with
 * {@link dev.hypha.chain.channels.ReceiptDomain}). The payer reads it from a stranger, so parsing is bounded and every
 * field checked like {@link PaymentHeaders}.
 */
public final class ReceiptHeaders {
    /** Header of a paid answer. */
    public static final String PAYMENT_RESPONSE = "PAYMENT-RESPONSE";
    /**
     * Field of a streamed answer's last NDJSON line that carries the receipt (the same value as the header): headers
     * leave with the first piece, before the receipt exists.
     */
    public static final String STREAM_FIELD = "payment_response";
    /** Longest receipt header accepted (a real one is about 900 bytes). */
    public static final int MAX_HEADER_CHARS = 4096;

    private static final ObjectMapper JSON = JsonMapper.builder(new JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).maxStringLength(200)
                            .maxNumberLength(30).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A receipt with who signed it. */
    public record SignedReceipt(Receipt receipt, Address signer, Signature signature) {}

    private ReceiptHeaders() {}

    /** The header value for a signed receipt. */
    public static String encode(long chainId, SignedReceipt signed) {
        Receipt r = signed.receipt();
        ObjectNode root = JSON.createObjectNode();
        root.put("x402Version", PaymentHeaders.X402_VERSION);
        root.put("scheme", PaymentRequirement.SCHEME);
        root.put("network", "eip155:" + chainId);
        ObjectNode o = root.putObject("receipt");
        o.put("requestHash", r.requestHash());
        o.put("modelId", r.modelId());
        o.put("tokensIn", r.tokensIn());
        o.put("tokensOut", r.tokensOut());
        o.put("outputHash", r.outputHash());
        o.put("price", r.price().toString());
        o.put("channelId", r.channelId());
        o.put("cumulativeAmount", r.cumulativeAmount().toString());
        root.put("signer", signed.signer().toChecksumString());
        root.put("signature", signed.signature().toHex());
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a receipt header", e);
        }
    }

    /**
     * Reads a header value (its signature is not checked here: that needs the {@code ReceiptDomain}).
     *
     * @throws HyphaException (INPUT) naming what is wrong
     */
    public static SignedReceipt parse(String header) {
        if (header == null || header.isEmpty() || header.length() > MAX_HEADER_CHARS) {
            throw bad("must be 1 to " + MAX_HEADER_CHARS + " characters of base64");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(Base64.getDecoder().decode(header.strip()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw bad("not base64-encoded JSON");
        }
        if (root == null || !root.isObject() || !root.path("receipt").isObject()) {
            throw bad("must be a JSON object with a receipt object");
        }
        JsonNode o = root.get("receipt");
        try {
            Receipt r = new Receipt(text(o, "requestHash"), text(o, "modelId"), count(o, "tokensIn"), count(o, "tokensOut"),
                    text(o, "outputHash"), amount(o, "price"), text(o, "channelId"), amount(o, "cumulativeAmount"));
            return new SignedReceipt(r, Address.parse(text(root, "signer")), Signature.fromHex(text(root, "signature")));
        } catch (HyphaException e) {
            throw bad(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return n.textValue();
    }

    private static long count(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be an integer");
        }
        return n.longValue();
    }

    private static BigInteger amount(JsonNode parent, String field) {
        String s = text(parent, field);
        if (!s.matches("0|[1-9][0-9]{0,77}")) {
            throw new IllegalArgumentException(field + " must be a decimal integer");
        }
        return new BigInteger(s);
    }

    private static HyphaException bad(String message) {
        return new HyphaException(ErrorCategory.INPUT, PAYMENT_RESPONSE + " header: " + message);
    }
}

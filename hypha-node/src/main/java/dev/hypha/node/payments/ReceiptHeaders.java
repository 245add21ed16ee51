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
import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.chain.opml.OpmlReceipt;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.web3j.utils.Numeric;

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

    /**
     * A receipt with who signed it and, for an answer of a verifiable (IntLm) model, the provider's opML commitment to
     * the output and the trace root (field {@code opml}; absent for every other model).
     */
    public record SignedReceipt(Receipt receipt, Address signer, Signature signature, Optional<OpmlCommitment> opml) {
        public SignedReceipt {
            java.util.Objects.requireNonNull(opml, "opml");
        }

        public SignedReceipt(Receipt receipt, Address signer, Signature signature) {
            this(receipt, signer, signature, Optional.empty());
        }
    }

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
        signed.opml().ifPresent(c -> root.set("opml", opmlNode(c)));
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
            JsonNode opml = root.get("opml");
            Optional<OpmlCommitment> commitment = opml == null ? Optional.empty() : Optional.of(opml(opml));
            return new SignedReceipt(r, Address.parse(text(root, "signer")), Signature.fromHex(text(root, "signature")),
                    commitment);
        } catch (HyphaException e) {
            throw bad(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    /** The opML commitment as the JSON text a payer stores it in (the header's {@code opml} object). */
    public static String opmlJson(OpmlCommitment c) {
        try {
            return JSON.writeValueAsString(opmlNode(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an opML commitment", e);
        }
    }

    /**
     * Reads a stored {@link #opmlJson} text.
     *
     * @throws HyphaException (INPUT) naming what is wrong
     */
    public static OpmlCommitment parseOpml(String json) {
        try {
            return opml(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new HyphaException(ErrorCategory.INPUT, "opML commitment: not JSON");
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, "opML commitment: " + e.getMessage());
        }
    }

    private static ObjectNode opmlNode(OpmlCommitment c) {
        OpmlReceipt r = c.receipt();
        ObjectNode o = JSON.createObjectNode();
        o.put("provider", r.provider().toChecksumString());
        o.put("modelRoot", Numeric.toHexString(r.modelRoot()));
        o.put("seed", Long.toUnsignedString(r.seed()));
        o.put("traceRoot", Numeric.toHexString(r.traceRoot()));
        o.put("requestId", Numeric.toHexString(r.requestId()));
        o.put("prompt", Numeric.toHexString(c.prompt()));
        o.put("output", Numeric.toHexString(c.output()));
        o.put("signature", Numeric.toHexString(c.signature()));
        return o;
    }

    /** The commitment in {@code o}; the hashes and lengths it signs are computed from the tokens it carries. */
    private static OpmlCommitment opml(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("opml must be an object");
        }
        String seed = text(o, "seed");
        if (!seed.matches("0|[1-9][0-9]{0,19}") || new BigInteger(seed).bitLength() > 64) {
            throw new IllegalArgumentException("opml seed must be a decimal uint64");
        }
        byte[] prompt = hex(o, "prompt", -1);
        byte[] output = hex(o, "output", -1);
        OpmlReceipt r = OpmlReceipt.of(Address.parse(text(o, "provider")), hex(o, "modelRoot", 32), prompt, output,
                new BigInteger(seed).longValue(), hex(o, "traceRoot", 32), hex(o, "requestId", 32));
        return new OpmlCommitment(r, hex(o, "signature", 65), prompt, output);
    }

    private static byte[] hex(JsonNode parent, String field, int length) {
        String s = text(parent, field);
        if (!s.matches("0x([0-9a-fA-F]{2})*")) {
            throw new IllegalArgumentException("opml " + field + " must be 0x-prefixed hex");
        }
        byte[] b = Numeric.hexStringToByteArray(s);
        if (length >= 0 && b.length != length) {
            throw new IllegalArgumentException("opml " + field + " must be " + length + " bytes, was " + b.length);
        }
        return b;
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

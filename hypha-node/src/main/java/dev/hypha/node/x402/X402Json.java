package dev.hypha.node.x402;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Bounded reading and writing of x402 JSON (headers are base64 JSON, facilitator bodies plain JSON). Everything read
 * comes from a stranger: size, nesting, string and number lengths are bounded before parsing, and each accessor names
 * the field it wanted when it is missing or wrong, as a {@link MalformedPayment}.
 */
final class X402Json {
    /** Longest x402 header accepted: an exact payment with its echoed requirements is about 1.5 KiB of base64. */
    static final int MAX_HEADER_CHARS = 8192;
    /** Largest facilitator request body accepted. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
    private static final Pattern UINT = Pattern.compile("0|[1-9][0-9]{0,77}");
    private static final Pattern NETWORK = Pattern.compile("eip155:[1-9][0-9]{0,17}");
    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    static final ObjectMapper JSON = JsonMapper.builder(new JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(4096)
                            .maxNumberLength(80).maxDocumentLength(MAX_BODY_BYTES).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
            .build();

    private X402Json() {}

    /** Decodes a base64 JSON header into an object, or names why not. */
    static ObjectNode header(String where, String value) {
        if (value == null || value.isEmpty()) {
            throw new MalformedPayment(where, "missing");
        }
        if (value.length() > MAX_HEADER_CHARS) {
            throw new MalformedPayment(where, value.length() + " characters, more than the " + MAX_HEADER_CHARS + " accepted");
        }
        String text = value.strip();
        if (!BASE64.matcher(text).matches()) {
            throw new MalformedPayment(where, "not base64");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedPayment(where, "not base64");
        }
        return object(where, bytes);
    }

    /** Parses a JSON body into an object, or names why not. */
    static ObjectNode object(String where, byte[] bytes) {
        if (bytes.length > MAX_BODY_BYTES) {
            throw new MalformedPayment(where, bytes.length + " bytes, more than the " + MAX_BODY_BYTES + " accepted");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new MalformedPayment(where, "not JSON within the limits (nesting 16, strings 4096 characters)");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedPayment(where, "not a JSON object");
        }
        return (ObjectNode) root;
    }

    /** Base64 of the JSON of {@code node} (the header form). */
    static String encodeHeader(JsonNode node) {
        return Base64.getEncoder().encodeToString(bytes(node));
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode x402 JSON", e);
        }
    }

    static ObjectNode child(String where, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isObject()) {
            throw new MalformedPayment(where, field + " must be an object");
        }
        return (ObjectNode) n;
    }

    static String text(String where, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw new MalformedPayment(where, field + " must be a string");
        }
        return n.textValue();
    }

    static int version(String where, JsonNode parent) {
        JsonNode n = parent.get("x402Version");
        if (n == null || !n.isInt() || n.intValue() != X402.VERSION) {
            throw new MalformedPayment(where, "x402Version must be " + X402.VERSION);
        }
        return X402.VERSION;
    }

    /** A CAIP-2 EVM network id, returned as its chain id. */
    static long network(String where, JsonNode parent, String field) {
        String n = text(where, parent, field);
        if (!NETWORK.matcher(n).matches()) {
            throw new MalformedPayment(where, field + " must be eip155:<chain id>, was '" + shorten(n) + "'");
        }
        return Long.parseLong(n.substring("eip155:".length()));
    }

    /** A uint256 written as a decimal string (x402 writes every amount and time that way). */
    static BigInteger uint(String where, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        String s = n == null ? null : n.isTextual() ? n.textValue() : n.isIntegralNumber() ? n.bigIntegerValue().toString() : null;
        if (s == null || !UINT.matcher(s).matches() || new BigInteger(s).compareTo(UINT256_MAX) > 0) {
            throw new MalformedPayment(where, field + " must be a decimal integer string below 2^256");
        }
        return new BigInteger(s);
    }

    static long nonNegativeLong(String where, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.longValue() < 0) {
            throw new MalformedPayment(where, field + " must be a non-negative integer");
        }
        return n.longValue();
    }

    static Address address(String where, JsonNode parent, String field) {
        String s = text(where, parent, field);
        try {
            return Address.parse(s);
        } catch (HyphaException e) {
            throw new MalformedPayment(where, field + " must be 0x + 40 hex digits");
        }
    }

    /** 0x + 64 hex digits. */
    static String bytes32(String where, JsonNode parent, String field) {
        String s = text(where, parent, field);
        if (!s.matches("0x[0-9a-fA-F]{64}")) {
            throw new MalformedPayment(where, field + " must be 0x + 64 hex digits");
        }
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** 0x + an even number of hex digits, at most {@code maxBytes} bytes. */
    static byte[] hexBytes(String where, JsonNode parent, String field, int maxBytes) {
        String s = text(where, parent, field);
        if (!s.matches("0x([0-9a-fA-F]{2}){1," + maxBytes + "}")) {
            throw new MalformedPayment(where, field + " must be 0x + hex, 1 to " + maxBytes + " bytes");
        }
        return Hex.decode(s);
    }

    static String shorten(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return dev.hypha.core.text.TerminalText.line(cut);
    }
}

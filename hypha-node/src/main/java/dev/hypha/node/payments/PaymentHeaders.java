package dev.hypha.node.payments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The x402 v2 HTTP headers for Hypha's channel payments, both ways: {@code PAYMENT-REQUIRED} (base64 JSON of a
 * PaymentRequired whose {@code accepts[]} use the {@value PaymentRequirement#SCHEME} scheme) and {@code
 * PAYMENT-SIGNATURE} (base64 JSON carrying the channel's parameters and a cumulative voucher). A payment header comes
 * from a stranger: its size, encoding, nesting and every field are checked, and anything wrong is a {@link
 * Malformed} naming the field, never another exception.
 */
public final class PaymentHeaders {
    /** Header of a 402 answer. */
    public static final String PAYMENT_REQUIRED = "PAYMENT-REQUIRED";
    /** Header of a paid request. */
    public static final String PAYMENT_SIGNATURE = "PAYMENT-SIGNATURE";
    /** The x402 protocol version written and accepted. */
    public static final int X402_VERSION = 2;
    /** Longest payment header accepted (a real one is about 700 bytes). */
    public static final int MAX_HEADER_CHARS = 4096;

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
    private static final Pattern UINT = Pattern.compile("(0|[1-9][0-9]{0,77})");
    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    private static final ObjectMapper JSON = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1024)
                            .maxNumberLength(80).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
            .build();

    /** A payment header that cannot be used, and why (HTTP 400 in x402 terms). */
    public static final class Malformed extends HyphaException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            this(PAYMENT_SIGNATURE + " header", message);
        }

        /** A payment read from somewhere other than the header ({@code where} names it, e.g. an MCP {@code _meta} key). */
        Malformed(String where, String message) {
            super(dev.hypha.core.errors.ErrorCategory.INPUT, where + ": " + message);
            this.detail = message;
        }

        private final String detail;
    }

    /** What a paid request carries: the channel it pays on and the voucher. */
    public record ChannelPayment(String network, ChannelParams channel, Voucher voucher) {}

    private PaymentHeaders() {}

    /** The {@code PAYMENT-REQUIRED} value for a resource that can be paid for in the given ways. */
    public static String paymentRequired(String error, String resourceUrl, String description,
                                         java.util.List<PaymentRequirement> accepts) {
        return paymentRequired(error, resourceUrl, description, accepts, java.util.Optional.empty());
    }

    /**
     * The same, telling the payer (in each entry's {@code extra.charged}) what its channel already has charged, when a
     * voucher fell short of that plus the request's maximum.
     */
    public static String paymentRequired(String error, String resourceUrl, String description,
                                         java.util.List<PaymentRequirement> accepts,
                                         java.util.Optional<BigInteger> charged) {
        ObjectNode root = JSON.createObjectNode();
        root.put("x402Version", X402_VERSION);
        root.put("error", error);
        ObjectNode resource = root.putObject("resource");
        resource.put("url", resourceUrl);
        resource.put("description", description);
        resource.put("mimeType", "application/json");
        ArrayNode list = root.putArray("accepts");
        for (PaymentRequirement r : accepts) {
            ObjectNode a = list.addObject();
            a.put("scheme", PaymentRequirement.SCHEME);
            a.put("network", r.network());
            a.put("amount", r.amount().toString());
            a.put("asset", r.asset().toChecksumString());
            a.put("payTo", r.payTo().toChecksumString());
            a.put("maxTimeoutSeconds", r.maxTimeoutSeconds());
            ObjectNode extra = a.putObject("extra");
            extra.put("channels", r.channels().toChecksumString());
            extra.put("voucher", "Voucher(bytes32 channelId,uint256 cumulativeAmount)");
            charged.ifPresent(c -> extra.put("charged", c.toString()));
        }
        return encode(root);
    }

    /** The {@code PAYMENT-SIGNATURE} value a payer sends with a request. */
    public static String paymentSignature(long chainId, ChannelParams channel, Voucher voucher) {
        return paymentSignature(PaymentRequirement.SCHEME, chainId, channel, voucher);
    }

    /**
     * The same payload under another x402 scheme name: x402's {@code upto} paid over a channel (see {@code
     * x402.UptoChannelPaywall}) carries exactly this channel-and-voucher payload.
     */
    public static String paymentSignature(String scheme, long chainId, ChannelParams channel, Voucher voucher) {
        return encode(paymentPayload(scheme, chainId, channel, voucher));
    }

    /**
     * The PaymentPayload object itself (what {@link #paymentSignature} base64-encodes): x402's MCP binding carries it
     * as is, under a request's {@code _meta["x402/payment"]}.
     */
    public static ObjectNode paymentPayload(String scheme, long chainId, ChannelParams channel, Voucher voucher) {
        ObjectNode root = JSON.createObjectNode();
        root.put("x402Version", X402_VERSION);
        root.put("scheme", scheme);
        root.put("network", "eip155:" + chainId);
        ObjectNode payload = root.putObject("payload");
        ObjectNode c = payload.putObject("channel");
        c.put("payer", channel.payer().lowercaseHex());
        c.put("provider", channel.provider().lowercaseHex());
        c.put("token", channel.token().lowercaseHex());
        c.put("signer", channel.signer().lowercaseHex());
        c.put("salt", channel.salt());
        payload.put("cumulativeAmount", voucher.cumulativeAmount().toString());
        payload.put("signature", voucher.signature().toHex());
        return root;
    }

    /**
     * Reads a {@code PAYMENT-SIGNATURE} value.
     *
     * @throws Malformed naming what is wrong (size, base64, JSON, version, scheme, or a field)
     */
    public static ChannelPayment parsePaymentSignature(String header) {
        return parsePaymentSignature(PaymentRequirement.SCHEME, header);
    }

    /**
     * Reads a {@code PAYMENT-SIGNATURE} value whose scheme must be {@code scheme}.
     *
     * @throws Malformed naming what is wrong
     */
    public static ChannelPayment parsePaymentSignature(String scheme, String header) {
        if (header == null || header.isEmpty()) {
            throw new Malformed("missing");
        }
        if (header.length() > MAX_HEADER_CHARS) {
            throw new Malformed(header.length() + " characters, more than the " + MAX_HEADER_CHARS + " accepted");
        }
        String text = header.strip();
        if (!BASE64.matcher(text).matches()) {
            throw new Malformed("not base64");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw new Malformed("not base64-encoded JSON");
        }
        return readPayload(scheme, root);
    }

    /**
     * Reads a PaymentPayload object that arrived already parsed (x402's MCP binding: a request's {@code _meta} entry),
     * with the same checks as the header; {@code where} names it in errors.
     *
     * @throws Malformed naming {@code where} and what is wrong
     */
    public static ChannelPayment parsePaymentPayload(String scheme, String where, JsonNode root) {
        try {
            return readPayload(scheme, root);
        } catch (Malformed e) {
            throw new Malformed(where, e.detail);
        }
    }

    private static ChannelPayment readPayload(String scheme, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new Malformed("not a JSON object");
        }
        if (!root.path("x402Version").isInt() || root.path("x402Version").intValue() != X402_VERSION) {
            throw new Malformed("x402Version must be " + X402_VERSION);
        }
        if (!scheme.equals(root.path("scheme").asText(null))) {
            throw new Malformed("scheme must be " + scheme);
        }
        String network = text(root, "network");
        if (!network.matches("eip155:[1-9][0-9]{0,18}")) {
            throw new Malformed("network must be eip155:<chain id>");
        }
        JsonNode payload = object(root, "payload");
        JsonNode c = object(payload, "channel");
        Address payer = address(c, "payer");
        Address provider = address(c, "provider");
        Address token = address(c, "token");
        Address signer = address(c, "signer");
        String salt = text(c, "salt");
        if (!salt.matches("0x[0-9a-fA-F]{64}")) {
            throw new Malformed("payload.channel.salt must be 0x + 64 hex digits");
        }
        ChannelParams channel = new ChannelParams(payer, provider, token, signer, salt);
        String amount = text(payload, "cumulativeAmount");
        if (!UINT.matcher(amount).matches() || new BigInteger(amount).compareTo(UINT256_MAX) > 0) {
            throw new Malformed("payload.cumulativeAmount must be a decimal integer below 2^256");
        }
        Signature signature;
        try {
            signature = Signature.fromHex(text(payload, "signature"));
        } catch (RuntimeException e) {
            throw new Malformed("payload.signature must be a 65-byte low-s signature in 0x hex");
        }
        return new ChannelPayment(network, channel, new Voucher(channel.id(), new BigInteger(amount), signature));
    }

    private static String encode(ObjectNode root) {
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a payment header", e);
        }
    }

    private static JsonNode object(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isObject()) {
            throw new Malformed(field + " must be an object");
        }
        return n;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw new Malformed(field + " must be a string");
        }
        return n.textValue();
    }

    private static Address address(JsonNode parent, String field) {
        try {
            return Address.parse(text(parent, field));
        } catch (Malformed e) {
            throw e;
        } catch (HyphaException e) {
            throw new Malformed("payload.channel." + field + " must be 0x + 40 hex digits");
        }
    }
}

package dev.hypha.node.payments;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A payer's reading of a provider's {@code PAYMENT-REQUIRED} header (written by
 * {@link PaymentHeaders#paymentRequired}): the first {@code accepts[]} entry of the {@value PaymentRequirement#SCHEME}
 * scheme, and the provider's stated reason. The header comes from a stranger: size, nesting and every field are
 * bounded and checked, and anything wrong is an INPUT error naming it.
 */
public final class PaymentRequiredHeader {
    private static final ObjectMapper JSON = JsonMapper.builder(new JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1024)
                            .maxNumberLength(30).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final int MAX_ACCEPTS = 16;

    /**
     * What the provider asks, why it refused the request as it came, and (when it refused a voucher as short) what it
     * says the channel has charged already.
     */
    public record Required(PaymentRequirement requirement, String error, Optional<BigInteger> charged) {}

    private PaymentRequiredHeader() {}

    /**
     * Reads a {@code PAYMENT-REQUIRED} value.
     *
     * @throws HyphaException INPUT naming what is wrong
     */
    public static Required parse(String header) {
        if (header == null || header.isEmpty() || header.length() > PaymentHeaders.MAX_HEADER_CHARS) {
            throw bad("must be 1 to " + PaymentHeaders.MAX_HEADER_CHARS + " characters of base64");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(Base64.getDecoder().decode(header.strip()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw bad("not base64-encoded JSON");
        }
        if (root == null || !root.isObject() || root.path("x402Version").asInt(-1) != PaymentHeaders.X402_VERSION) {
            throw bad("must be a JSON object with x402Version " + PaymentHeaders.X402_VERSION);
        }
        JsonNode accepts = root.get("accepts");
        if (accepts == null || !accepts.isArray() || accepts.size() > MAX_ACCEPTS) {
            throw bad("accepts must be an array of at most " + MAX_ACCEPTS + " entries");
        }
        String error = root.path("error").isTextual() ? root.get("error").textValue() : "";
        for (JsonNode a : accepts) {
            if (a.isObject() && PaymentRequirement.SCHEME.equals(a.path("scheme").asText(null))) {
                return new Required(requirement(a), error, charged(a.path("extra")));
            }
        }
        throw bad("no accepts[] entry of scheme " + PaymentRequirement.SCHEME);
    }

    private static PaymentRequirement requirement(JsonNode a) {
        String network = text(a, "network");
        if (!network.matches("eip155:[1-9][0-9]{0,18}")) {
            throw bad("accepts[].network must be eip155:<chain id>");
        }
        String amount = text(a, "amount");
        if (!amount.matches("0|[1-9][0-9]{0,77}")) {
            throw bad("accepts[].amount must be a decimal integer");
        }
        JsonNode timeout = a.get("maxTimeoutSeconds");
        if (timeout == null || !timeout.canConvertToLong() || timeout.longValue() < 0) {
            throw bad("accepts[].maxTimeoutSeconds must be a non-negative integer");
        }
        JsonNode extra = a.get("extra");
        if (extra == null || !extra.isObject()) {
            throw bad("accepts[].extra must be an object");
        }
        return new PaymentRequirement(Long.parseLong(network.substring("eip155:".length())), address(a, "asset"),
                address(a, "payTo"), new BigInteger(amount), address(extra, "channels"), timeout.longValue());
    }

    private static Optional<BigInteger> charged(JsonNode extra) {
        JsonNode n = extra.get("charged");
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isTextual() || !n.textValue().matches("0|[1-9][0-9]{0,77}")) {
            throw bad("accepts[].extra.charged must be a decimal integer string");
        }
        return Optional.of(new BigInteger(n.textValue()));
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw bad("accepts[]." + field + " must be a string");
        }
        return n.textValue();
    }

    private static Address address(JsonNode parent, String field) {
        try {
            return Address.parse(text(parent, field));
        } catch (HyphaException e) {
            throw bad("accepts[]." + field + " must be 0x + 40 hex digits");
        }
    }

    private static HyphaException bad(String message) {
        return new HyphaException(ErrorCategory.INPUT, PaymentHeaders.PAYMENT_REQUIRED + " header: " + message);
    }
}

package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An x402 v2 PaymentRequired: why the request was refused and the ways it can be paid. A server writes it as the
 * {@value X402#PAYMENT_REQUIRED} header (and the same JSON as the 402 body); a client reads the {@code exact} EVM
 * entries out of it and skips the schemes it does not speak.
 *
 * @param error       why the request was refused ("" when it simply carried no payment)
 * @param resourceUrl the resource
 * @param description what it is
 * @param accepts     the exact entries (the ones this node writes, or the ones a client could read)
 * @param acceptsJson the same entries as the server wrote them (a payment echoes its entry verbatim)
 */
public record PaymentRequired(String error, String resourceUrl, String description, List<ExactRequirement> accepts,
                              List<ObjectNode> acceptsJson) {
    /** Most {@code accepts[]} entries read from a stranger. */
    static final int MAX_ACCEPTS = 16;

    public PaymentRequired {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(resourceUrl, "resourceUrl");
        Objects.requireNonNull(description, "description");
        accepts = List.copyOf(accepts);
        acceptsJson = acceptsJson.stream().map(ObjectNode::deepCopy).toList();
        if (acceptsJson.size() != accepts.size()) {
            throw new IllegalArgumentException("one JSON entry per requirement");
        }
    }

    /** What this node writes for {@code accepts}. */
    public PaymentRequired(String error, String resourceUrl, String description, List<ExactRequirement> accepts) {
        this(error, resourceUrl, description, accepts, accepts.stream().map(ExactRequirement::toJson).toList());
    }

    @Override
    public List<ObjectNode> acceptsJson() {
        return acceptsJson.stream().map(ObjectNode::deepCopy).toList();
    }

    /** The JSON object. */
    public ObjectNode toJson() {
        ObjectNode root = X402Json.JSON.createObjectNode();
        root.put("x402Version", X402.VERSION);
        if (!error.isEmpty()) {
            root.put("error", error);
        }
        ObjectNode resource = root.putObject("resource");
        resource.put("url", resourceUrl);
        resource.put("description", description);
        resource.put("mimeType", "application/json");
        ArrayNode list = root.putArray("accepts");
        acceptsJson.forEach(a -> list.add(a.deepCopy()));
        return root;
    }

    /** The header value. */
    public String toHeader() {
        return X402Json.encodeHeader(toJson());
    }

    /**
     * Reads a {@value X402#PAYMENT_REQUIRED} header, keeping the well-formed {@code exact} EVM entries (entries of other
     * schemes, or that this client cannot read, are skipped: another scheme's fields are not ours to judge).
     *
     * @throws MalformedPayment when the header itself is unusable or has more than {@value #MAX_ACCEPTS} entries
     */
    public static PaymentRequired parseHeader(String header) {
        String where = X402.PAYMENT_REQUIRED + " header";
        return fromJson(where, X402Json.header(where, header));
    }

    /**
     * Reads a PaymentRequired JSON object (x402's MCP binding carries it as a tool result's {@code structuredContent}),
     * keeping the {@code exact} EVM entries as {@link #parseHeader} does.
     *
     * @throws MalformedPayment naming what is wrong
     */
    public static PaymentRequired fromJson(String where, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new MalformedPayment(where, "must be an object");
        }
        X402Json.version(where, root);
        JsonNode accepts = root.get("accepts");
        if (accepts == null || !accepts.isArray() || accepts.size() > MAX_ACCEPTS) {
            throw new MalformedPayment(where, "accepts must be an array of at most " + MAX_ACCEPTS + " entries");
        }
        List<ExactRequirement> exact = new ArrayList<>();
        List<ObjectNode> exactJson = new ArrayList<>();
        for (JsonNode a : accepts) {
            if (a.isObject() && X402.EXACT.equals(a.path("scheme").asText(null))) {
                try {
                    exact.add(ExactRequirement.parse(where + " accepts[]", a));
                    exactJson.add((ObjectNode) a);
                } catch (MalformedPayment unusable) {
                    // skipped: an exact entry this client cannot pay (say, a non-EVM network) is not an error
                }
            }
        }
        String error = root.path("error").isTextual() ? root.get("error").textValue() : "";
        JsonNode resource = root.path("resource");
        return new PaymentRequired(X402Json.shorten(error), resource.path("url").asText(""),
                resource.path("description").asText(""), exact, exactJson);
    }
}

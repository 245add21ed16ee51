package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Hex;
import java.util.Objects;
import java.util.Optional;

/**
 * An x402 v2 PaymentPayload of the {@code exact} EVM scheme: the requirement the payer chose ({@code accepted}), the
 * signed EIP-3009 authorization and its signature (65 bytes from an EOA, longer from an ERC-1271 smart account).
 * Travels base64-encoded in {@value X402#PAYMENT_SIGNATURE}, or as {@code paymentPayload} in facilitator bodies.
 *
 * @param resourceUrl   the resource it pays for, when the payer said (informational)
 * @param accepted      the requirement paid
 * @param acceptedJson  the same entry exactly as the server wrote it: x402 servers find the requirement a payment is for
 *                      by deep equality with what they offered, so a client echoes it verbatim
 * @param authorization what was signed
 * @param signature     the signature bytes
 */
public record ExactPayment(Optional<String> resourceUrl, ExactRequirement accepted, ObjectNode acceptedJson,
                           Eip3009Authorization authorization, byte[] signature) {
    /** Longest signature accepted: ERC-1271 and ERC-6492 wrappers are longer than 65 bytes, but not by kilobytes. */
    static final int MAX_SIGNATURE_BYTES = 1024;

    public ExactPayment {
        Objects.requireNonNull(resourceUrl, "resourceUrl");
        Objects.requireNonNull(accepted, "accepted");
        acceptedJson = Objects.requireNonNull(acceptedJson, "acceptedJson").deepCopy();
        Objects.requireNonNull(authorization, "authorization");
        signature = Objects.requireNonNull(signature, "signature").clone();
    }

    /** A payment echoing {@code accepted} as this node writes it. */
    public ExactPayment(Optional<String> resourceUrl, ExactRequirement accepted, Eip3009Authorization authorization,
                        byte[] signature) {
        this(resourceUrl, accepted, accepted.toJson(), authorization, signature);
    }

    @Override
    public ObjectNode acceptedJson() {
        return acceptedJson.deepCopy();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The JSON object (as a facilitator body's {@code paymentPayload}). */
    public ObjectNode toJson() {
        ObjectNode root = X402Json.JSON.createObjectNode();
        root.put("x402Version", X402.VERSION);
        resourceUrl.ifPresent(url -> root.putObject("resource").put("url", url));
        root.set("accepted", acceptedJson.deepCopy());
        ObjectNode payload = root.putObject("payload");
        payload.set("authorization", authorization.toJson());
        payload.put("signature", Hex.encode(signature));
        return root;
    }

    /** The {@value X402#PAYMENT_SIGNATURE} header value. */
    public String toHeader() {
        return X402Json.encodeHeader(toJson());
    }

    /**
     * Reads a {@value X402#PAYMENT_SIGNATURE} header.
     *
     * @throws MalformedPayment naming what is wrong
     */
    public static ExactPayment parseHeader(String header) {
        return parse(X402.PAYMENT_SIGNATURE + " header", X402Json.header(X402.PAYMENT_SIGNATURE + " header", header));
    }

    /**
     * Reads a PaymentPayload JSON object (x402's MCP binding carries it as {@code _meta["x402/payment"]}).
     *
     * @throws MalformedPayment naming what is wrong
     */
    public static ExactPayment fromJson(String where, JsonNode root) {
        return parse(where, root);
    }

    /** Reads a PaymentPayload object; {@code where} names it in errors. */
    static ExactPayment parse(String where, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new MalformedPayment(where, "must be an object");
        }
        X402Json.version(where, root);
        Optional<String> resource = Optional.empty();
        JsonNode r = root.get("resource");
        if (r != null && r.isObject() && r.path("url").isTextual()) {
            resource = Optional.of(r.get("url").textValue());
        }
        ExactRequirement accepted = ExactRequirement.parse(where + " accepted", root.get("accepted"));
        ObjectNode acceptedJson = (ObjectNode) root.get("accepted");
        JsonNode payload = X402Json.child(where, root, "payload");
        Eip3009Authorization authorization = Eip3009Authorization.parse(where, payload.get("authorization"));
        byte[] signature = X402Json.hexBytes(where + " payload", payload, "signature", MAX_SIGNATURE_BYTES);
        return new ExactPayment(resource, accepted, acceptedJson, authorization, signature);
    }
}

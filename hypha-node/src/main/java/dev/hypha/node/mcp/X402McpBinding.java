package dev.hypha.node.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.MalformedPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
import dev.hypha.node.x402.UptoRequirement;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * x402 v2's MCP binding (specs/transports-v2/mcp.md): a paid tool called without payment answers a tool result with
 * {@code isError: true} whose {@code structuredContent} is the PaymentRequired object and whose text content is the
 * same JSON; the client calls again with the PaymentPayload under {@code _meta["x402/payment"]}; the paid answer carries
 * the SettleResponse under {@code _meta["x402/payment-response"]}. Both sides of the binding live here so they agree.
 * The same keys carry {@code upto} over payment channels: its PaymentRequired offers an {@code upto} entry, the
 * payment is the channel PaymentPayload (a cumulative voucher) and the settlement names the cost and the channel's
 * charged total in {@code extra}.
 */
public final class X402McpBinding {
    /** Request {@code _meta} key of the payment. */
    public static final String PAYMENT = "x402/payment";
    /** Result {@code _meta} key of the settlement. */
    public static final String PAYMENT_RESPONSE = "x402/payment-response";

    private static final ObjectMapper JSON = new ObjectMapper();

    private X402McpBinding() {}

    /** The tool result asking for payment. */
    public static McpSchema.CallToolResult paymentRequired(PaymentRequired required) {
        return paymentRequired(required.toJson());
    }

    /** The tool result asking for payment, given the PaymentRequired object (an {@code upto} one, say). */
    public static McpSchema.CallToolResult paymentRequired(ObjectNode json) {
        return McpSchema.CallToolResult.builder()
                .isError(true)
                .structuredContent(JSON.convertValue(json, Map.class))
                .content(List.of(new McpSchema.TextContent(json.toString())))
                .build();
    }

    /**
     * The payment a call carries, if any.
     *
     * @throws MalformedPayment when {@code _meta["x402/payment"]} is there but is not an exact PaymentPayload
     */
    public static Optional<ExactPayment> payment(Map<String, Object> meta) {
        if (meta == null || !meta.containsKey(PAYMENT)) {
            return Optional.empty();
        }
        return Optional.of(ExactPayment.fromJson("_meta[\"" + PAYMENT + "\"]", JSON.valueToTree(meta.get(PAYMENT))));
    }

    /**
     * The {@code upto} channel payment a call carries, if any: the same PaymentPayload as HTTP's
     * {@value dev.hypha.node.x402.X402#PAYMENT_SIGNATURE} (channel parameters and a cumulative voucher), not encoded.
     *
     * @throws PaymentHeaders.Malformed naming {@code _meta["x402/payment"]} and the field that is wrong
     */
    public static Optional<PaymentHeaders.ChannelPayment> channelPayment(Map<String, Object> meta) {
        if (meta == null || !meta.containsKey(PAYMENT)) {
            return Optional.empty();
        }
        return Optional.of(PaymentHeaders.parsePaymentPayload(UptoRequirement.SCHEME, "_meta[\"" + PAYMENT + "\"]",
                JSON.valueToTree(meta.get(PAYMENT))));
    }

    /** The request {@code _meta} carrying {@code payment}. */
    public static Map<String, Object> paymentMeta(ExactPayment payment) {
        return paymentMeta(payment.toJson());
    }

    /** The request {@code _meta} carrying a PaymentPayload object (an {@code upto} voucher's, say). */
    public static Map<String, Object> paymentMeta(ObjectNode payload) {
        return Map.of(PAYMENT, JSON.convertValue(payload, Map.class));
    }

    /** The result {@code _meta} carrying {@code settlement}. */
    public static Map<String, Object> settlementMeta(Settlement settlement) {
        return settlementMeta(settlement.toJson());
    }

    /** The result {@code _meta} carrying a SettleResponse object. */
    public static Map<String, Object> settlementMeta(ObjectNode settlement) {
        return Map.of(PAYMENT_RESPONSE, JSON.convertValue(settlement, Map.class));
    }

    /**
     * The PaymentRequired a result asks for, if it is a payment-required result ({@code isError} with an x402
     * {@code structuredContent}).
     *
     * @throws MalformedPayment when it claims to be one and cannot be read
     */
    public static Optional<PaymentRequired> requiredOf(McpSchema.CallToolResult result) {
        return requiredJsonOf(result).map(structured -> PaymentRequired.fromJson("structuredContent", structured));
    }

    /** The PaymentRequired object of a payment-required result, as the server wrote it (every scheme's entries). */
    public static Optional<JsonNode> requiredJsonOf(McpSchema.CallToolResult result) {
        if (!Boolean.TRUE.equals(result.isError()) || result.structuredContent() == null) {
            return Optional.empty();
        }
        JsonNode structured = JSON.valueToTree(result.structuredContent());
        if (!structured.isObject() || !structured.has("x402Version") || !structured.has("accepts")) {
            return Optional.empty();
        }
        return Optional.of(structured);
    }

    /** The settlement a paid result carries, if any. */
    public static Optional<Settlement> settlementOf(McpSchema.CallToolResult result) {
        return settlementJsonOf(result).map(json -> Settlement.fromJson("_meta[\"" + PAYMENT_RESPONSE + "\"]", json));
    }

    /** The SettleResponse object a paid result carries, as the server wrote it. */
    public static Optional<JsonNode> settlementJsonOf(McpSchema.CallToolResult result) {
        if (result.meta() == null || !result.meta().containsKey(PAYMENT_RESPONSE)) {
            return Optional.empty();
        }
        return Optional.of(JSON.valueToTree(result.meta().get(PAYMENT_RESPONSE)));
    }

    /** The text of a result's content (text parts joined by newlines). */
    public static String text(McpSchema.CallToolResult result) {
        StringBuilder s = new StringBuilder();
        for (McpSchema.Content c : result.content() == null ? List.<McpSchema.Content>of() : result.content()) {
            if (c instanceof McpSchema.TextContent t) {
                s.append(s.isEmpty() ? "" : "\n").append(t.text());
            }
        }
        return s.toString();
    }
}

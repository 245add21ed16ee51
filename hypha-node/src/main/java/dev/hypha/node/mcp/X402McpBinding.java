package dev.hypha.node.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.MalformedPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * x402 v2's MCP binding (specs/transports-v2/mcp.md): a paid tool called without payment answers a tool result with
 * {@code isError: true} whose {@code structuredContent} is the PaymentRequired object and whose text content is the
 * same JSON; the client calls again with the PaymentPayload under {@code _meta["x402/payment"]}; the paid answer carries
 * the SettleResponse under {@code _meta["x402/payment-response"]}. Both sides of the binding live here so they agree.
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
        ObjectNode json = required.toJson();
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

    /** The request {@code _meta} carrying {@code payment}. */
    public static Map<String, Object> paymentMeta(ExactPayment payment) {
        return Map.of(PAYMENT, JSON.convertValue(payment.toJson(), Map.class));
    }

    /** The result {@code _meta} carrying {@code settlement}. */
    public static Map<String, Object> settlementMeta(Settlement settlement) {
        return Map.of(PAYMENT_RESPONSE, JSON.convertValue(settlement.toJson(), Map.class));
    }

    /**
     * The PaymentRequired a result asks for, if it is a payment-required result ({@code isError} with an x402
     * {@code structuredContent}).
     *
     * @throws MalformedPayment when it claims to be one and cannot be read
     */
    public static Optional<PaymentRequired> requiredOf(McpSchema.CallToolResult result) {
        if (!Boolean.TRUE.equals(result.isError()) || result.structuredContent() == null) {
            return Optional.empty();
        }
        JsonNode structured = JSON.valueToTree(result.structuredContent());
        if (!structured.isObject() || !structured.has("x402Version") || !structured.has("accepts")) {
            return Optional.empty();
        }
        return Optional.of(PaymentRequired.fromJson("structuredContent", structured));
    }

    /** The settlement a paid result carries, if any. */
    public static Optional<Settlement> settlementOf(McpSchema.CallToolResult result) {
        if (result.meta() == null || !result.meta().containsKey(PAYMENT_RESPONSE)) {
            return Optional.empty();
        }
        return Optional.of(Settlement.fromJson("_meta[\"" + PAYMENT_RESPONSE + "\"]",
                JSON.valueToTree(result.meta().get(PAYMENT_RESPONSE))));
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

package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The outcome of settling a payment, as x402's SettleResponse (the {@value X402#PAYMENT_RESPONSE} header's content):
 * the transaction that moved the money, or the reason it was not moved.
 *
 * @param success     whether the transfer is on chain
 * @param reason      the reason code when not ("" on success)
 * @param message     what went wrong, for people ("" on success)
 * @param payer       who paid (checksummed; "" when unknown)
 * @param transaction the transaction hash ("" when nothing was sent)
 * @param network     the CAIP-2 network
 * @param amount      what was paid, in the token's smallest units
 */
public record Settlement(boolean success, String reason, String message, String payer, String transaction,
                         String network, String amount) {
    public Settlement {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(payer, "payer");
        Objects.requireNonNull(transaction, "transaction");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(amount, "amount");
    }

    /** x402's SettleResponse JSON. */
    public ObjectNode toJson() {
        ObjectNode o = X402Json.JSON.createObjectNode();
        o.put("success", success);
        if (!success) {
            o.put("errorReason", reason);
            o.put("errorMessage", message);
        }
        if (!payer.isEmpty()) {
            o.put("payer", payer);
        }
        o.put("transaction", transaction);
        o.put("network", network);
        if (!amount.isEmpty()) {
            o.put("amount", amount);
        }
        return o;
    }

    /** The {@value X402#PAYMENT_RESPONSE} header value. */
    public String toHeader() {
        return X402Json.encodeHeader(toJson());
    }

    /**
     * Reads a {@value X402#PAYMENT_RESPONSE} header (from a server this client paid).
     *
     * @throws MalformedPayment naming what is wrong
     */
    public static Settlement parseHeader(String header) {
        String where = X402.PAYMENT_RESPONSE + " header";
        return fromJson(where, X402Json.header(where, header));
    }

    /**
     * Reads a SettleResponse JSON object (x402's MCP binding carries it as {@code _meta["x402/payment-response"]}).
     *
     * @throws MalformedPayment naming what is wrong
     */
    public static Settlement fromJson(String where, JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new MalformedPayment(where, "must be an object");
        }
        if (!o.path("success").isBoolean()) {
            throw new MalformedPayment(where, "success must be true or false");
        }
        String tx = X402Json.text(where, o, "transaction");
        if (!tx.isEmpty() && !tx.matches("0x[0-9a-fA-F]{64}")) {
            throw new MalformedPayment(where, "transaction must be a 0x + 64 hex digits hash");
        }
        return new Settlement(o.get("success").booleanValue(), X402Json.shorten(o.path("errorReason").asText("")),
                X402Json.shorten(o.path("errorMessage").asText("")), X402Json.shorten(o.path("payer").asText("")), tx,
                X402Json.shorten(X402Json.text(where, o, "network")), X402Json.shorten(o.path("amount").asText("")));
    }
}

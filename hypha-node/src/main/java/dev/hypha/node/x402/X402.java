package dev.hypha.node.x402;

import dev.hypha.node.payments.PaymentHeaders;

/** x402 v2's names shared by the server, the facilitator and the client (headers as {@link PaymentHeaders} has them). */
public final class X402 {
    /** The protocol version written and accepted. */
    public static final int VERSION = PaymentHeaders.X402_VERSION;
    /** Header of a 402 answer: base64 JSON of a PaymentRequired. */
    public static final String PAYMENT_REQUIRED = PaymentHeaders.PAYMENT_REQUIRED;
    /** Header of a paid request: base64 JSON of a PaymentPayload. */
    public static final String PAYMENT_SIGNATURE = PaymentHeaders.PAYMENT_SIGNATURE;
    /** Header of a paid answer: base64 JSON of a SettleResponse. */
    public static final String PAYMENT_RESPONSE = "PAYMENT-RESPONSE";
    /** The scheme paying an exact amount once (EIP-3009 on EVM). */
    public static final String EXACT = "exact";

    private X402() {}

    /** The CAIP-2 id of an EVM chain. */
    public static String network(long chainId) {
        return "eip155:" + chainId;
    }
}

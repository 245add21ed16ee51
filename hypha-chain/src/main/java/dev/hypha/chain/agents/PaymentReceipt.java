package dev.hypha.chain.agents;

import java.math.BigInteger;

/**
 * A payment settled through PaymentReceipts: {@code from} paid {@code value} of the payment token to {@code to}. A
 * receipt that does not exist reads as all zeros ({@link #exists()} false).
 *
 * @param id    keccak256(abi.encode(from, nonce)) of the EIP-3009 authorization
 * @param from  payer (lower-case hex)
 * @param to    payee (lower-case hex)
 * @param value amount in the token's smallest units
 */
public record PaymentReceipt(byte[] id, String from, String to, BigInteger value) {
    public PaymentReceipt {
        id = id.clone();
    }

    @Override
    public byte[] id() {
        return id.clone();
    }

    /** Whether this payment was recorded. */
    public boolean exists() {
        return value.signum() > 0;
    }
}

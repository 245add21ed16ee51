package dev.hypha.chain.channels;

import dev.hypha.core.crypto.Signature;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A payer's promise on one channel: it owes the provider {@code cumulativeAmount} in total (token units).
 *
 * @param channelId        the channel (0x + 64 hex digits)
 * @param cumulativeAmount the total owed so far, >= 0
 * @param signature        the channel signer's EIP-712 signature (see {@link VoucherDomain})
 */
public record Voucher(String channelId, BigInteger cumulativeAmount, Signature signature) {
    public Voucher {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(signature, "signature");
        if (Objects.requireNonNull(cumulativeAmount, "cumulativeAmount").signum() < 0) {
            throw new IllegalArgumentException("cumulative amount must be >= 0, was " + cumulativeAmount);
        }
    }
}

package dev.hypha.chain.channels;

import java.math.BigInteger;

/**
 * A channel's money and status on chain.
 *
 * @param deposit  all deposited so far (0 when no such channel was opened)
 * @param redeemed all paid to the provider so far
 * @param closesAt end of the challenge window, unix seconds (0 while open or once settled)
 * @param settled  whether the channel has ended
 */
public record ChannelState(BigInteger deposit, BigInteger redeemed, long closesAt, boolean settled) {

    /** Whether a channel with this id was ever opened. */
    public boolean exists() {
        return deposit.signum() > 0 || settled;
    }

    /** Whether it still takes deposits and vouchers without a close pending. */
    public boolean isOpen() {
        return exists() && !settled && closesAt == 0;
    }

    /** What is left for the provider to earn (or for the payer to get back). */
    public BigInteger remaining() {
        return deposit.subtract(redeemed);
    }
}

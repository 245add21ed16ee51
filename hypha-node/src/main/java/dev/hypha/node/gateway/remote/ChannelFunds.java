package dev.hypha.node.gateway.remote;

import dev.hypha.chain.channels.ChannelParams;
import java.math.BigInteger;

/** Makes room on a channel when a request needs a voucher beyond its deposit: a top-up within the payer's budget. */
@FunctionalInterface
public interface ChannelFunds {

    /**
     * Tops {@code channel} up so that it can cover {@code neededTotal}, if the payer allows it.
     *
     * @param deposit the channel's deposit as the payer's ledger knows it
     * @return the deposit afterwards (unchanged when no top-up is allowed; the request is then refused)
     */
    BigInteger topUp(ChannelParams channel, BigInteger neededTotal, BigInteger deposit);

    /** Never tops up. */
    ChannelFunds NONE = (channel, neededTotal, deposit) -> deposit;
}

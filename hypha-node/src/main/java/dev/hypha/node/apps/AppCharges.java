package dev.hypha.node.apps;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/** Charges app-tagged requests: the gateway checks the app before buying an answer and charges once it is answered. */
public interface AppCharges {
    /**
     * Quotes app {@code appId}'s price for one use, refusing before any provider is paid an app that cannot be charged.
     *
     * @return the price the answer will be charged at most (the smallest units of the payment token)
     * @throws dev.hypha.node.gateway.GatewayException BAD_REQUEST for an unknown app or one priced above what this
     *                                                 gateway pays per use
     */
    BigInteger check(long appId);

    /**
     * Pays one use of {@code appId} served by {@code provider}, from the gateway's account: the price {@link #check}
     * quoted, or less if the app is cheaper by now, never more (its creator may change the price at any time).
     */
    void charge(long appId, BigInteger quoted, Address provider);
}

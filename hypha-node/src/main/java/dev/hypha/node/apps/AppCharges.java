package dev.hypha.node.apps;

import dev.hypha.core.crypto.Address;

/** Charges app-tagged requests: the gateway checks the app before buying an answer and charges once it is answered. */
public interface AppCharges {
    /**
     * Refuses, before any provider is paid, an app that cannot be charged.
     *
     * @throws dev.hypha.node.gateway.GatewayException BAD_REQUEST for an unknown app
     */
    void check(long appId);

    /** Pays app {@code appId}'s price for one use served by {@code provider}, from the gateway's account. */
    void charge(long appId, Address provider);
}

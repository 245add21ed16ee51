package dev.hypha.chain.compute;

/** Where an order is in its life, in the contract's order (its {@code OrderState} enum). */
public enum OrderState {
    /** Never created. */
    NONE,
    /** Escrowed and taking bids. */
    OPEN,
    /** A bid became its lease; the deposit streams to the provider. */
    LEASED,
    /** The lease ended (see {@link CloseReason}). */
    CLOSED,
    /** Withdrawn by the tenant before any lease; the deposit went back. */
    CANCELLED;

    /** The state the contract encodes as {@code ordinal}. */
    public static OrderState of(int ordinal) {
        OrderState[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown order state " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

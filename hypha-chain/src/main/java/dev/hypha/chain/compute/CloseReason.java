package dev.hypha.chain.compute;

/** Why a lease ended, in the contract's order (its {@code CloseReason} enum). */
public enum CloseReason {
    /** Not closed. */
    NONE,
    /** The tenant closed it. */
    TENANT,
    /** The provider closed it. */
    PROVIDER,
    /** Its deposit was used up. */
    OVERDRAWN,
    /** TrainingVerifier proved the provider at fault; the escrow still held went back to the tenant. */
    FAULT;

    /** The reason the contract encodes as {@code ordinal}. */
    public static CloseReason of(int ordinal) {
        CloseReason[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown close reason " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

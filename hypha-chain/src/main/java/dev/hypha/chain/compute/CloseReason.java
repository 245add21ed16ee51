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
    OVERDRAWN;

    /** The reason the contract encodes as {@code ordinal}. */
    public static CloseReason of(int ordinal) {
        CloseReason[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown close reason " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

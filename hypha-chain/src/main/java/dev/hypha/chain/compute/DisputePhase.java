package dev.hypha.chain.compute;

/** Where a TrainingVerifier dispute stands, in the contract's order (its {@code Phase} enum). */
public enum DisputePhase {
    /** Never opened. */
    NONE,
    /** Both sides post their root at the middle step until one step is left. */
    BISECT,
    /** Both sides reveal the children of their disputed tree node until one leaf is left. */
    DESCEND,
    /** Referees re-execute the one step and vote the disputed leaf. */
    VOTE,
    /** Decided. */
    RESOLVED;

    public static DisputePhase of(int ordinal) {
        DisputePhase[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown dispute phase " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

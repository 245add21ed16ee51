package dev.hypha.chain.compute;

/** How a TrainingVerifier dispute ended, in the contract's order (its {@code Outcome} enum). */
public enum DisputeOutcome {
    /** Not decided yet. */
    NONE,
    /** The provider's commitment stands: the challenger was slashed and its bond went to the provider. */
    PROVIDER_WON,
    /** The provider was slashed, its lease closed and the tenant refunded; the bond went back to the challenger. */
    CHALLENGER_WON,
    /** The referees' leaf was neither side's: both slashed, the bond to the slash sink. */
    BOTH_WRONG,
    /** No quorum: the bond went back, nobody was slashed. */
    UNDECIDED;

    public static DisputeOutcome of(int ordinal) {
        DisputeOutcome[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown dispute outcome " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

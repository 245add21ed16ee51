package dev.hypha.chain.coordinator;

/** Where a request is in its life, in the contract's order (its {@code Status} enum). */
public enum RequestStatus {
    /** Never created. */
    NONE,
    /** Escrowed, waiting for a provider until its deadline. */
    OPEN,
    /** Answered; the fee is held until the challenge window ends. */
    FULFILLED,
    /** Answered and disputed; the fee stays locked. */
    CHALLENGED,
    /** Answered and unchallenged; the fee went to the provider. */
    PAID,
    /** Not answered by the deadline; the escrow went back to the requester. */
    REFUNDED;

    /** The status the contract encodes as {@code ordinal}. */
    public static RequestStatus of(int ordinal) {
        RequestStatus[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown request status " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

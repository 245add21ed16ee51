package dev.hypha.node.gateway.remote;

/**
 * What went wrong with a provider, as evidence for its reputation. Faults a healthy provider can have (its machine is
 * down, overloaded, its engine broke) count once; faults only a dishonest provider has (a receipt that does not match
 * the answer, a charge above what was promised) count as cheating, which routing punishes far harder.
 */
public enum ProviderFault {
    /** Could not be reached (connection refused, TLS handshake failed, timed out). */
    UNREACHABLE(false),
    /** Answered an error status, refused our voucher, or reported an error instead of an answer. */
    REFUSED(false),
    /** Stopped mid-answer: the stream broke off or ended without its final line. */
    BROKE_OFF(false),
    /** Asked to be paid on another chain, to another address, in another token or through another contract. */
    WRONG_TERMS(true),
    /** Sent no receipt, or one not signed by its key, for another request, another text or another channel. */
    BAD_RECEIPT(true),
    /** Counted tokens the answer does not have. */
    INFLATED_TOKENS(true),
    /** Charged more than the maximum paid for, than its offer's prices, or than the voucher promised. */
    OVERCHARGED(true);

    private final boolean cheating;

    ProviderFault(boolean cheating) {
        this.cheating = cheating;
    }

    /** Whether only a dishonest provider does this (a signed claim that is false), rather than a failing one. */
    public boolean cheating() {
        return cheating;
    }
}

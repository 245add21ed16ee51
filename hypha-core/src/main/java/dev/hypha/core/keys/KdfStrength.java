package dev.hypha.core.keys;

/**
 * scrypt cost of new keystores. STANDARD is geth's default (n = 2^18, p = 1: seconds and 256 MiB per unlock in Java),
 * the right choice for real keys; LIGHT (n = 2^12, p = 1, cheaper than geth's --lightkdf) is for tests and throw-away
 * devnet accounts whose keys are public anyway. Every wallet reads both, since the parameters are stored in the file.
 */
public enum KdfStrength {
    STANDARD(1 << 18, 1),
    LIGHT(1 << 12, 1);

    private final int n;
    private final int p;

    KdfStrength(int n, int p) {
        this.n = n;
        this.p = p;
    }

    /** scrypt CPU/memory cost n. */
    public int n() {
        return n;
    }

    /** scrypt parallelism p. */
    public int p() {
        return p;
    }
}

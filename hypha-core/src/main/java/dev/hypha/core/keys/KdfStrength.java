package dev.hypha.core.keys;

/**
 * scrypt cost of new keystores. STANDARD is geth's default (n = 2^18, p = 1: about a second and 256 MiB per unlock),
 * the right choice for real keys; LIGHT is geth's --lightkdf (n = 2^12, p = 6), for tests and throw-away devnet
 * accounts. Both are read by every wallet, since the parameters are stored in the file.
 */
public enum KdfStrength {
    STANDARD(1 << 18, 1),
    LIGHT(1 << 12, 6);

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

package dev.hypha.zk.pcs;

import dev.hypha.core.crypto.Hashes;

/**
 * Proof-of-work before an opening's column queries (docs/ZK.md, "Grinding"): the prover finds a nonce with
 * keccak256(state ‖ 0x03 ‖ uint64 nonce) below 2^(256 − bits), i.e. its first {@code bits} bits zero, where state is
 * the transcript state after the two rows are absorbed; the nonce is then absorbed before the query indices are drawn.
 * Every fresh draw of queries therefore costs a cheating prover about 2^bits hashes, so the queries need only carry
 * {@code SECURITY_BITS − bits} bits of soundness for the same 2^−100 per hash evaluation. The tag 0x03 keeps these
 * hashes apart from the transcript's absorbs (0x01) and squeezes (0x02).
 */
public final class Grinding {
    static final byte TAG = 0x03;

    private Grinding() {}

    /**
     * Whether {@code nonce} is a valid proof of work of {@code bits} bits on this 32-byte transcript state. Without
     * grinding only nonce 0 (what {@link #find} gives) is valid, so a proof still has one encoding.
     */
    public static boolean valid(byte[] state, long nonce, int bits) {
        if (bits == 0) {
            return nonce == 0;
        }
        return leadingZeroBits(Hashes.keccak256(input(state, nonce))) >= bits;
    }

    /**
     * The least nonce ≥ 0 valid for {@code state}: deterministic, about 2^bits hashes. Plain search: a hash is about a
     * microsecond here, so 16 bits take well under 0.1 s.
     */
    public static long find(byte[] state, int bits) {
        if (bits == 0) {
            return 0;
        }
        byte[] in = input(state, 0);
        for (long nonce = 0; ; nonce++) {
            putLong(in, 33, nonce);
            if (leadingZeroBits(Hashes.keccak256(in)) >= bits) {
                return nonce;
            }
        }
    }

    private static byte[] input(byte[] state, long nonce) {
        if (state.length != 32) {
            throw new IllegalArgumentException("a transcript state has 32 bytes, got " + state.length);
        }
        byte[] in = new byte[41];
        System.arraycopy(state, 0, in, 0, 32);
        in[32] = TAG;
        putLong(in, 33, nonce);
        return in;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int leadingZeroBits(byte[] hash) {
        int n = 0;
        for (byte b : hash) {
            if (b != 0) {
                return n + Integer.numberOfLeadingZeros(b & 0xFF) - 24;
            }
            n += 8;
        }
        return n;
    }
}

package dev.hypha.zk.pcs;

import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.field.Ntt;
import java.util.stream.IntStream;

/**
 * The prover's side of a commitment: the polynomial's values as a matrix, every row Reed–Solomon encoded (coefficients
 * = the row, evaluated at the codeword length's roots of unity), and the Merkle tree over the encoded columns.
 * Rows are encoded and columns hashed in parallel; each is independent, so the result does not depend on scheduling.
 */
public final class CommittedPolynomial {
    private final LigeroParams params;
    private final long[][] rows;
    private final long[][] encoded;
    private final MerkleTree tree;

    private CommittedPolynomial(LigeroParams params, long[][] rows, long[][] encoded, MerkleTree tree) {
        this.params = params;
        this.rows = rows;
        this.encoded = encoded;
        this.tree = tree;
    }

    /**
     * Commits to the multilinear polynomial with these 2^numVars base-field values.
     *
     * @throws IllegalArgumentException when the count does not match the parameters or a value is not below p
     */
    public static CommittedPolynomial commit(long[] values, LigeroParams params) {
        if (values.length != 1L << params.numVars()) {
            throw new IllegalArgumentException("a " + params.numVars() + "-variable polynomial has "
                    + (1L << params.numVars()) + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Goldilocks.isCanonical(values[i])) {
                throw new IllegalArgumentException("value " + i + " (" + Long.toUnsignedString(values[i])
                        + ") is not a canonical field element");
            }
        }
        int m = params.committedRows();
        int k = params.columns();
        for (long i = (long) m * k; i < values.length; i++) {
            if (values[(int) i] != 0) {
                throw new IllegalArgumentException("value " + i + " lies in an uncommitted row (only the first " + m
                        + " rows of " + k + " values are committed) and must be zero");
            }
        }
        int n = params.codewordLength();
        long[][] rows = new long[m][];
        long[][] encoded = new long[m][];
        IntStream.range(0, m).parallel().forEach(i -> {
            rows[i] = java.util.Arrays.copyOfRange(values, i * k, (i + 1) * k);
            encoded[i] = encode(rows[i], n);
        });
        byte[][] leaves = new byte[n][];
        IntStream.range(0, n).parallel().forEach(j -> leaves[j] = MerkleTree.hashLeaf(columnBytes(encoded, j)));
        return new CommittedPolynomial(params, rows, encoded, MerkleTree.ofLeafDigests(leaves));
    }

    /** The Reed–Solomon codeword of a message: the polynomial with these coefficients at the n-th roots of unity. */
    static long[] encode(long[] message, int n) {
        long[] word = java.util.Arrays.copyOf(message, n);
        Ntt.forward(word);
        return word;
    }

    /** Column j of the encoded matrix as the bytes its Merkle leaf hashes: each entry 8 bytes big-endian, row order. */
    static byte[] columnBytes(long[][] encoded, int j) {
        byte[] out = new byte[encoded.length * 8];
        for (int i = 0; i < encoded.length; i++) {
            long v = encoded[i][j];
            for (int b = 7; b >= 0; b--) {
                out[i * 8 + b] = (byte) v;
                v >>>= 8;
            }
        }
        return out;
    }

    static byte[] columnBytes(long[] column) {
        byte[] out = new byte[column.length * 8];
        for (int i = 0; i < column.length; i++) {
            long v = column[i];
            for (int b = 7; b >= 0; b--) {
                out[i * 8 + b] = (byte) v;
                v >>>= 8;
            }
        }
        return out;
    }

    public Commitment commitment() {
        return new Commitment(tree.root(), params);
    }

    public LigeroParams params() {
        return params;
    }

    long[][] rows() {
        return rows;
    }

    long[] column(int j) {
        long[] c = new long[encoded.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = encoded[i][j];
        }
        return c;
    }

    MerkleTree tree() {
        return tree;
    }
}

package dev.hypha.zk.gkr;

import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.pcs.LigeroParams;

/**
 * The statement of one dense layer, y = W·x + b over the integers, as the field sees it: W is out × in (signed integers,
 * e.g. int8), padded with zeros to powers of two and laid out row-major so that the first log(out) variables of its
 * multilinear extension select the row and the last log(in) the column. x, b and y are signed integer vectors. Because
 * |W·x + b| stays far below p/2 for int8 layers (see docs/ZK.md), equality in the field is equality over the integers.
 */
public record DenseLayer(int in, int out) {
    /** Largest side accepted: 2^14 inputs or outputs (a 2^28-entry weight table). */
    public static final int MAX_SIDE = 1 << 14;

    public DenseLayer {
        if (in < 1 || out < 1 || in > MAX_SIDE || out > MAX_SIDE) {
            throw new IllegalArgumentException("a dense layer has 1.." + MAX_SIDE + " inputs and outputs, got " + in + " -> " + out);
        }
    }

    public int inVars() {
        return log2Ceil(in);
    }

    public int outVars() {
        return log2Ceil(out);
    }

    /** The commitment parameters for this layer's weight table at rate 1/4. */
    public LigeroParams weightParams() {
        return LigeroParams.forVariables(outVars() + inVars(), 2);
    }

    /** The padded weight table (2^outVars rows of 2^inVars field elements) from row-major signed weights. */
    public long[] weightTable(long[] weights) {
        if (weights.length != (long) in * out) {
            throw new IllegalArgumentException("a " + in + " -> " + out + " layer has " + (long) in * out + " weights, got "
                    + weights.length);
        }
        int cols = 1 << inVars();
        long[] table = new long[(1 << outVars()) * cols];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                table[o * cols + i] = Goldilocks.fromSigned(weights[o * in + i]);
            }
        }
        return table;
    }

    /** A signed vector as 2^vars field elements, zero-padded. */
    static long[] padded(long[] values, int length, int vars, String what) {
        if (values.length != length) {
            throw new IllegalArgumentException(what + " has " + length + " entries, got " + values.length);
        }
        long[] out = new long[1 << vars];
        for (int i = 0; i < length; i++) {
            out[i] = Goldilocks.fromSigned(values[i]);
        }
        return out;
    }

    static int log2Ceil(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Matrix times a batch of vectors, parallel over output rows. Each output element {@code out[t][r]} is one dot
 * product computed by one thread in a fixed order (see {@link FloatKernels} and {@link IntKernels}), so results do
 * not depend on the thread count or on how many tokens are batched together.
 *
 * <p>As in llama.cpp, quantized weights are multiplied with activations quantized to Q8_0 (for Q8_0, Q4_0, Q5_0,
 * IQ4_NL and MXFP4), Q8_1 (Q8_0 plus block sums, for Q4_1 and Q5_1) or Q8_K (for the k-quants and IQ4_XS) using exact
 * integer dot products inside each block.
 */
public final class MatMul {
    private final Parallel parallel;
    private final boolean deterministic;

    /** A deterministic multiplier (the same bits on every CPU). */
    public MatMul(Parallel parallel) {
        this(parallel, true);
    }

    /**
     * @param deterministic true: every dot product sums its block results in one fixed order (same bits for any SIMD
     *                      width); false: quantized dot products accumulate block results lane-wise (faster; the
     *                      bits still do not depend on thread count or batch size, only on the SIMD width)
     */
    public MatMul(Parallel parallel, boolean deterministic) {
        this.parallel = parallel;
        this.deterministic = deterministic;
    }

    /** The thread runner. */
    public Parallel parallel() {
        return parallel;
    }

    /** {@code out[t][r] = dot(w row r, in[t])} for every token {@code t < in.count()} and row {@code r < w.rows()}. */
    public void multiply(WeightMatrix w, ActivationBatch in, float[][] out) {
        if (in.dim() != w.cols()) {
            throw new IllegalArgumentException("tensor '" + w.name() + "' expects input vectors of " + w.cols()
                    + " elements, got " + in.dim());
        }
        int tokens = in.count();
        in.prepareFor(w.type());
        if (w.interleaved() != null) {
            // one kernel for both modes: its lanes are rows, so it is exact and width-independent anyway
            MemorySegment packed = w.interleaved();
            int cols = w.cols();
            int rows = w.rows();
            switch (w.type()) {
                case Q4_0 -> parallel.forRange(RowGroupTiles.groups(rows),
                        (g0, g1) -> InterleavedQ4_0.multiply(packed, cols, rows, g0, g1, in, tokens, out));
                case Q4_K -> parallel.forRange(RowGroupTiles.groups(rows),
                        (g0, g1) -> InterleavedQ4_K.multiply(packed, cols, rows, g0, g1, in, tokens, out));
                case Q5_K -> parallel.forRange(RowGroupTiles.groups(rows), (g0, g1) -> {
                    InterleavedQ6_K.multiply(packed, cols, rows, g0, g1, in, tokens, out);
                    Q5_KMins.subtract(packed, rows, cols, g0, g1, in, tokens, out);
                });
                case Q6_K, Q3_K -> parallel.forRange(RowGroupTiles.groups(rows),
                        (g0, g1) -> InterleavedQ6_K.multiply(packed, cols, rows, g0, g1, in, tokens, out));
                case Q8_0, Q5_0, IQ4_NL, MXFP4 -> parallel.forRange(RowGroupTiles.groups(rows),
                        (g0, g1) -> InterleavedQ8_0.multiply(packed, cols, rows, g0, g1, in, tokens, out));
                default -> throw new IllegalStateException("tensor '" + w.name() + "' is " + w.type() + ", which has no interleaved kernel");
            }
            return;
        }
        boolean exact = deterministic;
        parallel.forRange(w.rows(), (from, to) -> multiplyRows(w, in, out, tokens, from, to, exact));
    }

    private static void multiplyRows(WeightMatrix w, ActivationBatch in, float[][] out, int tokens, int from, int to, boolean exact) {
        int n = w.cols();
        long rowBytes = w.rowBytes();
        var data = w.data();
        switch (w.type()) {
            case F32 -> {
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = FloatKernels.dotF32(data, r * rowBytes, in.row(t), 0, n);
                    }
                }
            }
            case Q8_0 -> {
                // tiles of two tokens: each weight row is read and unpacked once per tile, not once per token
                int tiled = tokens - tokens % 2;
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tiled; t += 2) {
                        Q8_0.dot2(data, r * rowBytes, in.q80(t), in.q80(t + 1), n, exact, out, t, r);
                    }
                    for (int t = tiled; t < tokens; t++) {
                        out[t][r] = Q8_0.dot(data, r * rowBytes, in.q80(t), 0, n, exact);
                    }
                }
            }
            case Q4_0 -> {
                // tiles of two tokens: each weight row is read and unpacked once per tile, not once per token
                int tiled = tokens - tokens % 2;
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tiled; t += 2) {
                        Q4_0.dot2(data, r * rowBytes, in.q80(t), in.q80(t + 1), n, exact, out, t, r);
                    }
                    for (int t = tiled; t < tokens; t++) {
                        out[t][r] = Q4_0.dot(data, r * rowBytes, in.q80(t), 0, n, exact);
                    }
                }
            }
            case Q4_K -> {
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = Q4_K.dot(data, r * rowBytes, in.q8k(t), 0, n, exact);
                    }
                }
            }
            case Q6_K -> {
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = Q6_K.dot(data, r * rowBytes, in.q8k(t), 0, n, exact);
                    }
                }
            }
            case Q4_1, Q5_0, Q5_1, IQ4_NL, MXFP4 -> {
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = dotQ80(w.type(), data, r * rowBytes, in.q80(t), n);
                    }
                }
            }
            case IQ4_XS -> {
                // each row decoded once for every token of the batch
                byte[] levels = new byte[n];
                int[] scales = new int[n / 32];
                float[] d = new float[n / IQ4_XS.BLOCK];
                for (int r = from; r < to; r++) {
                    IQ4_XS.decodeRow(data, r * rowBytes, n, levels, scales, d);
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = IQ4_XS.dotDecoded(levels, scales, d, in.q8k(t), 0, n);
                    }
                }
            }
            case Q2_K -> {
                if (tokens == 1) {
                    for (int r = from; r < to; r++) {
                        out[0][r] = Q2_K.dot(data, r * rowBytes, in.q8k(0), 0, n);
                    }
                    return;
                }
                // a batch: each row decoded once for every token (decoding costs more than it saves for one token)
                byte[] scaled = new byte[n];
                byte[] mins = new byte[n / 16];
                float[] d = new float[2 * (n / Q2_K.BLOCK)];
                for (int r = from; r < to; r++) {
                    Q2_K.decodeRow(data, r * rowBytes, n, scaled, mins, d);
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = Q2_K.dotDecoded(scaled, mins, d, in.q8k(t), 0, n);
                    }
                }
            }
            case Q3_K, Q5_K -> {
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = dotQ8K(w.type(), data, r * rowBytes, in.q8k(t), n);
                    }
                }
            }
            default -> {
                // F16 and BF16: decode the row once, then reuse it for every token of the batch.
                float[] row = new float[n];
                for (int r = from; r < to; r++) {
                    TensorCodec.dequantize(w.type(), data, r * rowBytes, row, 0, n);
                    for (int t = 0; t < tokens; t++) {
                        out[t][r] = FloatKernels.dot(row, 0, in.row(t), 0, n);
                    }
                }
            }
        }
    }

    /** One row of a 32-weight block type without an interleaved kernel times Q8_0/Q8_1 activations (exact block order). */
    private static float dotQ80(GgmlType type, MemorySegment w, long off, Q8_0Activations a, int n) {
        return switch (type) {
            case Q4_1 -> Q4_1.dot(w, off, a, n);
            case Q5_0 -> Q5_0.dot(w, off, a, n);
            case Q5_1 -> Q5_1.dot(w, off, a, n);
            case IQ4_NL -> IQ4_NL.dot(w, off, a, n);
            case MXFP4 -> MXFP4.dot(w, off, a, n);
            default -> throw new IllegalStateException(type + " is not multiplied with Q8_0 activations");
        };
    }

    /** One row of a 256-weight super-block type without an interleaved kernel times Q8_K activations (exact block order). */
    private static float dotQ8K(GgmlType type, MemorySegment w, long off, Q8_KActivations a, int n) {
        return switch (type) {
            case Q2_K -> Q2_K.dot(w, off, a, 0, n);
            case Q3_K -> Q3_K.dot(w, off, a, 0, n);
            case Q5_K -> Q5_K.dot(w, off, a, 0, n);
            case IQ4_XS -> IQ4_XS.dot(w, off, a, 0, n);
            default -> throw new IllegalStateException(type + " is not multiplied with Q8_K activations");
        };
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The min terms of Q5_K weights repacked into {@link InterleavedQ6_K}'s layout. Q5_K decodes as {@code d*sc*q - dmin*m};
 * the {@code d*sc*q} part is exactly a Q6_K super-block (levels {@code q + 32}, scale {@code sc} for both groups of 16
 * of a sub-block), so the interleaved Q6_K kernel computes {@code Σ (d*da)*sumi} per row, and this class subtracts
 * {@code Σ (dmin*da)*mins} afterwards, both summed over super-blocks in order, which is what {@link Q5_K#dot} does (and,
 * like llama.cpp's AVX2 kernel, accumulates the two parts apart).
 *
 * <p>Layout, after the Q6_K records: per row and super-block, {@code dmin} as float32 then the 8 six-bit mins, one byte
 * each (12 bytes; the repacked matrix takes 224 bytes per row and super-block against Q5_K's 176).
 */
final class Q5_KMins {
    private Q5_KMins() {}

    static final int BYTES = 12;

    /** Where the mins start in a repacked matrix of {@code rows} x {@code cols}. */
    static long offset(int rows, int cols) {
        return (long) RowGroupTiles.groups(rows) * (cols / Q5_K.BLOCK) * InterleavedQ6_K.RECORD;
    }

    /** Repacks {@code w} (Q5_K): the Q6_K records, then the mins. */
    static MemorySegment pack(WeightMatrix w, java.lang.foreign.SegmentAllocator memory) {
        int blocks = w.cols() / Q5_K.BLOCK;
        long minsAt = offset(w.rows(), w.cols());
        long total = Math.addExact(minsAt, Math.multiplyExact((long) w.rows() * blocks, BYTES));
        MemorySegment dst = InterleavedQ6_K.packLevels(w, memory, total, Q5_K::levels);
        MemorySegment src = w.data();
        for (int r = 0; r < w.rows(); r++) {
            for (int b = 0; b < blocks; b++) {
                long from = r * w.rowBytes() + (long) b * Q5_K.BYTES;
                long to = minsAt + ((long) r * blocks + b) * BYTES;
                dst.set(QuantLayouts.FLOAT_LE, to, QuantLayouts.half(src, from + 2));
                for (int j = 0; j < 8; j++) {
                    dst.set(ValueLayout.JAVA_BYTE, to + 4 + j, (byte) (Q4_K.scaleMin(j, src, from + 4) >> 8));
                }
            }
        }
        return dst;
    }

    /** {@code out[t][r] -= Σ_b (dmin*da)*mins} for the rows of groups {@code [g0, g1)} and every token. */
    static void subtract(MemorySegment packed, int rows, int cols, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int blocks = cols / Q5_K.BLOCK;
        long minsAt = offset(rows, cols);
        int r1 = Math.min(rows, g1 * InterleavedQ6_K.ROWS);
        for (int r = g0 * InterleavedQ6_K.ROWS; r < r1; r++) {
            long rowAt = minsAt + (long) r * blocks * BYTES;
            for (int t = 0; t < tokens; t++) {
                out[t][r] -= rowTerm(packed, rowAt, blocks, in.q8k(t));
            }
        }
    }

    /** {@code Σ_b (dmin * da) * Σ_j m_j * (sum of the activations of sub-block j)} in super-block order. */
    static float rowTerm(MemorySegment packed, long rowAt, int blocks, Q8_KActivations a) {
        float mins = 0;
        for (int b = 0; b < blocks; b++) {
            long at = rowAt + (long) b * BYTES;
            int sumMins = 0;
            for (int j = 0; j < 8; j++) {
                sumMins += a.sums32[8 * b + j] * QuantLayouts.u8(packed, at + 4 + j);
            }
            float dmin = a.scales[b] * packed.get(QuantLayouts.FLOAT_LE, at);
            mins += dmin * sumMins;
        }
        return mins;
    }
}

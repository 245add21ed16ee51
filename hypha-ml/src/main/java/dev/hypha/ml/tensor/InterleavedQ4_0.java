package dev.hypha.ml.tensor;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 weights repacked at load time so that one SIMD register holds {@link #ROWS} rows at once (as llama.cpp's
 * CPU_REPACK does for its own kernels), and the matrix-vector kernel for that layout.
 *
 * <p>Why: multiplying one row at a time, every 32-weight block ends in a horizontal reduction and a scale, which
 * costs as much as the multiplications themselves (the Vector API has no {@code pmaddubsw}/VNNI to fold them).
 * With rows side by side, each short lane belongs to one row: the products of a whole block accumulate in place,
 * one pair-sum turns a register into one exact integer per row, and the scales of all {@code ROWS} rows are applied
 * with one vector multiply.
 *
 * <p>Layout: rows are taken in groups of {@link #ROWS} (the last group padded with zero rows); for each group and each
 * block, a record of {@link #RECORD} bytes: 8 chunks of {@code 2 * ROWS} bytes, chunk {@code c} holding bytes
 * {@code 2c, 2c+1} of the block's 16 nibble bytes for every row in turn (so the low nibbles are elements
 * {@code 2c, 2c+1} and the high nibbles elements {@code 16+2c, 17+2c}), then the {@code ROWS} block scales as
 * little-endian float32 (the fp16 scale widened once; 20 bytes per row and block instead of 18).
 *
 * <p>The result is the same bits as {@link Q4_0#dot} in exact order: each block's integer sum is exact
 * ({@code sum(nibble * a) - 8 * sum(a)}), and every row adds {@code sum * (d * da)} in block order in its own float
 * lane. Lanes never mix, so neither the SIMD width nor the thread count changes a bit; deterministic and fast mode are
 * one and the same here.
 */
final class InterleavedQ4_0 {
    private InterleavedQ4_0() {}

    /** Rows per group: one int lane per row. */
    static final int ROWS = VectorConfig.INT.length();
    static final int RECORD = 20 * ROWS;
    private static final long SCALES = 16L * ROWS;
    private static final long CHUNK = 2L * ROWS;

    /** Repacks {@code w} (Q4_0) into new memory from {@code memory}. */
    static MemorySegment pack(WeightMatrix w, SegmentAllocator memory) {
        int blocks = w.cols() / Q4_0.BLOCK;
        int groups = RowGroupTiles.groups(w.rows());
        MemorySegment dst = memory.allocate(Math.multiplyExact((long) groups * blocks, RECORD), 64);
        MemorySegment src = w.data();
        long rowBytes = w.rowBytes();
        for (int row = 0; row < w.rows(); row++) {
            int g = row / ROWS;
            int r = row % ROWS;
            for (int b = 0; b < blocks; b++) {
                long from = row * rowBytes + (long) b * Q4_0.BYTES;
                long rec = ((long) g * blocks + b) * RECORD;
                for (int c = 0; c < 8; c++) {
                    dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, rec + c * CHUNK + 2L * r, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from + 2 + 2L * c));
                }
                dst.set(QuantLayouts.FLOAT_LE, rec + SCALES + 4L * r, QuantLayouts.half(src, from));
            }
        }
        return dst;
    }

    /** {@code out[t][r]} for every row {@code r} of groups {@code [g0, g1)} and every token {@code t < tokens}. */
    static void multiply(MemorySegment w, int cols, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int blocks = cols / Q4_0.BLOCK;
        RowGroupTiles.run(rows, g0, g1, tokens, out, new RowGroupTiles.GroupKernel() {
            @Override
            public void one(int g, int t, Scratch scratch) {
                group(w, (long) g * blocks * RECORD, blocks, in.q80(t), scratch);
            }

            @Override
            public void two(int g, int t, Scratch scratch) {
                group2(w, (long) g * blocks * RECORD, blocks, in.q80(t), in.q80(t + 1), scratch);
            }
        });
    }

    /** {@link #group} for two activation vectors at once (every token's operations and their order unchanged). */
    private static void group2(MemorySegment w, long base, int blocks, Q8_0Activations a0, Q8_0Activations a1, Scratch scratch) {
        float[] acc = scratch.results;
        java.util.Arrays.fill(acc, 0f);
        int[] p0 = a0.pairs, p1 = a1.pairs;
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            int p = b * 16;
            ShortVector s0 = ShortVector.zero(VectorConfig.SHORT), s1 = s0;
            for (int c = 0; c < 8; c++) {
                ShortVector x = nibbleBytes(w, rec + c * CHUNK);
                ShortVector lo = x.and((short) 0x0F);
                ShortVector hi = x.lanewise(VectorOperators.LSHR, 4);
                int l = p + c;
                int h = p + 8 + c;
                s0 = s0.add(lo.mul(IntKernels.broadcastPair(p0[l]))).add(hi.mul(IntKernels.broadcastPair(p0[h])));
                s1 = s1.add(lo.mul(IntKernels.broadcastPair(p1[l]))).add(hi.mul(IntKernels.broadcastPair(p1[h])));
            }
            // as in group, written out: passed to a helper that C2 did not inline, the vectors were boxed
            FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + SCALES, ByteOrder.LITTLE_ENDIAN);
            IntVector sum0 = IntKernels.pairSums(s0).sub(8 * a0.blockSums[b]);
            IntVector sum1 = IntKernels.pairSums(s1).sub(8 * a1.blockSums[b]);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, 0)
                    .add(((FloatVector) sum0.convert(VectorOperators.I2F, 0)).mul(d.mul(a0.scales[b]))).intoArray(acc, 0);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, ROWS)
                    .add(((FloatVector) sum1.convert(VectorOperators.I2F, 0)).mul(d.mul(a1.scales[b]))).intoArray(acc, ROWS);
        }
    }

    /**
     * One group of rows times one activation vector: the {@link #ROWS} results into {@code scratch.results}. The
     * running totals live in that array, not in a register: a vector carried across the block loop around the
     * chunk loop was boxed by C2 (an object per block).
     */
    private static void group(MemorySegment w, long base, int blocks, Q8_0Activations a, Scratch scratch) {
        int[] pairs = a.pairs;
        float[] acc = scratch.results;
        java.util.Arrays.fill(acc, 0, ROWS, 0f);
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            int p = b * 16;
            // at most 16 products of a nibble (<= 15) and an int8 (|a| <= 127) per lane: 30480, exact in a short
            ShortVector s = ShortVector.zero(VectorConfig.SHORT);
            for (int c = 0; c < 8; c++) {
                ShortVector x = nibbleBytes(w, rec + c * CHUNK);
                s = s.add(x.and((short) 0x0F).mul(IntKernels.broadcastPair(pairs[p + c])))
                        .add(x.lanewise(VectorOperators.LSHR, 4).mul(IntKernels.broadcastPair(pairs[p + 8 + c])));
            }
            // each row: (float) (sum - 8 * sum(a)) * (d * da), added in block order
            IntVector sum = IntKernels.pairSums(s).sub(8 * a.blockSums[b]);
            FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + SCALES, ByteOrder.LITTLE_ENDIAN);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, 0)
                    .add(((FloatVector) sum.convert(VectorOperators.I2F, 0)).mul(d.mul(a.scales[b]))).intoArray(acc, 0);
        }
    }

    /** {@code 2 * ROWS} packed bytes widened to short lanes without sign extension. */
    private static ShortVector nibbleBytes(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0);
    }
}

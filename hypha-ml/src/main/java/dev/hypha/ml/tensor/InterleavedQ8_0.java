package dev.hypha.ml.tensor;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 weights repacked at load time with {@link #ROWS} rows side by side, and the matrix-vector kernel for that
 * layout (the reasons are those of {@link InterleavedQ4_0}). Generation with Q8_0 is bound by memory bandwidth either
 * way; the gain is in prompt processing, where the one-row kernel's per-block reductions dominate.
 *
 * <p>Layout: for each group of {@link #ROWS} rows (the last padded with zero rows) and each block, a record of
 * {@link #RECORD} bytes: 16 chunks of {@code 2 * ROWS} bytes, chunk {@code c} holding bytes {@code 2c, 2c+1} of the
 * block's 32 int8 weights for every row in turn, then the {@code ROWS} scales as little-endian float32 (36 bytes per
 * row and block instead of 34).
 *
 * <p>Same bits as {@link Q8_0#dot} in exact order. An int8 product reaches {@code 128 * 127 = 16256}, so a short lane
 * holds exactly two of them: the products of two chunks are added in shorts, then pair-summed into the int lanes. Each
 * row's lane adds {@code sum * (d * da)} block by block.
 */
final class InterleavedQ8_0 {
    private InterleavedQ8_0() {}

    static final int ROWS = VectorConfig.INT.length();
    static final int RECORD = 36 * ROWS;
    private static final long CHUNK = 2L * ROWS;
    private static final long SCALES = 32L * ROWS;

    /** Repacks {@code w} (Q8_0) into new memory from {@code memory}. */
    static MemorySegment pack(WeightMatrix w, SegmentAllocator memory) {
        int blocks = w.cols() / Q8_0.BLOCK;
        int groups = RowGroupTiles.groups(w.rows());
        MemorySegment dst = memory.allocate(Math.multiplyExact((long) groups * blocks, RECORD), 64);
        MemorySegment src = w.data();
        long rowBytes = w.rowBytes();
        for (int row = 0; row < w.rows(); row++) {
            int g = row / ROWS;
            int r = row % ROWS;
            for (int b = 0; b < blocks; b++) {
                long from = row * rowBytes + (long) b * Q8_0.BYTES;
                long rec = ((long) g * blocks + b) * RECORD;
                for (int c = 0; c < 16; c++) {
                    dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, rec + c * CHUNK + 2L * r, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from + 2 + 2L * c));
                }
                dst.set(QuantLayouts.FLOAT_LE, rec + SCALES + 4L * r, QuantLayouts.half(src, from));
            }
        }
        return dst;
    }

    /** One block of a type whose weights are int8 levels times one float scale per 32 (Q5_0, IQ4_NL, MXFP4). */
    @FunctionalInterface
    interface BlockLevels {
        /** Writes the block at {@code off} of {@code s} as 32 int8 levels into {@code q} (element order); returns its scale. */
        float read(MemorySegment s, long off, byte[] q);
    }

    /**
     * Repacks {@code w}, whose type stores each block of 32 as int8 levels times one scale that {@code levels} decodes,
     * into this layout. Exact: its integer sums and {@code sum * (d * da)} per block are the type's own one-row kernel's,
     * so the results are the same bits; the cost is memory (36 bytes per row and block instead of 17-22).
     */
    static MemorySegment packLevels(WeightMatrix w, SegmentAllocator memory, BlockLevels levels) {
        int blocks = w.cols() / Q8_0.BLOCK;
        int groups = RowGroupTiles.groups(w.rows());
        MemorySegment dst = memory.allocate(Math.multiplyExact((long) groups * blocks, RECORD), 64);
        MemorySegment src = w.data();
        long rowBytes = w.rowBytes();
        int blockBytes = w.type().typeSize();
        byte[] q = new byte[Q8_0.BLOCK];
        for (int row = 0; row < w.rows(); row++) {
            int g = row / ROWS;
            int r = row % ROWS;
            for (int b = 0; b < blocks; b++) {
                long rec = ((long) g * blocks + b) * RECORD;
                float d = levels.read(src, row * rowBytes + (long) b * blockBytes, q);
                for (int c = 0; c < 16; c++) {
                    dst.set(ValueLayout.JAVA_BYTE, rec + c * CHUNK + 2L * r, q[2 * c]);
                    dst.set(ValueLayout.JAVA_BYTE, rec + c * CHUNK + 2L * r + 1, q[2 * c + 1]);
                }
                dst.set(QuantLayouts.FLOAT_LE, rec + SCALES + 4L * r, d);
            }
        }
        return dst;
    }

    /** {@code out[t][r]} for every row {@code r} of groups {@code [g0, g1)} and every token {@code t < tokens}. */
    static void multiply(MemorySegment w, int cols, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int blocks = cols / Q8_0.BLOCK;
        if (tokens >= UNPACK_FROM) {
            multiplyUnpacked(w, blocks, rows, g0, g1, in, tokens, out);
            return;
        }
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

    /**
     * One group of rows times one activation vector: the {@link #ROWS} results into {@code scratch.results} (the running
     * totals live there: carried in a register across the block loop, C2 boxed them, as in {@link InterleavedQ4_0}).
     */
    private static void group(MemorySegment w, long base, int blocks, Q8_0Activations a, Scratch scratch) {
        int[] pairs = a.pairs;
        float[] acc = scratch.results;
        java.util.Arrays.fill(acc, 0, ROWS, 0f);
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            int p = b * 16;
            IntVector sum = IntVector.zero(VectorConfig.INT);
            for (int c = 0; c < 16; c += 2) {
                ShortVector s = weights(w, rec + c * CHUNK).mul(IntKernels.broadcastPair(pairs[p + c]))
                        .add(weights(w, rec + (c + 1) * CHUNK).mul(IntKernels.broadcastPair(pairs[p + c + 1])));
                sum = sum.add(IntKernels.pairSums(s));
            }
            FloatVector scale = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + SCALES, ByteOrder.LITTLE_ENDIAN).mul(a.scales[b]);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, 0).add(((FloatVector) sum.convert(VectorOperators.I2F, 0)).mul(scale))
                    .intoArray(acc, 0);
        }
    }

    /** {@link #group} for two activation vectors at once (every token's operations and their order unchanged). */
    private static void group2(MemorySegment w, long base, int blocks, Q8_0Activations a0, Q8_0Activations a1, Scratch scratch) {
        float[] acc = scratch.results;
        java.util.Arrays.fill(acc, 0f);
        int[] p0 = a0.pairs;
        int[] p1 = a1.pairs;
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            int p = b * 16;
            IntVector sum0 = IntVector.zero(VectorConfig.INT);
            IntVector sum1 = IntVector.zero(VectorConfig.INT);
            for (int c = 0; c < 16; c += 2) {
                ShortVector x = weights(w, rec + c * CHUNK);
                ShortVector y = weights(w, rec + (c + 1) * CHUNK);
                sum0 = sum0.add(IntKernels.pairSums(x.mul(IntKernels.broadcastPair(p0[p + c])).add(y.mul(IntKernels.broadcastPair(p0[p + c + 1])))));
                sum1 = sum1.add(IntKernels.pairSums(x.mul(IntKernels.broadcastPair(p1[p + c])).add(y.mul(IntKernels.broadcastPair(p1[p + c + 1])))));
            }
            FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + SCALES, ByteOrder.LITTLE_ENDIAN);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, 0)
                    .add(((FloatVector) sum0.convert(VectorOperators.I2F, 0)).mul(d.mul(a0.scales[b]))).intoArray(acc, 0);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, ROWS)
                    .add(((FloatVector) sum1.convert(VectorOperators.I2F, 0)).mul(d.mul(a1.scales[b]))).intoArray(acc, ROWS);
        }
    }

    /**
     * From this many tokens on, {@link #multiplyUnpacked} (measured at 512 bits, one thread, 5632 x 2048: equal at 8
     * tokens, 1.1x at 16, 1.15-1.17x at 32; at 5 the measurements were too noisy to tell).
     */
    static final int UNPACK_FROM = 8;
    /** Blocks widened at once: 8 of 32 weights per row, 128 short vectors (8 KiB at 512 bits, well inside L1). */
    private static final int SPAN = 8;

    /**
     * Batches: {@link #SPAN} blocks of a row group at a time are widened once to short lanes (a scratch that stays in
     * L1), then every token, two at a time, reads them back ({@link #block}). Every token's integer sums are exact and
     * its float operations are those of {@link #group} in the same block order, so no bit changes.
     */
    private static void multiplyUnpacked(MemorySegment w, int blocks, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int lanes = VectorConfig.SHORT.length();
        short[] levels = Scratch.get().shorts(SPAN * 16 * lanes);
        float[] acc = Scratch.get().floats(tokens * ROWS);
        for (int g = g0; g < g1; g++) {
            long base = (long) g * blocks * RECORD;
            java.util.Arrays.fill(acc, 0f);
            for (int b0 = 0; b0 < blocks; b0 += SPAN) {
                int n = Math.min(SPAN, blocks - b0);
                for (int j = 0; j < n; j++) {
                    long rec = base + (long) (b0 + j) * RECORD;
                    for (int c = 0; c < 16; c++) {
                        weights(w, rec + c * CHUNK).intoArray(levels, (16 * j + c) * lanes);
                    }
                }
                int t = 0;
                for (; t + 2 <= tokens; t += 2) {
                    Q8_0Activations a0 = in.q80(t), a1 = in.q80(t + 1);
                    for (int j = 0; j < n; j++) {
                        block(levels, j, w, base + (long) (b0 + j) * RECORD, b0 + j, a0, a1, true, acc, t * ROWS);
                    }
                }
                if (t < tokens) {
                    // the odd token last: computed as a pair with itself, only the first result kept
                    Q8_0Activations a = in.q80(t);
                    for (int j = 0; j < n; j++) {
                        block(levels, j, w, base + (long) (b0 + j) * RECORD, b0 + j, a, a, false, acc, t * ROWS);
                    }
                }
            }
            VectorMask<Float> valid = VectorConfig.FLOAT.indexInRange(g * ROWS, rows);
            for (int t = 0; t < tokens; t++) {
                FloatVector.fromArray(VectorConfig.FLOAT, acc, t * ROWS).intoArray(out[t], g * ROWS, valid);
            }
        }
    }

    /**
     * Block {@code b} (unpacked as block {@code j} of the span, record at {@code rec}) for tokens {@code a0} into
     * {@code acc[off..off+ROWS)} and, if {@code both}, {@code a1} into the next {@code ROWS}. The exact int sums avoid
     * {@link IntKernels#pairSums} (four operations per vector): a bias of {@code 0x8000} added to the low short of every
     * int lane {@code v} (at most {@code 2 * 128 * 127 = 32512} in magnitude before, so 256..65280 after) makes it
     * non-negative, then {@code v >> 16} is exactly the high short and {@code v - 65536 * (v >> 16)} the biased low
     * one; per token the block keeps the sums of {@code v} and of {@code v >> 16} and takes out {@code 65535} times the
     * latter and the 8 biases once. The int additions may wrap; the true block sum fits an int ({@code 32 * 128 * 127}),
     * so modular arithmetic gives it exactly. (Tried in the two-token tiles of {@link #group2} too: 1.09x at 32 tokens
     * but 1.3x slower at 2, so not kept there.)
     */
    private static void block(short[] levels, int j, MemorySegment w, long rec, int b, Q8_0Activations a0, Q8_0Activations a1,
                              boolean both, float[] acc, int off) {
        int lanes = VectorConfig.SHORT.length();
        int[] p0 = a0.pairs;
        int[] p1 = a1.pairs;
        int p = b * 16;
        ShortVector bias = IntKernels.broadcastPair(0x8000);
        IntVector raw0 = IntVector.zero(VectorConfig.INT);
        IntVector high0 = raw0;
        IntVector raw1 = raw0;
        IntVector high1 = raw0;
        for (int c = 0; c < 16; c += 2) {
            ShortVector x = ShortVector.fromArray(VectorConfig.SHORT, levels, (16 * j + c) * lanes);
            ShortVector y = ShortVector.fromArray(VectorConfig.SHORT, levels, (16 * j + c + 1) * lanes);
            IntVector r0 = x.mul(IntKernels.broadcastPair(p0[p + c])).add(y.mul(IntKernels.broadcastPair(p0[p + c + 1]))).add(bias).reinterpretAsInts();
            IntVector r1 = x.mul(IntKernels.broadcastPair(p1[p + c])).add(y.mul(IntKernels.broadcastPair(p1[p + c + 1]))).add(bias).reinterpretAsInts();
            raw0 = raw0.add(r0);
            high0 = high0.add(r0.lanewise(VectorOperators.ASHR, 16));
            raw1 = raw1.add(r1);
            high1 = high1.add(r1.lanewise(VectorOperators.ASHR, 16));
        }
        IntVector sum0 = raw0.sub(high0.mul(65535)).sub(8 * 32768);
        IntVector sum1 = raw1.sub(high1.mul(65535)).sub(8 * 32768);
        FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + SCALES, ByteOrder.LITTLE_ENDIAN);
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off)
                .add(((FloatVector) sum0.convert(VectorOperators.I2F, 0)).mul(d.mul(a0.scales[b]))).intoArray(acc, off);
        if (both) {
            FloatVector.fromArray(VectorConfig.FLOAT, acc, off + ROWS)
                    .add(((FloatVector) sum1.convert(VectorOperators.I2F, 0)).mul(d.mul(a1.scales[b]))).intoArray(acc, off + ROWS);
        }
    }

    /** {@code 2 * ROWS} int8 weights sign-extended to short lanes. */
    private static ShortVector weights(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2S, VectorConfig.SHORT, 0);
    }
}

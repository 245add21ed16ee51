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
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K weights repacked at load time with {@link #ROWS} rows side by side, and the matrix-vector kernel for that
 * layout (the reasons are those of {@link InterleavedQ4_0}; here the per-row work saved also includes unpacking the
 * 6-bit scales and mins of every super-block, done once at load).
 *
 * <p>Layout: for each group of {@link #ROWS} rows (the last padded with zero rows) and each super-block, a record of
 * {@link #RECORD} bytes: the 8 sub-blocks of 32 nibbles re-paired as in Q4_0 (byte {@code i} of a sub-block holds its
 * elements {@code i} and {@code i+16}; GGUF pairs element {@code i} of two different sub-blocks instead), each as 8
 * chunks of {@code 2 * ROWS} bytes (chunk {@code c}: bytes {@code 2c, 2c+1} of every row in turn); then the 8
 * sub-block scales, one byte per row each; the 8 mins likewise; then {@code d} and {@code dmin} as float32 per row.
 * 152 bytes per row and super-block instead of 144. Re-pairing puts both nibbles of a byte in one sub-block, so one
 * 16-bit accumulator per token serves a whole sub-block: two-token tiles then keep two accumulators live, where four
 * made C2 box the vectors (several times slower).
 *
 * <p>Same bits as {@link Q4_K#dot} in exact order: the scaled integer sums and the min corrections are exact, and each
 * row's lane adds {@code (d * da) * sum} and subtracts {@code (dmin * da) * mins} super-block by super-block.
 */
final class InterleavedQ4_K {
    private InterleavedQ4_K() {}

    static final int ROWS = VectorConfig.INT.length();
    static final int RECORD = 152 * ROWS;
    private static final long CHUNK = 2L * ROWS;
    private static final long SUB_BLOCK = 8 * CHUNK;
    private static final long SCALES = 128L * ROWS;
    private static final long MINS = 136L * ROWS;
    private static final long D = 144L * ROWS;
    private static final long DMIN = 148L * ROWS;
    /** Bytes loaded to widen one byte per row into int lanes: at least 8 (the narrowest species), read past the record at the end. */
    private static final VectorSpecies<Byte> ROW_BYTES =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Math.max(64, ROWS * 8)));
    private static final long TAIL = ROW_BYTES.vectorByteSize();

    /** Repacks {@code w} (Q4_K) into new memory from {@code memory}. */
    static MemorySegment pack(WeightMatrix w, SegmentAllocator memory) {
        int blocks = w.cols() / Q4_K.BLOCK;
        int groups = RowGroupTiles.groups(w.rows());
        MemorySegment dst = memory.allocate(Math.addExact(Math.multiplyExact((long) groups * blocks, RECORD), TAIL), 64);
        MemorySegment src = w.data();
        long rowBytes = w.rowBytes();
        for (int row = 0; row < w.rows(); row++) {
            int g = row / ROWS;
            int r = row % ROWS;
            for (int b = 0; b < blocks; b++) {
                long from = row * rowBytes + (long) b * Q4_K.BYTES;
                long rec = ((long) g * blocks + b) * RECORD;
                for (int sub = 0; sub < 8; sub++) {
                    // GGUF: element e of sub-block 2j+h is nibble h of byte 32j+e
                    long run = from + 16 + 32L * (sub / 2);
                    int shift = 4 * (sub % 2);
                    for (int i = 0; i < 16; i++) {
                        int lo = (QuantLayouts.u8(src, run + i) >> shift) & 0x0F;
                        int hi = (QuantLayouts.u8(src, run + 16 + i) >> shift) & 0x0F;
                        dst.set(ValueLayout.JAVA_BYTE, rec + sub * SUB_BLOCK + (i / 2) * CHUNK + 2L * r + i % 2, (byte) (lo | hi << 4));
                    }
                    int scaleMin = Q4_K.scaleMin(sub, src, from + 4);
                    dst.set(ValueLayout.JAVA_BYTE, rec + SCALES + (long) sub * ROWS + r, (byte) scaleMin);
                    dst.set(ValueLayout.JAVA_BYTE, rec + MINS + (long) sub * ROWS + r, (byte) (scaleMin >> 8));
                }
                dst.set(QuantLayouts.FLOAT_LE, rec + D + 4L * r, QuantLayouts.half(src, from));
                dst.set(QuantLayouts.FLOAT_LE, rec + DMIN + 4L * r, QuantLayouts.half(src, from + 2));
            }
        }
        return dst;
    }

    /** {@code out[t][r]} for every row {@code r} of groups {@code [g0, g1)} and every token {@code t < tokens}. */
    static void multiply(MemorySegment w, int cols, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int blocks = cols / Q4_K.BLOCK;
        if (tokens >= UNPACK_FROM) {
            multiplyUnpacked(w, blocks, rows, g0, g1, in, tokens, out);
            return;
        }
        RowGroupTiles.run(rows, g0, g1, tokens, out, new RowGroupTiles.GroupKernel() {
            @Override
            public void one(int g, int t, Scratch scratch) {
                group(w, (long) g * blocks * RECORD, blocks, in.q8k(t), scratch);
            }

            @Override
            public void two(int g, int t, Scratch scratch) {
                group2(w, (long) g * blocks * RECORD, blocks, in.q8k(t), in.q8k(t + 1), scratch);
            }
        });
    }

    /**
     * From this many tokens on, {@link #multiplyUnpacked} (measured at 512 bits, one thread, 5632 x 2048, against the
     * two-token tiles: 1.08x at 4 tokens, 1.08-1.1x at 5, 1.12-1.23x at 8, 1.26-1.35x at 32; at 3 tokens 1.1-1.3x
     * slower, the unpacking and reloading costing more than they save).
     */
    static final int UNPACK_FROM = 4;
    /** Level vectors per super-block: 8 sub-blocks of 16 activation pairs (8 low-nibble, then 8 high-nibble vectors). */
    private static final int LEVEL_VECTORS = 128;

    /**
     * Batches: each super-block of a row group is unpacked once into one nibble per short lane (a scratch that stays in
     * L1), its scales and mins widened to int lanes, then every token reads it back: per token and 2 weights per row, a
     * load, a broadcast, a multiply and an add, instead of also widening, masking and shifting. Every token's integer
     * sums are exact and its float operations are those of {@link #group} in the same order, so no bit changes.
     */
    private static void multiplyUnpacked(MemorySegment w, int blocks, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        short[] levels = Scratch.get().shorts(LEVEL_VECTORS * VectorConfig.SHORT.length());
        int[] scales = Scratch.get().ints(8 * ROWS);
        int[] mins = Scratch.get().moreInts(8 * ROWS);
        RowGroupTiles.runUnpacked(rows, g0, g1, blocks, RECORD, tokens, out, new RowGroupTiles.UnpackedKernel() {
            @Override
            public void unpack(long rec) {
                InterleavedQ4_K.unpack(w, rec, levels, scales, mins);
            }

            @Override
            public void one(long rec, int b, int t, float[] acc, int off) {
                block1(levels, scales, mins, w, rec, in.q8k(t), b, acc, off);
            }

            @Override
            public void two(long rec, int b, int t, float[] acc, int off) {
                block2(levels, scales, mins, w, rec, in.q8k(t), in.q8k(t + 1), b, acc, off);
            }
        });
    }

    /** The super-block's nibbles, vector {@code 16 sub + k} for pair {@code k} of sub-block {@code sub}; its scales and mins. */
    private static void unpack(MemorySegment w, long rec, short[] levels, int[] scales, int[] mins) {
        int lanes = VectorConfig.SHORT.length();
        for (int sub = 0; sub < 8; sub++) {
            long chunks = rec + sub * SUB_BLOCK;
            for (int c = 0; c < 8; c++) {
                ShortVector x = nibbleBytes(w, chunks + c * CHUNK);
                x.and((short) 0x0F).intoArray(levels, (16 * sub + c) * lanes);
                x.lanewise(VectorOperators.LSHR, 4).intoArray(levels, (16 * sub + 8 + c) * lanes);
            }
            rowBytes(w, rec + SCALES + (long) sub * ROWS).intoArray(scales, sub * ROWS);
            rowBytes(w, rec + MINS + (long) sub * ROWS).intoArray(mins, sub * ROWS);
        }
    }

    /** {@code acc[off..off+ROWS) += (d * da) * sum - (dmin * da) * mins} for one token and one unpacked super-block. */
    private static void block1(short[] levels, int[] scales, int[] mins, MemorySegment w, long rec, Q8_KActivations a, int b,
                               float[] acc, int off) {
        int lanes = VectorConfig.SHORT.length();
        int[] pairs = a.pairs;
        IntVector sum = IntVector.zero(VectorConfig.INT);
        for (int sub = 0; sub < 8; sub++) {
            ShortVector s = ShortVector.zero(VectorConfig.SHORT);
            for (int k = 0; k < 16; k++) {
                s = s.add(ShortVector.fromArray(VectorConfig.SHORT, levels, (16 * sub + k) * lanes)
                        .mul(IntKernels.broadcastPair(pairs[b * 128 + 16 * sub + k])));
            }
            sum = sum.add(IntKernels.pairSums(s).mul(IntVector.fromArray(VectorConfig.INT, scales, sub * ROWS)));
        }
        IntVector m = IntVector.zero(VectorConfig.INT);
        for (int sub = 0; sub < 8; sub++) {
            m = m.add(IntVector.fromArray(VectorConfig.INT, mins, sub * ROWS).mul(a.sums32[b * 8 + sub]));
        }
        FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN);
        FloatVector dmin = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + DMIN, ByteOrder.LITTLE_ENDIAN);
        float da = a.scales[b];
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off).add(d.mul(da).mul((FloatVector) sum.convert(VectorOperators.I2F, 0)))
                .sub(dmin.mul(da).mul((FloatVector) m.convert(VectorOperators.I2F, 0))).intoArray(acc, off);
    }

    /** {@link #block1} for two tokens, {@code a0} at {@code off} and {@code a1} at {@code off + ROWS}: each level vector loaded once. */
    private static void block2(short[] levels, int[] scales, int[] mins, MemorySegment w, long rec, Q8_KActivations a0, Q8_KActivations a1,
                               int b, float[] acc, int off) {
        int lanes = VectorConfig.SHORT.length();
        int[] p0 = a0.pairs;
        int[] p1 = a1.pairs;
        IntVector sum0 = IntVector.zero(VectorConfig.INT);
        IntVector sum1 = IntVector.zero(VectorConfig.INT);
        for (int sub = 0; sub < 8; sub++) {
            ShortVector s0 = ShortVector.zero(VectorConfig.SHORT);
            ShortVector s1 = ShortVector.zero(VectorConfig.SHORT);
            for (int k = 0; k < 16; k++) {
                ShortVector q = ShortVector.fromArray(VectorConfig.SHORT, levels, (16 * sub + k) * lanes);
                int i = b * 128 + 16 * sub + k;
                s0 = s0.add(q.mul(IntKernels.broadcastPair(p0[i])));
                s1 = s1.add(q.mul(IntKernels.broadcastPair(p1[i])));
            }
            IntVector scale = IntVector.fromArray(VectorConfig.INT, scales, sub * ROWS);
            sum0 = sum0.add(IntKernels.pairSums(s0).mul(scale));
            sum1 = sum1.add(IntKernels.pairSums(s1).mul(scale));
        }
        IntVector m0 = IntVector.zero(VectorConfig.INT);
        IntVector m1 = IntVector.zero(VectorConfig.INT);
        for (int sub = 0; sub < 8; sub++) {
            IntVector mn = IntVector.fromArray(VectorConfig.INT, mins, sub * ROWS);
            m0 = m0.add(mn.mul(a0.sums32[b * 8 + sub]));
            m1 = m1.add(mn.mul(a1.sums32[b * 8 + sub]));
        }
        FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN);
        FloatVector dmin = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + DMIN, ByteOrder.LITTLE_ENDIAN);
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off).add(d.mul(a0.scales[b]).mul((FloatVector) sum0.convert(VectorOperators.I2F, 0)))
                .sub(dmin.mul(a0.scales[b]).mul((FloatVector) m0.convert(VectorOperators.I2F, 0))).intoArray(acc, off);
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off + ROWS).add(d.mul(a1.scales[b]).mul((FloatVector) sum1.convert(VectorOperators.I2F, 0)))
                .sub(dmin.mul(a1.scales[b]).mul((FloatVector) m1.convert(VectorOperators.I2F, 0))).intoArray(acc, off + ROWS);
    }

    /**
     * One group of rows times one activation vector, the {@link #ROWS} results into {@code scratch.results}. Only the
     * innermost loop keeps vectors in registers: sums, min corrections and results go through small arrays (exact
     * ints; floats stored and reloaded keep their bits), because vectors live across the outer loops or passed to a
     * call that C2 did not inline were boxed (an object per operation, several times slower).
     */
    private static void group(MemorySegment w, long base, int blocks, Q8_KActivations a, Scratch scratch) {
        int[] pairs = a.pairs;
        int[] sums = scratch.sums;
        int[] mins = scratch.mins;
        float[] acc = scratch.results;
        java.util.Arrays.fill(acc, 0f);
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            java.util.Arrays.fill(sums, 0);
            for (int sub = 0; sub < 8; sub++) {
                long chunks = rec + sub * SUB_BLOCK;
                int p = b * 128 + sub * 16;
                // 16 products of a nibble and an int8 (|a| <= 127) per short lane: at most 30480, exact
                ShortVector s = ShortVector.zero(VectorConfig.SHORT);
                for (int c = 0; c < 8; c++) {
                    ShortVector x = nibbleBytes(w, chunks + c * CHUNK);
                    s = s.add(x.and((short) 0x0F).mul(IntKernels.broadcastPair(pairs[p + c])))
                            .add(x.lanewise(VectorOperators.LSHR, 4).mul(IntKernels.broadcastPair(pairs[p + 8 + c])));
                }
                IntVector.fromArray(VectorConfig.INT, sums, 0)
                        .add(IntKernels.pairSums(s).mul(rowBytes(w, rec + SCALES + (long) sub * ROWS))).intoArray(sums, 0);
            }
            mins(w, rec, a.sums32, b * 8, mins, 0);
            accumulate(acc, sums, mins, 0, a.scales[b], w, rec);
        }
    }

    /** {@link #group} for two activation vectors at once (every token's operations and their order unchanged). */
    private static void group2(MemorySegment w, long base, int blocks, Q8_KActivations a0, Q8_KActivations a1, Scratch scratch) {
        int[] p0 = a0.pairs;
        int[] p1 = a1.pairs;
        int[] sums = scratch.sums;
        int[] mins = scratch.mins;
        float[] acc = scratch.results;
        java.util.Arrays.fill(acc, 0f);
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            java.util.Arrays.fill(sums, 0);
            for (int sub = 0; sub < 8; sub++) {
                long chunks = rec + sub * SUB_BLOCK;
                int p = b * 128 + sub * 16;
                ShortVector s0 = ShortVector.zero(VectorConfig.SHORT);
                ShortVector s1 = ShortVector.zero(VectorConfig.SHORT);
                for (int c = 0; c < 8; c++) {
                    ShortVector x = nibbleBytes(w, chunks + c * CHUNK);
                    ShortVector lo = x.and((short) 0x0F);
                    ShortVector hi = x.lanewise(VectorOperators.LSHR, 4);
                    s0 = s0.add(lo.mul(IntKernels.broadcastPair(p0[p + c]))).add(hi.mul(IntKernels.broadcastPair(p0[p + 8 + c])));
                    s1 = s1.add(lo.mul(IntKernels.broadcastPair(p1[p + c]))).add(hi.mul(IntKernels.broadcastPair(p1[p + 8 + c])));
                }
                IntVector scale = rowBytes(w, rec + SCALES + (long) sub * ROWS);
                IntVector.fromArray(VectorConfig.INT, sums, 0).add(IntKernels.pairSums(s0).mul(scale)).intoArray(sums, 0);
                IntVector.fromArray(VectorConfig.INT, sums, ROWS).add(IntKernels.pairSums(s1).mul(scale)).intoArray(sums, ROWS);
            }
            mins(w, rec, a0.sums32, b * 8, mins, 0);
            mins(w, rec, a1.sums32, b * 8, mins, ROWS);
            accumulate(acc, sums, mins, 0, a0.scales[b], w, rec);
            accumulate(acc, sums, mins, ROWS, a1.scales[b], w, rec);
        }
    }

    /** Per row: the sum over sub-blocks of min times the activations' sub-block sum (exact), into {@code out[off..off+ROWS)}. */
    private static void mins(MemorySegment w, long rec, int[] sums32, int s, int[] out, int off) {
        IntVector mins = IntVector.zero(VectorConfig.INT);
        for (int sub = 0; sub < 8; sub++) {
            mins = mins.add(rowBytes(w, rec + MINS + (long) sub * ROWS).mul(sums32[s + sub]));
        }
        mins.intoArray(out, off);
    }

    /** {@link #accumulate(FloatVector, IntVector, IntVector, float, MemorySegment, long)} on arrays (no vector crosses the call). */
    private static void accumulate(float[] acc, int[] sums, int[] mins, int off, float da, MemorySegment w, long rec) {
        accumulate(FloatVector.fromArray(VectorConfig.FLOAT, acc, off), IntVector.fromArray(VectorConfig.INT, sums, off),
                IntVector.fromArray(VectorConfig.INT, mins, off), da, w, rec).intoArray(acc, off);
    }

    /** {@code acc + (d * da) * sum - (dmin * da) * mins} per row, in the order of the one-row kernel. */
    private static FloatVector accumulate(FloatVector acc, IntVector sum, IntVector mins, float da, MemorySegment w, long rec) {
        FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN);
        FloatVector dmin = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + DMIN, ByteOrder.LITTLE_ENDIAN);
        return acc.add(d.mul(da).mul((FloatVector) sum.convert(VectorOperators.I2F, 0)))
                .sub(dmin.mul(da).mul((FloatVector) mins.convert(VectorOperators.I2F, 0)));
    }

    /** {@code 2 * ROWS} packed bytes widened to short lanes without sign extension. */
    private static ShortVector nibbleBytes(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0);
    }

    /** {@code ROWS} unsigned bytes widened to the int lanes. */
    private static IntVector rowBytes(MemorySegment w, long off) {
        return (IntVector) ByteVector.fromMemorySegment(ROW_BYTES, w, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, VectorConfig.INT, 0);
    }
}

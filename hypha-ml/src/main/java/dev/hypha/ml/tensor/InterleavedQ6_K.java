package dev.hypha.ml.tensor;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q6_K weights repacked at load time with {@link #ROWS} rows side by side, and the matrix-vector kernel for that
 * layout (the reasons are those of {@link InterleavedQ4_0}). Q6_K keeps the output projection and some
 * {@code ffn_down}/{@code attn_v} matrices of Q4_K_M files, so it sits on the generation path too.
 *
 * <p>Layout: for each group of {@link #ROWS} rows (the last padded with zero rows) and each super-block, a record of
 * {@link #RECORD} bytes: {@code d} as float32 per row; the 16 int8 group scales, {@code ROWS} bytes per group; then,
 * for each scale group {@code g} of 16 weights, three chunks of {@code 4 * ROWS} bytes (one little-endian int per row).
 * Element {@code e} of a row belongs to activation pair {@code P = e / 2} and sits in the pair's even ({@code s = 0})
 * or odd ({@code s = 1}) short lane, as the activations of {@link IntKernels#broadcastPair} do; with
 * {@code k = P % 8}, its low 4 bits are at bit {@code 16 s + 4 (k % 4)} of the group's nibble chunk {@code k / 4},
 * its high 2 bits at bit {@code 16 s + 2 k} of the group's third chunk. 212 bytes per row and super-block instead of
 * 210. Whole-register loads need no widening (every short lane is one element's bits, a shift and a mask away), and
 * the kernel reads each record front to back: interleaving the high bits with the nibbles tripled the speed at one
 * token, the hardware prefetcher keeping up with one stream but not with three.
 *
 * <p>Same bits as {@link Q6_K#dot} in exact order: the eight products of a short lane per group are at most
 * {@code 8 * 32 * 127 = 32512} in magnitude (exact), the scaled group sums are exact ints, and each row's lane adds
 * {@code (d * da) * sum} super-block by super-block.
 */
final class InterleavedQ6_K {
    private InterleavedQ6_K() {}

    static final int ROWS = VectorConfig.INT.length();
    static final int RECORD = 212 * ROWS;
    private static final long CHUNK = 4L * ROWS;
    private static final long D = 0;
    private static final long SCALES = 4L * ROWS;
    /** The chunks of scale group {@code g}: its two nibble chunks, then its high chunk. */
    private static final long GROUPS = 20L * ROWS;
    private static final long GROUP = 3 * CHUNK;
    private static final ValueLayout.OfInt INT_LE = QuantLayouts.INT_LE;
    /** Bytes loaded to widen one byte per row into int lanes: at least 8 (the narrowest species), so it reads into the chunks after the scales. */
    private static final VectorSpecies<Byte> ROW_BYTES =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Math.max(64, ROWS * 8)));

    /** Repacks {@code w} (Q6_K) into new memory from {@code memory}. */
    static MemorySegment pack(WeightMatrix w, SegmentAllocator memory) {
        return packLevels(w, memory, (src, from, q, scales) -> {
            levels(src, from, q);
            for (int c = 0; c < 16; c++) {
                scales[c] = src.get(ValueLayout.JAVA_BYTE, from + 192 + c);
            }
            return QuantLayouts.half(src, from + 208);
        });
    }

    /** One super-block of a type whose weights are 6-bit levels times int8 scales per 16 times one float (Q6_K, Q3_K). */
    @FunctionalInterface
    interface SuperBlockLevels {
        /**
         * Writes the super-block at {@code off} of {@code s} as 256 levels 0..63 (32 meaning zero) into {@code q} and its 16
         * group scales into {@code scales}; returns its {@code d}.
         */
        float read(MemorySegment s, long off, int[] q, byte[] scales);
    }

    /**
     * Repacks {@code w}, whose super-blocks {@code levels} decodes into Q6_K's form, into this layout. For Q3_K this is
     * exact (levels -4..3 and scales -32..31 fit, and the integer sums and {@code (d * da) * sum} are Q3_K's own one-row
     * kernel's), at 212 bytes per row and super-block instead of 110.
     */
    static MemorySegment packLevels(WeightMatrix w, SegmentAllocator memory, SuperBlockLevels levels) {
        return packLevels(w, memory, Math.multiplyExact((long) RowGroupTiles.groups(w.rows()) * (w.cols() / Q6_K.BLOCK), RECORD), levels);
    }

    /** As above, in {@code bytes} bytes (at least the records; the rest, zeroed, is the caller's). */
    static MemorySegment packLevels(WeightMatrix w, SegmentAllocator memory, long bytes, SuperBlockLevels levels) {
        int blocks = w.cols() / Q6_K.BLOCK;
        MemorySegment dst = memory.allocate(bytes, 64);
        MemorySegment src = w.data();
        long rowBytes = w.rowBytes();
        int blockBytes = w.type().typeSize();
        int[] q = new int[Q6_K.BLOCK];
        byte[] scales = new byte[16];
        for (int row = 0; row < w.rows(); row++) {
            int g = row / ROWS;
            int r = row % ROWS;
            for (int b = 0; b < blocks; b++) {
                long from = row * rowBytes + (long) b * blockBytes;
                long rec = ((long) g * blocks + b) * RECORD;
                float d = levels.read(src, from, q, scales);
                for (int c = 0; c < 16; c++) {
                    long chunks = rec + GROUPS + c * GROUP + 4L * r;
                    dst.set(INT_LE, chunks, nibbleChunk(q, 8 * c));
                    dst.set(INT_LE, chunks + CHUNK, nibbleChunk(q, 8 * c + 4));
                    dst.set(INT_LE, chunks + 2 * CHUNK, highChunk(q, 8 * c));
                    dst.set(ValueLayout.JAVA_BYTE, rec + SCALES + (long) c * ROWS + r, scales[c]);
                }
                dst.set(QuantLayouts.FLOAT_LE, rec + D + 4L * r, d);
            }
        }
        return dst;
    }

    /** One row's int of a nibble chunk: the low 4 bits of pairs {@code p..p+4}, even elements in the low half. */
    private static int nibbleChunk(int[] q, int p) {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            v |= (q[2 * (p + k)] & 0xF) << 4 * k | (q[2 * (p + k) + 1] & 0xF) << 16 + 4 * k;
        }
        return v;
    }

    /** One row's int of a high chunk: the high 2 bits of pairs {@code p..p+8}, even elements in the low half. */
    private static int highChunk(int[] q, int p) {
        int v = 0;
        for (int k = 0; k < 8; k++) {
            v |= (q[2 * (p + k)] >> 4) << 2 * k | (q[2 * (p + k) + 1] >> 4) << 16 + 2 * k;
        }
        return v;
    }

    /** The 256 six-bit levels (0..63, before subtracting 32) of the super-block at {@code from}, in element order. */
    private static void levels(MemorySegment src, long from, int[] q) {
        for (int half = 0; half < 2; half++) {
            long ql = from + 64L * half;
            long qh = from + 128 + 32L * half;
            for (int l = 0; l < 32; l++) {
                int a = QuantLayouts.u8(src, ql + l);
                int c = QuantLayouts.u8(src, ql + 32 + l);
                int h = QuantLayouts.u8(src, qh + l);
                int e = 128 * half + l;
                q[e] = (a & 0xF) | (h & 3) << 4;
                q[e + 32] = (c & 0xF) | (h >> 2 & 3) << 4;
                q[e + 64] = (a >> 4) | (h >> 4 & 3) << 4;
                q[e + 96] = (c >> 4) | (h >> 6 & 3) << 4;
            }
        }
    }

    /** {@code out[t][r]} for every row {@code r} of groups {@code [g0, g1)} and every token {@code t < tokens}. */
    static void multiply(MemorySegment w, int cols, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int blocks = cols / Q6_K.BLOCK;
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
     * From this many tokens on, {@link #multiplyUnpacked} (measured at 512 bits, one thread: equal at 4 tokens, 1.1x at
     * 5, 1.25x at 8, 1.7x at 32; at 2 tokens the unpacking and reloading cost twice what it saves).
     */
    static final int UNPACK_FROM = 5;
    /** Level vectors per super-block: 16 scale groups of 8 activation pairs. */
    private static final int LEVEL_VECTORS = 128;

    /**
     * Batches: each super-block of a row group is unpacked once into {@code q - 32} per short lane (a scratch that
     * stays in L1), then every token reads it back: per token and 2 weights per row, a load, a broadcast, a multiply
     * and an add, instead of the shifts and masks of unpacking. Every token's operations and their order are those of
     * {@link #group}: the accumulators go through memory, which changes no bit.
     */
    private static void multiplyUnpacked(MemorySegment w, int blocks, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        short[] levels = Scratch.get().shorts(LEVEL_VECTORS * VectorConfig.SHORT.length());
        int[] scales = Scratch.get().ints(16 * ROWS);
        RowGroupTiles.runUnpacked(rows, g0, g1, blocks, RECORD, tokens, out, new RowGroupTiles.UnpackedKernel() {
            @Override
            public void unpack(long rec) {
                InterleavedQ6_K.unpack(w, rec, levels, scales);
            }

            @Override
            public void one(long rec, int b, int t, float[] acc, int off) {
                block1(levels, scales, w, rec, in.q8k(t), b, acc, off);
            }

            @Override
            public void two(long rec, int b, int t, float[] acc, int off) {
                block2(levels, scales, w, rec, in.q8k(t), in.q8k(t + 1), b, acc, off);
            }
        });
    }

    /** The super-block's levels {@code q - 32}, vector {@code 8 g + k} for pair {@code k} of group {@code g}, and its group scales. */
    private static void unpack(MemorySegment w, long rec, short[] levels, int[] scales) {
        int lanes = VectorConfig.SHORT.length();
        for (int g = 0; g < 16; g++) {
            long chunks = rec + GROUPS + g * GROUP;
            ShortVector h = chunk(w, chunks + 2 * CHUNK);
            for (int half = 0; half < 2; half++) {
                ShortVector n = chunk(w, chunks + half * CHUNK);
                ShortVector hh = h.lanewise(VectorOperators.ROR, 12 + 8 * half);
                for (int k = 0; k < 4; k++) {
                    level(n, hh, k).intoArray(levels, (8 * g + 4 * half + k) * lanes);
                }
            }
            scales(w, rec, g).intoArray(scales, g * ROWS);
        }
    }

    /** {@code acc[off..off+ROWS) += (d * da) * sum} for one token and one unpacked super-block. */
    private static void block1(short[] levels, int[] scales, MemorySegment w, long rec, Q8_KActivations a, int b, float[] acc, int off) {
        int lanes = VectorConfig.SHORT.length();
        int[] pairs = a.pairs;
        IntVector sum = IntVector.zero(VectorConfig.INT);
        for (int g = 0; g < 16; g++) {
            ShortVector s = ShortVector.zero(VectorConfig.SHORT);
            for (int k = 0; k < 8; k++) {
                s = s.add(ShortVector.fromArray(VectorConfig.SHORT, levels, (8 * g + k) * lanes).mul(IntKernels.broadcastPair(pairs[b * 128 + 8 * g + k])));
            }
            sum = sum.add(IntKernels.pairSums(s).mul(IntVector.fromArray(VectorConfig.INT, scales, g * ROWS)));
        }
        FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN).mul(a.scales[b]);
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off).add(d.mul((FloatVector) sum.convert(VectorOperators.I2F, 0))).intoArray(acc, off);
    }

    /** {@link #block1} for two tokens, {@code a0} at {@code off} and {@code a1} at {@code off + ROWS}: each level vector loaded once. */
    private static void block2(short[] levels, int[] scales, MemorySegment w, long rec, Q8_KActivations a0, Q8_KActivations a1, int b,
                               float[] acc, int off) {
        int lanes = VectorConfig.SHORT.length();
        int[] p0 = a0.pairs;
        int[] p1 = a1.pairs;
        IntVector sum0 = IntVector.zero(VectorConfig.INT);
        IntVector sum1 = IntVector.zero(VectorConfig.INT);
        for (int g = 0; g < 16; g++) {
            ShortVector s0 = ShortVector.zero(VectorConfig.SHORT);
            ShortVector s1 = ShortVector.zero(VectorConfig.SHORT);
            for (int k = 0; k < 8; k++) {
                ShortVector q = ShortVector.fromArray(VectorConfig.SHORT, levels, (8 * g + k) * lanes);
                int i = b * 128 + 8 * g + k;
                s0 = s0.add(q.mul(IntKernels.broadcastPair(p0[i])));
                s1 = s1.add(q.mul(IntKernels.broadcastPair(p1[i])));
            }
            IntVector scale = IntVector.fromArray(VectorConfig.INT, scales, g * ROWS);
            sum0 = sum0.add(IntKernels.pairSums(s0).mul(scale));
            sum1 = sum1.add(IntKernels.pairSums(s1).mul(scale));
        }
        FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN);
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off).add(d.mul(a0.scales[b]).mul((FloatVector) sum0.convert(VectorOperators.I2F, 0)))
                .intoArray(acc, off);
        FloatVector.fromArray(VectorConfig.FLOAT, acc, off + ROWS).add(d.mul(a1.scales[b]).mul((FloatVector) sum1.convert(VectorOperators.I2F, 0)))
                .intoArray(acc, off + ROWS);
    }

    /**
     * One group of rows times one activation vector: the {@link #ROWS} results into {@code scratch.results}. Sums and
     * totals live in the scratch arrays between loops (exact ints; floats reloaded keep their bits): vectors carried
     * across the outer loops, or passed to and returned from calls C2 did not inline, were boxed.
     */
    private static void group(MemorySegment w, long base, int blocks, Q8_KActivations a, Scratch scratch) {
        float[] acc = scratch.results;
        int[] sums = scratch.sums;
        java.util.Arrays.fill(acc, 0, ROWS, 0f);
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            java.util.Arrays.fill(sums, 0, ROWS, 0);
            for (int g = 0; g < 16; g++) {
                scaleGroup(w, rec, g, a.pairs, b * 128 + g * 8, sums);
            }
            FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN).mul(a.scales[b]);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, 0)
                    .add(d.mul((FloatVector) IntVector.fromArray(VectorConfig.INT, sums, 0).convert(VectorOperators.I2F, 0)))
                    .intoArray(acc, 0);
        }
    }

    /** {@link #group} for two activation vectors at once (every token's operations and their order unchanged). */
    private static void group2(MemorySegment w, long base, int blocks, Q8_KActivations a0, Q8_KActivations a1, Scratch scratch) {
        float[] acc = scratch.results;
        int[] sums = scratch.sums;
        java.util.Arrays.fill(acc, 0f);
        int[] p0 = a0.pairs;
        int[] p1 = a1.pairs;
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            java.util.Arrays.fill(sums, 0);
            for (int g = 0; g < 16; g++) {
                long chunks = rec + GROUPS + g * GROUP;
                int p = b * 128 + g * 8;
                ShortVector h = chunk(w, chunks + 2 * CHUNK);
                ShortVector s0 = ShortVector.zero(VectorConfig.SHORT);
                ShortVector s1 = ShortVector.zero(VectorConfig.SHORT);
                for (int half = 0; half < 2; half++) {
                    ShortVector n = chunk(w, chunks + half * CHUNK);
                    // rotated so that the high bits of pair k of this half are at bits 4+2k
                    ShortVector hh = h.lanewise(VectorOperators.ROR, 12 + 8 * half);
                    for (int k = 0; k < 4; k++) {
                        ShortVector q = level(n, hh, k);
                        int i = p + 4 * half + k;
                        s0 = s0.add(q.mul(IntKernels.broadcastPair(p0[i])));
                        s1 = s1.add(q.mul(IntKernels.broadcastPair(p1[i])));
                    }
                }
                IntVector scale = scales(w, rec, g);
                IntVector.fromArray(VectorConfig.INT, sums, 0).add(IntKernels.pairSums(s0).mul(scale)).intoArray(sums, 0);
                IntVector.fromArray(VectorConfig.INT, sums, ROWS).add(IntKernels.pairSums(s1).mul(scale)).intoArray(sums, ROWS);
            }
            FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, 0)
                    .add(d.mul(a0.scales[b]).mul((FloatVector) IntVector.fromArray(VectorConfig.INT, sums, 0).convert(VectorOperators.I2F, 0)))
                    .intoArray(acc, 0);
            FloatVector.fromArray(VectorConfig.FLOAT, acc, ROWS)
                    .add(d.mul(a1.scales[b]).mul((FloatVector) IntVector.fromArray(VectorConfig.INT, sums, ROWS).convert(VectorOperators.I2F, 0)))
                    .intoArray(acc, ROWS);
        }
    }

    /**
     * {@code sums += sc(g) * dot(group g)} per row: the 16 weights of scale group {@code g} against activation pairs
     * {@code p..p+8}. Loops, not unrolled code: C2 parses every Vector API call into many nodes and stops inlining
     * past its node budget, which would leave vectors boxed; it unrolls the loops itself once they are intrinsified.
     */
    private static void scaleGroup(MemorySegment w, long rec, int g, int[] pairs, int p, int[] sums) {
        long chunks = rec + GROUPS + g * GROUP;
        ShortVector h = chunk(w, chunks + 2 * CHUNK);
        // high bits of pairs 0-3 of the group moved up by 4, those of pairs 4-7 down by 4: pair k's at bits 4+2k
        ShortVector s = fourPairs(chunk(w, chunks), h.lanewise(VectorOperators.LSHL, 4), pairs, p, ShortVector.zero(VectorConfig.SHORT));
        s = fourPairs(chunk(w, chunks + CHUNK), h.lanewise(VectorOperators.LSHR, 4), pairs, p + 4, s);
        IntVector.fromArray(VectorConfig.INT, sums, 0).add(IntKernels.pairSums(s).mul(scales(w, rec, g))).intoArray(sums, 0);
    }

    /**
     * {@code s + sum over k < 4 of (q_k - 32) * pair(p + k)}, where {@code q_k} is nibble {@code k} of {@code nibbles}
     * with bits 4-5 from {@code high} shifted right by {@code 2k}. At most 8 products per short lane in all
     * (two calls), each at most {@code 32 * 127}: exact.
     */
    private static ShortVector fourPairs(ShortVector nibbles, ShortVector high, int[] pairs, int p, ShortVector s) {
        for (int k = 0; k < 4; k++) {
            s = s.add(level(nibbles, high, k).mul(IntKernels.broadcastPair(pairs[p + k])));
        }
        return s;
    }

    /** {@code q - 32} for pair {@code k} of four: nibble {@code k} of {@code nibbles}, bits 4-5 from {@code high >>> 2k}. */
    private static ShortVector level(ShortVector nibbles, ShortVector high, int k) {
        ShortVector low = nibbles.lanewise(VectorOperators.LSHR, 4 * k).and((short) 0x0F);
        return low.or(high.lanewise(VectorOperators.LSHR, 2 * k).and((short) 0x30)).sub((short) 32);
    }

    /** The int8 scales of group {@code g}, one per row, sign-extended to the int lanes. */
    private static IntVector scales(MemorySegment w, long rec, int g) {
        return (IntVector) ByteVector.fromMemorySegment(ROW_BYTES, w, rec + SCALES + (long) g * ROWS, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, VectorConfig.INT, 0);
    }

    private static ShortVector chunk(MemorySegment w, long off) {
        return ShortVector.fromMemorySegment(VectorConfig.SHORT, w, off, ByteOrder.LITTLE_ENDIAN);
    }
}

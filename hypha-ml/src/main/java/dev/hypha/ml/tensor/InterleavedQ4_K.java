package dev.hypha.ml.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K weights repacked at load time with {@link #ROWS} rows side by side, and the matrix-vector kernel for that
 * layout (the reasons are those of {@link InterleavedQ4_0}; here the per-row work saved also includes unpacking the
 * 6-bit scales and mins of every super-block, done once at load).
 *
 * <p>Layout: for each group of {@link #ROWS} rows (the last padded with zero rows) and each super-block, a record of
 * {@link #RECORD} bytes: the nibbles as 4 x 16 chunks of {@code 2 * ROWS} bytes (chunk {@code (j, k)} holds bytes
 * {@code 2k, 2k+1} of the row's j-th 32-byte run for every row in turn: low nibbles are elements {@code 2k, 2k+1} of
 * sub-block {@code 2j}, high nibbles those of sub-block {@code 2j+1}); then the 8 sub-block scales, one byte per row
 * each ({@code ROWS} bytes per sub-block); the 8 mins likewise; then {@code d} and {@code dmin} as float32 per row.
 * 152 bytes per row and super-block instead of 144.
 *
 * <p>Same bits as {@link Q4_K#dot} in exact order: the scaled integer sums and the min corrections are exact, and each
 * row's lane adds {@code (d * da) * sum} and subtracts {@code (dmin * da) * mins} super-block by super-block.
 */
final class InterleavedQ4_K {
    private InterleavedQ4_K() {}

    static final int ROWS = VectorConfig.INT.length();
    static final int RECORD = 152 * ROWS;
    private static final long CHUNK = 2L * ROWS;
    private static final long SCALES = 128L * ROWS;
    private static final long MINS = 136L * ROWS;
    private static final long D = 144L * ROWS;
    private static final long DMIN = 148L * ROWS;
    /** Bytes loaded to widen one byte per row into int lanes: at least 8 (the narrowest species), read past the record at the end. */
    private static final VectorSpecies<Byte> ROW_BYTES =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Math.max(64, ROWS * 8)));
    private static final long TAIL = ROW_BYTES.vectorByteSize();

    /** Repacks {@code w} (Q4_K) into a new segment of {@code arena}. */
    static MemorySegment pack(WeightMatrix w, Arena arena) {
        int blocks = w.cols() / Q4_K.BLOCK;
        int groups = groups(w.rows());
        MemorySegment dst = HugePages.allocate(arena, Math.addExact(Math.multiplyExact((long) groups * blocks, RECORD), TAIL));
        MemorySegment src = w.data();
        long rowBytes = w.rowBytes();
        for (int row = 0; row < w.rows(); row++) {
            int g = row / ROWS;
            int r = row % ROWS;
            for (int b = 0; b < blocks; b++) {
                long from = row * rowBytes + (long) b * Q4_K.BYTES;
                long rec = ((long) g * blocks + b) * RECORD;
                for (int c = 0; c < 64; c++) {
                    dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, rec + c * CHUNK + 2L * r, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from + 16 + 2L * c));
                }
                for (int j = 0; j < 8; j++) {
                    int scaleMin = Q4_K.scaleMin(j, src, from + 4);
                    dst.set(ValueLayout.JAVA_BYTE, rec + SCALES + (long) j * ROWS + r, (byte) scaleMin);
                    dst.set(ValueLayout.JAVA_BYTE, rec + MINS + (long) j * ROWS + r, (byte) (scaleMin >> 8));
                }
                dst.set(QuantLayouts.FLOAT_LE, rec + D + 4L * r, QuantLayouts.half(src, from));
                dst.set(QuantLayouts.FLOAT_LE, rec + DMIN + 4L * r, QuantLayouts.half(src, from + 2));
            }
        }
        return dst;
    }

    static int groups(int rows) {
        return (rows + ROWS - 1) / ROWS;
    }

    /** {@code out[t][r]} for every row {@code r} of groups {@code [g0, g1)} and every token {@code t < tokens}. */
    static void multiply(MemorySegment w, int cols, int rows, int g0, int g1, ActivationBatch in, int tokens, float[][] out) {
        int blocks = cols / Q4_K.BLOCK;
        for (int g = g0; g < g1; g++) {
            long base = (long) g * blocks * RECORD;
            VectorMask<Float> valid = VectorConfig.FLOAT.indexInRange(g * ROWS, rows);
            for (int t = 0; t < tokens; t++) {
                group(w, base, blocks, in.q8k(t)).intoArray(out[t], g * ROWS, valid);
            }
        }
    }

    private static FloatVector group(MemorySegment w, long base, int blocks, Q8_KActivations a) {
        FloatVector acc = FloatVector.zero(VectorConfig.FLOAT);
        for (int b = 0; b < blocks; b++) {
            long rec = base + (long) b * RECORD;
            IntVector sum = IntVector.zero(VectorConfig.INT);
            for (int j = 0; j < 4; j++) {
                sum = subBlockPair(w, rec, j, a.pairs, b * 128 + j * 32, sum);
            }
            IntVector mins = IntVector.zero(VectorConfig.INT);
            for (int j = 0; j < 8; j++) {
                mins = mins.add(rowBytes(w, rec + MINS + (long) j * ROWS).mul(a.sums32[b * 8 + j]));
            }
            float da = a.scales[b];
            FloatVector d = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + D, ByteOrder.LITTLE_ENDIAN).mul(da);
            FloatVector dmin = FloatVector.fromMemorySegment(VectorConfig.FLOAT, w, rec + DMIN, ByteOrder.LITTLE_ENDIAN).mul(da);
            acc = acc.add(d.mul((FloatVector) sum.convert(VectorOperators.I2F, 0)));
            acc = acc.sub(dmin.mul((FloatVector) mins.convert(VectorOperators.I2F, 0)));
        }
        return acc;
    }

    /**
     * {@code acc + sc(2j) * dot(sub-block 2j) + sc(2j+1) * dot(sub-block 2j+1)} per row. 16 products of a nibble and
     * an int8 (|a| <= 127) per short lane: at most 30480, exact.
     */
    private static IntVector subBlockPair(MemorySegment w, long rec, int j, int[] pairs, int p, IntVector acc) {
        ShortVector lo = ShortVector.zero(VectorConfig.SHORT);
        ShortVector hi = lo;
        long chunks = rec + j * 16L * CHUNK;
        for (int k = 0; k < 16; k++) {
            ShortVector x = (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, chunks + k * CHUNK, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0);
            lo = lo.add(x.and((short) 0x0F).mul(IntKernels.broadcastPair(pairs[p + k])));
            hi = hi.add(x.lanewise(VectorOperators.LSHR, 4).mul(IntKernels.broadcastPair(pairs[p + 16 + k])));
        }
        return acc.add(IntKernels.pairSums(lo).mul(rowBytes(w, rec + SCALES + 2L * j * ROWS)))
                .add(IntKernels.pairSums(hi).mul(rowBytes(w, rec + SCALES + (2L * j + 1) * ROWS)));
    }

    /** {@code ROWS} unsigned bytes widened to the int lanes. */
    private static IntVector rowBytes(MemorySegment w, long off) {
        return (IntVector) ByteVector.fromMemorySegment(ROW_BYTES, w, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, VectorConfig.INT, 0);
    }
}

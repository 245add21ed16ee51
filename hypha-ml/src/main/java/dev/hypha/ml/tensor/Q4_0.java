package dev.hypha.ml.tensor;


import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0: blocks of 32 weights in 18 bytes, {@code fp16 d} then 16 bytes; weight j (0-15) is the low nibble of
 * byte j, weight j+16 the high nibble; {@code x = (nibble - 8) * d}.
 */
public final class Q4_0 {
    private Q4_0() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 18;

    /** {@code quantize_row_q4_0_ref}: d = m / -8 for the signed value m of largest magnitude. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int base = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = x[base + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantLayouts.putHalf(out, o, d);
            for (int j = 0; j < 16; j++) {
                // C casts (x + 8.5f) to int8_t: truncation toward zero, then MIN(15, ...)
                int q0 = Math.min(15, (byte) (int) (x[base + j] * id + 8.5f));
                int q1 = Math.min(15, (byte) (int) (x[base + 16 + j] * id + 8.5f));
                out[o + 2 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    /** {@code dequantize_row_q4_0}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            for (int j = 0; j < 16; j++) {
                int q = QuantLayouts.u8(s, base + 2 + j);
                y[yOff + b * BLOCK + j] = ((q & 0x0F) - 8) * d;
                y[yOff + b * BLOCK + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }

    /** Row of {@code n} Q4_0 weights at {@code off} times Q8_0 activations starting at element {@code aOff}. */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int aOff, int n) {
        return dot(w, off, a, aOff, n, true);
    }

    /**
     * As {@link #dot(MemorySegment, long, Q8_0Activations, int, int)}; with {@code exactOrder} each block's integer
     * sum is reduced exactly and the block results are added in order (the same bits on every CPU); without it the
     * block results are accumulated lane-wise in float, which is faster but rounds according to the SIMD width.
     */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int aOff, int n, boolean exactOrder) {
        float sum = 0;
        FloatVector lanes = FloatVector.zero(FLOATS);
        int blocks = n / BLOCK;
        int firstBlock = aOff / BLOCK;
        short[] aq = a.wide;
        for (int b = 0; b < blocks; b++) {
            long base = off + (long) b * BYTES;
            int ab = aOff + b * BLOCK;
            // (nibble - 8) * int8 is at most 1024 in magnitude: four such sums stay exact in a short lane
            ShortVector s = ShortVector.zero(SHORTS);
            for (int c = 0; c < 16; c += LANES) {
                ByteVector raw = ByteVector.fromMemorySegment(PACKED, w, base + 2 + c, ByteOrder.LITTLE_ENDIAN);
                // widened once without sign extension: each nibble is then one mask or one shift away
                ShortVector bytes = (ShortVector) raw.convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
                ShortVector lo = bytes.and((short) 0x0F).sub((short) 8);
                ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
                ShortVector al = ShortVector.fromArray(SHORTS, aq, ab + c);
                ShortVector ah = ShortVector.fromArray(SHORTS, aq, ab + 16 + c);
                s = s.add(lo.mul(al)).add(hi.mul(ah));
            }
            // adjacent short lanes summed into int lanes (as IntKernels.pairSums, copied: a shared helper called with
            // two vector shapes would lose its type profile and the JIT would box the vectors)
            IntVector both = s.reinterpretAsInts();
            IntVector acc = both.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(both.lanewise(VectorOperators.ASHR, 16));
            float scale = QuantLayouts.half(w, base) * a.scales[firstBlock + b];
            if (exactOrder) {
                sum += acc.reduceLanes(VectorOperators.ADD) * scale;
            } else {
                lanes = ((FloatVector) acc.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(FLOATS, scale), lanes);
            }
        }
        return exactOrder ? sum : sumInLaneOrder(lanes);
    }

    /*
     * A block holds 16 packed bytes (32 weights), so the kernel works in vectors of at most 16 short lanes (256 bits)
     * whatever the CPU's width: wider vectors would straddle blocks.
     */
    private static final int QBITS = Math.min(VectorConfig.BITS, 256);
    /**
     * The lanes added in index order. Not {@code reduceLanes(ADD)}: its float order is unspecified and differs between
     * the interpreter and JIT-compiled code, so fast-mode logits changed with warm-up (batched prompt processing then
     * disagreed with token-by-token decoding). Runs once per row, so its cost does not show. Not
     * {@code FloatKernels.sumLanes} either: that tree's shuffles are built for the preferred species, and this kernel's
     * float species has its own (quant) width.
     */
    private static float sumInLaneOrder(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(QBITS));
    private static final VectorSpecies<Byte> PACKED = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(QBITS / 2));
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(QBITS));
    private static final int LANES = SHORTS.length();

    /**
     * {@link #dot(MemorySegment, long, Q8_0Activations, int, int, boolean)} for two activation vectors at once: each
     * block's nibbles are loaded and unpacked once and multiplied with both. Every output goes through exactly
     * the single-vector kernel's operations in the same order (same bits); results go to {@code out[t0..t0+2)[r]}.
     */
    static void dot2(MemorySegment w, long off, Q8_0Activations a0, Q8_0Activations a1, int n, boolean exactOrder, float[][] out, int t0, int r) {
        float s0 = 0, s1 = 0;
        FloatVector l0 = FloatVector.zero(FLOATS), l1 = l0;
        short[] q0 = a0.wide, q1 = a1.wide;
        int blocks = n / BLOCK;
        for (int b = 0; b < blocks; b++) {
            long base = off + (long) b * BYTES;
            int ab = b * BLOCK;
            ShortVector v0 = ShortVector.zero(SHORTS), v1 = v0;
            for (int c = 0; c < 16; c += LANES) {
                ByteVector raw = ByteVector.fromMemorySegment(PACKED, w, base + 2 + c, ByteOrder.LITTLE_ENDIAN);
                ShortVector bytes = (ShortVector) raw.convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
                ShortVector lo = bytes.and((short) 0x0F).sub((short) 8);
                ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
                int el = ab + c;
                int eh = ab + 16 + c;
                v0 = v0.add(lo.mul(ShortVector.fromArray(SHORTS, q0, el))).add(hi.mul(ShortVector.fromArray(SHORTS, q0, eh)));
                v1 = v1.add(lo.mul(ShortVector.fromArray(SHORTS, q1, el))).add(hi.mul(ShortVector.fromArray(SHORTS, q1, eh)));
            }
            float d = QuantLayouts.half(w, base);
            float k0 = d * a0.scales[b], k1 = d * a1.scales[b];
            if (exactOrder) {
                s0 += pairSums(v0).reduceLanes(VectorOperators.ADD) * k0;
                s1 += pairSums(v1).reduceLanes(VectorOperators.ADD) * k1;
            } else {
                FloatVector kv0 = FloatVector.broadcast(FLOATS, k0), kv1 = FloatVector.broadcast(FLOATS, k1);
                l0 = ((FloatVector) pairSums(v0).convert(VectorOperators.I2F, 0)).fma(kv0, l0);
                l1 = ((FloatVector) pairSums(v1).convert(VectorOperators.I2F, 0)).fma(kv1, l1);
            }
        }
        out[t0][r] = exactOrder ? s0 : sumInLaneOrder(l0);
        out[t0 + 1][r] = exactOrder ? s1 : sumInLaneOrder(l1);
    }

    /** Adjacent short lanes summed into int lanes, for this kernel's shape only (see the note in {@link #dot}). */
    private static IntVector pairSums(ShortVector s) {
        IntVector both = s.reinterpretAsInts();
        return both.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(both.lanewise(VectorOperators.ASHR, 16));
    }
}

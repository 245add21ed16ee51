package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.BYTE16;
import static dev.hypha.ml.tensor.VectorConfig.INT;
import static dev.hypha.ml.tensor.VectorConfig.INT_PARTS;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Exact int8 x int8 products accumulated in int lanes. Integer addition is associative, so any lane layout
 * and any reduction order give the same sum: these kernels are deterministic by construction.
 */
final class IntKernels {
    private IntKernels() {}

    private static final int SHORT_LANES = VectorConfig.SHORT.length();
    private static final VectorMask<Integer> UPPER_HALF = VectorMask.fromLong(INT, 0xFF00L);

    /** {@code acc + w * a} lane-wise over 16 signed bytes, widened to int lanes. */
    static IntVector mulAdd16(ByteVector w, ByteVector a, IntVector acc) {
        for (int p = 0; p < INT_PARTS; p++) {
            IntVector wi = (IntVector) w.convertShape(VectorOperators.B2I, INT, p);
            IntVector ai = (IntVector) a.convertShape(VectorOperators.B2I, INT, p);
            acc = acc.add(wi.mul(ai));
        }
        return acc;
    }

    /**
     * {@code acc + scale * v} lane-wise, the int lanes converted to float. Used by the fast kernels to avoid a
     * horizontal sum per block; the lane grouping follows the SIMD width, so the rounding does too.
     */
    static FloatVector fmaLanes(IntVector v, float scale, FloatVector acc) {
        return ((FloatVector) v.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(VectorConfig.FLOAT, scale), acc);
    }

    static FloatVector zeroFloat() {
        return FloatVector.zero(VectorConfig.FLOAT);
    }

    static float sum(FloatVector v) {
        return FloatKernels.sumLanes(v);
    }

    /**
     * {@code acc + sum of w[i] * a[i]} over one {@link VectorConfig#SHORT} vector's worth of bytes (8, 16 or 32): the
     * bytes widen to shorts, multiply exactly in 16 bits, and are summed in adjacent pairs into int lanes ({@link #pairSums}). Fewer and
     * cheaper instructions than widening both operands straight to ints.
     */
    static IntVector mulAddShorts(MemorySegment w, long wOff, short[] a, int aOff, IntVector acc) {
        ShortVector ws = (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, wOff, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2S, VectorConfig.SHORT, 0);
        ShortVector as = ShortVector.fromArray(VectorConfig.SHORT, a, aOff);
        return acc.add(pairSums(ws.mul(as)));
    }

    /**
     * {@code acc + scLo * dot(low nibbles, a[e..e+32)) + scHi * dot(high nibbles, a[e+32..e+64))} for 32 bytes of
     * packed 4-bit weights at {@code wOff} (the Q4_K layout). Products of a nibble and an int8 are at most 1920 in
     * magnitude, so up to 17 of them sum exactly in a short lane; the per-lane sums are widened to ints once.
     */
    static IntVector nibblePairDot(MemorySegment w, long wOff, short[] a, int e, int scLo, int scHi, IntVector acc) {
        ShortVector sumLo = ShortVector.zero(VectorConfig.SHORT);
        ShortVector sumHi = ShortVector.zero(VectorConfig.SHORT);
        for (int c = 0; c < 32; c += SHORT_LANES) {
            ByteVector raw = ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, wOff + c, ByteOrder.LITTLE_ENDIAN);
            // widened once without sign extension: both nibbles are then one mask or one shift away
            ShortVector bytes = (ShortVector) raw.convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0);
            ShortVector lo = bytes.and((short) 0x0F);
            ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4);
            ShortVector al = ShortVector.fromArray(VectorConfig.SHORT, a, e + c);
            ShortVector ah = ShortVector.fromArray(VectorConfig.SHORT, a, e + 32 + c);
            sumLo = sumLo.add(lo.mul(al));
            sumHi = sumHi.add(hi.mul(ah));
        }
        return acc.add(pairSums(sumLo).mul(scLo)).add(pairSums(sumHi).mul(scHi));
    }

    /**
     * {@link #nibblePairDot} for Q5_K: the 32 bytes at {@code ql} hold the low 4 bits (low nibbles sub-block 2j, high
     * nibbles 2j+1), bit {@code shift} and {@code shift + 1} of the 32 bytes at {@code qh} their fifth bits. A product is
     * at most 31 * 128 = 3968 in magnitude, and a short lane sums at most four of them (at 128 bits), so it stays exact.
     */
    static IntVector fiveBitPairDot(MemorySegment w, long ql, long qh, int shift, short[] a, int e, int scLo, int scHi, IntVector acc) {
        ShortVector sumLo = ShortVector.zero(VectorConfig.SHORT);
        ShortVector sumHi = ShortVector.zero(VectorConfig.SHORT);
        for (int c = 0; c < 32; c += SHORT_LANES) {
            ShortVector bytes = (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, ql + c, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0);
            ShortVector high = (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, qh + c, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0);
            ShortVector lo = bytes.and((short) 0x0F).or(high.lanewise(VectorOperators.LSHR, shift).and((short) 1).lanewise(VectorOperators.LSHL, 4));
            ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4)
                    .or(high.lanewise(VectorOperators.LSHR, shift + 1).and((short) 1).lanewise(VectorOperators.LSHL, 4));
            sumLo = sumLo.add(lo.mul(ShortVector.fromArray(VectorConfig.SHORT, a, e + c)));
            sumHi = sumHi.add(hi.mul(ShortVector.fromArray(VectorConfig.SHORT, a, e + 32 + c)));
        }
        return acc.add(pairSums(sumLo).mul(scLo)).add(pairSums(sumHi).mul(scHi));
    }

    /**
     * {@code acc + s0 * dot(q[0..16), a[e..e+16)) + s1 * dot(q[16..32), a[e+16..e+32))} for 32 six-bit Q6_K weights:
     * low 4 bits from the bytes at {@code ql} shifted right by {@code lowShift}, high 2 bits from the bytes at
     * {@code qh} shifted right by {@code highShift}, minus 32. A product is at most 4096 in magnitude (exact in a short
     * lane); adjacent pairs are summed into int lanes, which all belong to one group of 16 and take its scale.
     */
    static IntVector sixBitDot(MemorySegment w, long ql, int lowShift, long qh, int highShift, short[] a, int e, int s0, int s1,
                               IntVector acc) {
        for (int c = 0; c < 32; c += SHORT_LANES) {
            ShortVector low = ((ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, ql + c, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0))
                    .lanewise(VectorOperators.LSHR, lowShift).and((short) 0x0F);
            ShortVector high = ((ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, qh + c, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0))
                    .lanewise(VectorOperators.LSHR, highShift).and((short) 3).lanewise(VectorOperators.LSHL, 4);
            ShortVector p = low.or(high).sub((short) 32).mul(ShortVector.fromArray(VectorConfig.SHORT, a, e + c));
            // with 32 short lanes the first 8 int lanes are group 0 and the last 8 group 1; narrower vectors hold one group
            IntVector scale = SHORT_LANES == 32
                    ? IntVector.broadcast(INT, s0).blend(s1, UPPER_HALF)
                    : IntVector.broadcast(INT, c < 16 ? s0 : s1);
            acc = acc.add(pairSums(p).mul(scale));
        }
        return acc;
    }

    /**
     * {@code acc + s0 * dot(q[0..16), a[e..e+16)) + s1 * dot(q[16..32), a[e+16..e+32))} for 32 two-bit Q2_K weights, bits
     * {@code shift, shift+1} of the 32 bytes at {@code q}. Products are at most 3 * 128 in magnitude; adjacent pairs are
     * summed into int lanes, which all belong to one group of 16 and take its scale (as in {@link #sixBitDot}).
     */
    static IntVector twoBitDot(MemorySegment w, long q, int shift, short[] a, int e, int s0, int s1, IntVector acc) {
        for (int c = 0; c < 32; c += SHORT_LANES) {
            ShortVector level = ((ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, q + c, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, VectorConfig.SHORT, 0))
                    .lanewise(VectorOperators.LSHR, shift).and((short) 3);
            ShortVector p = level.mul(ShortVector.fromArray(VectorConfig.SHORT, a, e + c));
            IntVector scale = SHORT_LANES == 32
                    ? IntVector.broadcast(INT, s0).blend(s1, UPPER_HALF)
                    : IntVector.broadcast(INT, c < 16 ? s0 : s1);
            acc = acc.add(pairSums(p).mul(scale));
        }
        return acc;
    }

    /**
     * Int lanes holding the sums of adjacent short lanes: each int lane of the reinterpreted vector holds two shorts,
     * recovered exactly by sign-extending shifts. Cheaper than widening each half (no lane crossing).
     */
    static IntVector pairSums(ShortVector v) {
        IntVector both = v.reinterpretAsInts();
        return both.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(both.lanewise(VectorOperators.ASHR, 16));
    }

    /** Two activations packed by {@link QuantLayouts#pairUp} repeated in every pair of short lanes (one broadcast). */
    static ShortVector broadcastPair(int pair) {
        return IntVector.broadcast(INT, pair).reinterpretAsShorts();
    }

    static ByteVector load16(byte[] a, int off) {
        return ByteVector.fromArray(BYTE16, a, off);
    }

    static IntVector zero() {
        return IntVector.zero(INT);
    }

    static int sum(IntVector v) {
        return v.reduceLanes(VectorOperators.ADD);
    }
}

package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.BYTE16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Q8_0: blocks of 32 weights in 34 bytes, {@code fp16 d} then {@code int8 qs[32]}; {@code x = d * q}. */
public final class Q8_0 {
    private Q8_0() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 34;
    private static final int SHORT_LANES = VectorConfig.SHORT.length();

    /** {@code quantize_row_q8_0_ref}: d = amax/127, q = roundf(x/d). */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int base = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantLayouts.putHalf(out, o, d);
            for (int j = 0; j < BLOCK; j++) {
                out[o + 2 + j] = (byte) Numbers.roundHalfAway(x[base + j] * id);
            }
        }
    }

    /** {@code dequantize_row_q8_0}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            for (int j = 0; j < BLOCK; j++) {
                y[yOff + b * BLOCK + j] = s.get(ValueLayout.JAVA_BYTE, base + 2 + j) * d;
            }
        }
    }

    /** Row of {@code n} Q8_0 weights at {@code off} times Q8_0 activations starting at element {@code aOff}. */
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
        FloatVector lanes = IntKernels.zeroFloat();
        int blocks = n / BLOCK;
        int firstBlock = aOff / BLOCK;
        for (int b = 0; b < blocks; b++) {
            long base = off + (long) b * BYTES;
            int ab = aOff + b * BLOCK;
            IntVector acc = IntKernels.zero();
            for (int c = 0; c < BLOCK; c += SHORT_LANES) {
                acc = IntKernels.mulAddShorts(w, base + 2 + c, a.wide, ab + c, acc);
            }
            float scale = QuantLayouts.half(w, base) * a.scales[firstBlock + b];
            if (exactOrder) {
                sum += IntKernels.sum(acc) * scale;
            } else {
                lanes = IntKernels.fmaLanes(acc, scale, lanes);
            }
        }
        return exactOrder ? sum : IntKernels.sum(lanes);
    }

    /**
     * {@link #dot(MemorySegment, long, Q8_0Activations, int, int, boolean)} for two activation vectors at once: each
     * weight chunk is loaded and widened once and multiplied with both (prompt processing is otherwise bound by
     * re-reading the weights per token). Every output goes through exactly the single-vector kernel's operations in
     * the same order, so the bits are identical to two separate calls; results go to {@code out[t0..t0+2)[r]}.
     */
    static void dot2(MemorySegment w, long off, Q8_0Activations a0, Q8_0Activations a1, int n, boolean exactOrder, float[][] out, int t0, int r) {
        float s0 = 0, s1 = 0;
        FloatVector l0 = IntKernels.zeroFloat(), l1 = l0;
        short[] w0 = a0.wide, w1 = a1.wide;
        int blocks = n / BLOCK;
        for (int b = 0; b < blocks; b++) {
            long base = off + (long) b * BYTES;
            int ab = b * BLOCK;
            IntVector c0 = IntKernels.zero(), c1 = c0;
            for (int c = 0; c < BLOCK; c += SHORT_LANES) {
                ShortVector ws = (ShortVector) ByteVector.fromMemorySegment(VectorConfig.BYTE_HALF, w, base + 2 + c, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, VectorConfig.SHORT, 0);
                c0 = c0.add(IntKernels.pairSums(ws.mul(ShortVector.fromArray(VectorConfig.SHORT, w0, ab + c))));
                c1 = c1.add(IntKernels.pairSums(ws.mul(ShortVector.fromArray(VectorConfig.SHORT, w1, ab + c))));
            }
            float d = QuantLayouts.half(w, base);
            float k0 = d * a0.scales[b], k1 = d * a1.scales[b];
            if (exactOrder) {
                s0 += IntKernels.sum(c0) * k0;
                s1 += IntKernels.sum(c1) * k1;
            } else {
                l0 = IntKernels.fmaLanes(c0, k0, l0);
                l1 = IntKernels.fmaLanes(c1, k1, l1);
            }
        }
        out[t0][r] = exactOrder ? s0 : IntKernels.sum(l0);
        out[t0 + 1][r] = exactOrder ? s1 : IntKernels.sum(l1);
    }
}

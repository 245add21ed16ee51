package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.BYTE16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

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
}

package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.BYTE16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K: super-blocks of 256 weights in 210 bytes: {@code uint8 ql[128]} (low 4 bits), {@code uint8 qh[64]}
 * (high 2 bits), {@code int8 scales[16]} (one per 16 weights), {@code fp16 d}. Decode:
 * {@code x = d * scale * (q - 32)}.
 */
public final class Q6_K {
    private Q6_K() {}

    public static final int BLOCK = 256;
    public static final int BYTES = 210;

    /** {@code dequantize_row_q6_K}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base + 208);
            for (int half = 0; half < 2; half++) {
                long ql = base + 64L * half;
                long qh = base + 128 + 32L * half;
                long sc = base + 192 + 8L * half;
                int out = yOff + b * BLOCK + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int qlA = QuantLayouts.u8(s, ql + l);
                    int qlB = QuantLayouts.u8(s, ql + l + 32);
                    int h = QuantLayouts.u8(s, qh + l);
                    int q1 = ((qlA & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((qlB & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((qlA >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((qlB >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[out + l] = d * s.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    y[out + l + 32] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    y[out + l + 64] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    y[out + l + 96] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }

    /** {@code quantize_row_q6_K_ref}: 16 sub-block scales by {@code make_qx_quants}, quantized to int8 against one fp16 d. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        int[] levels = new int[BLOCK];
        float[] scales = new float[16];
        for (int b = 0; b < n / BLOCK; b++) {
            int xb = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < 16; ib++) {
                float scale = KQuants.makeQxQuants(16, 32, x, xb + 16 * ib, levels, 16 * ib);
                scales[ib] = scale;
                if (Math.abs(scale) > maxAbsScale) {
                    maxAbsScale = Math.abs(scale);
                    maxScale = scale;
                }
            }
            java.util.Arrays.fill(out, o, o + BYTES, (byte) 0);
            if (maxAbsScale < 1e-15f) {
                continue;
            }
            float iscale = -128.0f / maxScale;
            QuantLayouts.putHalf(out, o + 208, 1 / iscale);
            float dAll = Numbers.halfToFloat(Numbers.floatToHalf(1 / iscale));
            byte[] sc = new byte[16];
            for (int ib = 0; ib < 16; ib++) {
                sc[ib] = (byte) Math.min(127, Numbers.nearestInt(iscale * scales[ib]));
                out[o + 192 + ib] = sc[ib];
            }
            for (int j = 0; j < 16; j++) {
                float d = dAll * sc[j];
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = Numbers.nearestInt(x[xb + 16 * j + ii] / d);
                    levels[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
                }
            }
            for (int half = 0; half < 2; half++) {
                int j = 128 * half;
                int ql = o + 64 * half;
                int qh = o + 128 + 32 * half;
                for (int l = 0; l < 32; l++) {
                    int q1 = levels[j + l] & 0xF;
                    int q2 = levels[j + l + 32] & 0xF;
                    int q3 = levels[j + l + 64] & 0xF;
                    int q4 = levels[j + l + 96] & 0xF;
                    out[ql + l] = (byte) (q1 | (q3 << 4));
                    out[ql + l + 32] = (byte) (q2 | (q4 << 4));
                    out[qh + l] = (byte) ((levels[j + l] >> 4) | ((levels[j + l + 32] >> 4) << 2)
                            | ((levels[j + l + 64] >> 4) << 4) | ((levels[j + l + 96] >> 4) << 6));
                }
            }
        }
    }

    /**
     * Row of {@code n} Q6_K weights at {@code off} times Q8_K activations starting at element {@code aOff}.
     * Works on the 16 groups of 16 weights that share a scale: group g covers elements 16g..16g+15, whose low
     * nibbles come from {@code ql} and high bit pairs from {@code qh} as laid out by {@code dequantize_row_q6_K}.
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        return dot(w, off, a, aOff, n, true);
    }

    /**
     * With {@code exactOrder} false, super-block results accumulate lane-wise in float (faster, width-dependent rounding).
     * Works 32 weights at a time (two groups: the same {@code ql} and {@code qh} bytes, two scales); the 16 int8
     * scales are read with two loads.
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n, boolean exactOrder) {
        float sum = 0;
        FloatVector lanes = IntKernels.zeroFloat();
        int blocks = n / BLOCK;
        int firstBlock = aOff / BLOCK;
        short[] aw = a.wide;
        for (int b = 0; b < blocks; b++) {
            long base = off + (long) b * BYTES;
            int ab = aOff + b * BLOCK;
            IntVector acc = IntKernels.zero();
            for (int half = 0; half < 2; half++) {
                long scales = w.get(QuantLayouts.LONG_LE, base + 192 + 8L * half);
                long qh = base + 128 + 32L * half;
                for (int quarter = 0; quarter < 4; quarter++) {
                    long ql = base + 64L * half + 32L * (quarter & 1);
                    int s0 = (byte) (scales >>> (16 * quarter));       // scale of group 8*half + 2*quarter
                    int s1 = (byte) (scales >>> (16 * quarter + 8));   // and of the group after it
                    acc = IntKernels.sixBitDot(w, ql, 4 * (quarter >> 1), qh, 2 * quarter, aw,
                            ab + 128 * half + 32 * quarter, s0, s1, acc);
                }
            }
            float d = QuantLayouts.half(w, base + 208) * a.scales[firstBlock + b];
            if (exactOrder) {
                sum += d * IntKernels.sum(acc);
            } else {
                lanes = IntKernels.fmaLanes(acc, d, lanes);
            }
        }
        return exactOrder ? sum : IntKernels.sum(lanes);
    }
}

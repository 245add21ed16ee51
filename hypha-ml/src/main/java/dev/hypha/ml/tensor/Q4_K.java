package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.BYTE16;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K: super-blocks of 256 weights in 144 bytes: {@code fp16 d, fp16 dmin, uint8 scales[12], uint8 qs[128]}.
 * Eight sub-blocks of 32 weights each have a 6-bit scale and a 6-bit min packed in {@code scales}; weights are
 * stored 64 at a time, the low nibbles of 32 bytes holding sub-block 2i and the high nibbles sub-block 2i+1.
 * Decode: {@code x = d*sc*q - dmin*m}.
 */
public final class Q4_K {
    private Q4_K() {}

    public static final int BLOCK = 256;
    public static final int BYTES = 144;

    /** {@code get_scale_min_k4}: scale (low 8 bits) and min (next 8 bits) of sub-block j. */
    static int scaleMin(int j, MemorySegment s, long scalesOff) {
        int sc;
        int m;
        if (j < 4) {
            sc = QuantLayouts.u8(s, scalesOff + j) & 63;
            m = QuantLayouts.u8(s, scalesOff + j + 4) & 63;
        } else {
            sc = (QuantLayouts.u8(s, scalesOff + j + 4) & 0xF) | ((QuantLayouts.u8(s, scalesOff + j - 4) >> 6) << 4);
            m = (QuantLayouts.u8(s, scalesOff + j + 4) >> 4) | ((QuantLayouts.u8(s, scalesOff + j) >> 6) << 4);
        }
        return sc | (m << 8);
    }

    /** {@code dequantize_row_q4_K}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            float min = QuantLayouts.half(s, base + 2);
            int out = yOff + b * BLOCK;
            for (int j = 0; j < 4; j++) {
                int sm1 = scaleMin(2 * j, s, base + 4);
                int sm2 = scaleMin(2 * j + 1, s, base + 4);
                float d1 = d * (sm1 & 0xff);
                float m1 = min * (sm1 >> 8);
                float d2 = d * (sm2 & 0xff);
                float m2 = min * (sm2 >> 8);
                long q = base + 16 + 32L * j;
                for (int l = 0; l < 32; l++) {
                    y[out + 64 * j + l] = d1 * (QuantLayouts.u8(s, q + l) & 0xF) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    y[out + 64 * j + 32 + l] = d2 * (QuantLayouts.u8(s, q + l) >> 4) - m2;
                }
            }
        }
    }

    /** {@code quantize_row_q4_K_ref}: per sub-block scale and min fitted by {@code make_qkx2_quants}, then packed. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        int[] levels = new int[BLOCK];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] sub = new float[32];
        for (int b = 0; b < n / BLOCK; b++) {
            int xb = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) {
                    sumX2 += x[xb + 32 * j + l] * x[xb + 32 * j + l];
                }
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    weights[l] = avX + Math.abs(x[xb + 32 * j + l]);
                    sub[l] = x[xb + 32 * j + l];
                }
                float[] minOut = new float[1];
                scales[j] = KQuants.makeQkx2Quants(32, 15, sub, weights, levels, 32 * j, minOut, -1.0f, 0.1f, 20);
                mins[j] = minOut[0];
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
            float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
            byte[] packed = new byte[12];
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, Numbers.nearestInt(invScale * scales[j]) & 0xff);
                int lm = Math.min(63, Numbers.nearestInt(invMin * mins[j]) & 0xff);
                if (j < 4) {
                    packed[j] = (byte) ls;
                    packed[j + 4] = (byte) lm;
                } else {
                    packed[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                    packed[j - 4] |= (byte) ((ls >> 4) << 6);
                    packed[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            QuantLayouts.putHalf(out, o, maxScale / 63.0f);
            QuantLayouts.putHalf(out, o + 2, maxMin / 63.0f);
            System.arraycopy(packed, 0, out, o + 4, 12);
            MemorySegment ps = MemorySegment.ofArray(packed);
            float dAll = Numbers.halfToFloat(Numbers.floatToHalf(maxScale / 63.0f));
            float dMinAll = Numbers.halfToFloat(Numbers.floatToHalf(maxMin / 63.0f));
            for (int j = 0; j < 8; j++) {
                int sm = scaleMin(j, ps, 0);
                float d = dAll * (sm & 0xff);
                if (d == 0) {
                    continue;
                }
                float dm = dMinAll * (sm >> 8);
                for (int ii = 0; ii < 32; ii++) {
                    int l = Numbers.nearestInt((x[xb + 32 * j + ii] + dm) / d);
                    levels[32 * j + ii] = Math.max(0, Math.min(15, l));
                }
            }
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 32; l++) {
                    out[o + 16 + 32 * j + l] = (byte) (levels[64 * j + l] | (levels[64 * j + 32 + l] << 4));
                }
            }
        }
    }

    /**
     * Row of {@code n} Q4_K weights at {@code off} times Q8_K activations starting at element {@code aOff}.
     * Scales are unpacked before any vector is live, so no call sits between vector operations (the JIT would
     * otherwise have to box the vectors).
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        return dot(w, off, a, aOff, n, true);
    }

    /**
     * With {@code exactOrder} false, super-block results accumulate lane-wise in float (faster, width-dependent rounding).
     *
     * <p>The integer part is the same in both modes and exact: weights and activations are widened to 16-bit lanes
     * (a product of a 4-bit weight and an int8 activation fits, and so does the sum of four of them), summed per
     * sub-block in shorts, widened once to ints and multiplied by the sub-block scale. The 12 packed scale bytes
     * are read with two loads and unpacked in registers.
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n, boolean exactOrder) {
        float sum = 0;
        FloatVector lanes = IntKernels.zeroFloat();
        int blocks = n / BLOCK;
        int firstBlock = aOff / BLOCK;
        short[] aq = a.wide;
        int[] bsums = a.bsums;
        for (int b = 0; b < blocks; b++) {
            long base = off + (long) b * BYTES;
            int ab = aOff + b * BLOCK;
            long lo8 = w.get(QuantLayouts.LONG_LE, base + 4);
            int hi4 = w.get(QuantLayouts.INT_LE, base + 12);
            int g = ab / 16;
            int sumMins = 0;
            IntVector acc = IntKernels.zero();
            for (int jp = 0; jp < 4; jp++) {
                int packedLo = scaleMin(2 * jp, lo8, hi4);
                int packedHi = scaleMin(2 * jp + 1, lo8, hi4);
                sumMins += (bsums[g + 4 * jp] + bsums[g + 4 * jp + 1]) * (packedLo >> 8)
                        + (bsums[g + 4 * jp + 2] + bsums[g + 4 * jp + 3]) * (packedHi >> 8);
                acc = IntKernels.nibblePairDot(w, base + 16 + 32L * jp, aq, ab + 64 * jp, packedLo & 0xff, packedHi & 0xff, acc);
            }
            float ad = a.scales[firstBlock + b];
            float d = QuantLayouts.half(w, base) * ad;
            float dmin = QuantLayouts.half(w, base + 2) * ad;
            if (exactOrder) {
                sum += d * IntKernels.sum(acc);
            } else {
                lanes = IntKernels.fmaLanes(acc, d, lanes);
            }
            sum -= dmin * sumMins;
        }
        return exactOrder ? sum : IntKernels.sum(lanes) + sum;
    }

    /** {@code get_scale_min_k4} on the 12 scale bytes held as a little-endian long (bytes 0-7) and int (8-11). */
    private static int scaleMin(int j, long lo8, int hi4) {
        int sc;
        int m;
        if (j < 4) {
            sc = (int) (lo8 >>> (8 * j)) & 63;
            m = (int) (lo8 >>> (8 * (j + 4))) & 63;
        } else {
            int b4 = (hi4 >>> (8 * (j - 4))) & 0xff;
            sc = (b4 & 0xF) | ((((int) (lo8 >>> (8 * (j - 4))) & 0xff) >> 6) << 4);
            m = (b4 >> 4) | ((((int) (lo8 >>> (8 * j))) & 0xff) >> 6) << 4;
        }
        return sc | (m << 8);
    }
}

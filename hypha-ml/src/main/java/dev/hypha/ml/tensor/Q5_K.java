package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;

/**
 * Q5_K: super-blocks of 256 weights in 176 bytes: {@code fp16 d, fp16 dmin, uint8 scales[12], uint8 qh[32],
 * uint8 qs[128]}. Scales and mins of the eight sub-blocks of 32 are packed as in {@link Q4_K}; the low four bits of
 * each weight are laid out as Q4_K's, the fifth is bit 2i (sub-block 2i) or 2i+1 (sub-block 2i+1) of {@code qh[l]}.
 * Decode: {@code x = d*sc*q - dmin*m}.
 */
public final class Q5_K {
    private Q5_K() {}

    public static final int BLOCK = 256;
    public static final int BYTES = 176;

    /** {@code dequantize_row_q5_K}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            float min = QuantLayouts.half(s, base + 2);
            int out = yOff + b * BLOCK;
            for (int j = 0; j < 4; j++) {
                int sm1 = Q4_K.scaleMin(2 * j, s, base + 4);
                int sm2 = Q4_K.scaleMin(2 * j + 1, s, base + 4);
                float d1 = d * (sm1 & 0xff);
                float m1 = min * (sm1 >> 8);
                float d2 = d * (sm2 & 0xff);
                float m2 = min * (sm2 >> 8);
                int u1 = 1 << (2 * j);
                int u2 = 2 << (2 * j);
                long ql = base + 48 + 32L * j;
                for (int l = 0; l < 32; l++) {
                    y[out + 64 * j + l] = d1 * ((QuantLayouts.u8(s, ql + l) & 0xF) + ((QuantLayouts.u8(s, base + 16 + l) & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    y[out + 64 * j + 32 + l] = d2 * ((QuantLayouts.u8(s, ql + l) >> 4) + ((QuantLayouts.u8(s, base + 16 + l) & u2) != 0 ? 16 : 0)) - m2;
                }
            }
        }
    }

    /** {@code quantize_row_q5_K_ref}: per sub-block scale and min fitted by {@code make_qkx2_quants} (levels 0-31), then packed. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        int[] levels = new int[BLOCK];
        float[] weights = new float[32];
        float[] sub = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] minOut = new float[1];
        for (int b = 0; b < n / BLOCK; b++) {
            int xb = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            java.util.Arrays.fill(out, o, o + BYTES, (byte) 0);
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
                scales[j] = KQuants.makeQkx2Quants(32, 31, sub, weights, levels, 32 * j, minOut, -0.5f, 0.1f, 15);
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
            float dAll = QuantLayouts.halfAt(out, o);
            float dMinAll = QuantLayouts.halfAt(out, o + 2);
            for (int j = 0; j < 8; j++) {
                int sm = Q4_K.scaleMin(j, ps, 0);
                float d = dAll * (sm & 0xff);
                if (d == 0) {
                    continue;
                }
                float dm = dMinAll * (sm >> 8);
                for (int ii = 0; ii < 32; ii++) {
                    int l = Numbers.nearestInt((x[xb + 32 * j + ii] + dm) / d);
                    levels[32 * j + ii] = Math.max(0, Math.min(31, l));
                }
            }
            int m1 = 1;
            int m2 = 2;
            for (int nn = 0; nn < BLOCK; nn += 64) {
                int ql = o + 48 + nn / 2;
                for (int j = 0; j < 32; j++) {
                    int l1 = levels[nn + j];
                    if (l1 > 15) {
                        l1 -= 16;
                        out[o + 16 + j] |= (byte) m1;
                    }
                    int l2 = levels[nn + j + 32];
                    if (l2 > 15) {
                        l2 -= 16;
                        out[o + 16 + j] |= (byte) m2;
                    }
                    out[ql + j] = (byte) (l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
        }
    }

    /**
     * Row of {@code n} Q5_K weights times Q8_K activations ({@code ggml_vec_dot_q5_K_q8_K}): per super-block the exact
     * integer sum of sub-block scale times products ({@link IntKernels#fiveBitPairDot}, 16-bit lanes widened once) and
     * the exact min term from the activations' group sums; {@code Σ d*sum} and {@code Σ dmin*mins} are each added in
     * super-block order and subtracted at the end (as llama.cpp's AVX2 kernel keeps them apart, and as the interleaved
     * path computes them, see {@link Q5_KMins}). The scale bytes are unpacked before any vector is live (a call between
     * vector operations would box them).
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        short[] aw = a.wide;
        int[] bsums = a.bsums;
        int[] sm = new int[8];
        float sum = 0;
        float mins = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            int ab = aOff + b * BLOCK;
            int sumMins = 0;
            for (int j = 0; j < 8; j++) {
                sm[j] = Q4_K.scaleMin(j, w, base + 4);
                sumMins += (bsums[ab / 16 + 2 * j] + bsums[ab / 16 + 2 * j + 1]) * (sm[j] >> 8);
            }
            IntVector acc = IntKernels.zero();
            for (int j = 0; j < 4; j++) {
                acc = IntKernels.fiveBitPairDot(w, base + 48 + 32L * j, base + 16, 2 * j, aw, ab + 64 * j,
                        sm[2 * j] & 0xff, sm[2 * j + 1] & 0xff, acc);
            }
            int sumi = IntKernels.sum(acc);
            float ad = a.scales[aOff / BLOCK + b];
            float d = ad * QuantLayouts.half(w, base);
            float dmin = ad * QuantLayouts.half(w, base + 2);
            sum += d * sumi;
            mins += dmin * sumMins;
        }
        return sum - mins;
    }

    /**
     * The super-block at {@code off} in Q6_K's form, for repacking ({@link Q5_KMins}): levels {@code q + 32} (32..63),
     * each sub-block's 6-bit scale for both of its groups of 16; returns {@code d}. The mins are left out.
     */
    static float levels(MemorySegment s, long off, int[] q, byte[] scales) {
        for (int j = 0; j < 4; j++) {
            int sm1 = Q4_K.scaleMin(2 * j, s, off + 4);
            int sm2 = Q4_K.scaleMin(2 * j + 1, s, off + 4);
            scales[4 * j] = (byte) (sm1 & 0xff);
            scales[4 * j + 1] = (byte) (sm1 & 0xff);
            scales[4 * j + 2] = (byte) (sm2 & 0xff);
            scales[4 * j + 3] = (byte) (sm2 & 0xff);
            for (int l = 0; l < 32; l++) {
                int ql = QuantLayouts.u8(s, off + 48 + 32L * j + l);
                int qh = QuantLayouts.u8(s, off + 16 + l);
                q[64 * j + l] = (ql & 0xF) + ((qh >> (2 * j)) & 1) * 16 + 32;
                q[64 * j + 32 + l] = (ql >> 4) + ((qh >> (2 * j + 1)) & 1) * 16 + 32;
            }
        }
        return QuantLayouts.half(s, off);
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K: super-blocks of 256 weights in 84 bytes: {@code uint8 scales[16], uint8 qs[64], fp16 d, fp16 dmin}. Each of 16
 * groups of 16 weights has a 4-bit scale (low nibble) and a 4-bit min (high nibble); weights are 2 bits, four to a
 * byte: in each half of 128, byte l of its 32 holds weights l, l+32, l+64, l+96 (bits 0-1, 2-3, 4-5, 6-7).
 * Decode: {@code x = d*sc*q - dmin*m}.
 */
public final class Q2_K {
    private Q2_K() {}

    public static final int BLOCK = 256;
    public static final int BYTES = 84;

    /** {@code dequantize_row_q2_K}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base + 80);
            float min = QuantLayouts.half(s, base + 82);
            int out = yOff + b * BLOCK;
            int is = 0;
            for (int half = 0; half < 2; half++) {
                long q = base + 16 + 32L * half;
                for (int j = 0; j < 4; j++) {
                    int shift = 2 * j;
                    for (int g = 0; g < 2; g++) {
                        int sc = QuantLayouts.u8(s, base + is++);
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >> 4);
                        for (int l = 0; l < 16; l++) {
                            y[out++] = dl * ((QuantLayouts.u8(s, q + 16 * g + l) >> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    /** {@code quantize_row_q2_K_ref}: per group scale and min by {@code make_qkx2_quants} (absolute error), 4-bit each against fp16 d and dmin. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        int[] levels = new int[BLOCK];
        float[] weights = new float[16];
        float[] sub = new float[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] minOut = new float[1];
        for (int b = 0; b < n / BLOCK; b++) {
            int xb = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            java.util.Arrays.fill(out, o, o + BYTES, (byte) 0);
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) {
                    sub[l] = x[xb + 16 * j + l];
                    weights[l] = Math.abs(sub[l]);
                }
                scales[j] = KQuants.makeQkx2Quants(16, 3, sub, weights, levels, 16 * j, minOut, -0.5f, 0.1f, 15, true);
                mins[j] = minOut[0];
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            int[] sc = new int[16];
            if (maxScale > 0) {
                float iscale = 15.0f / maxScale;
                for (int j = 0; j < 16; j++) {
                    sc[j] = Numbers.nearestInt(iscale * scales[j]) & 0xFF;
                }
                QuantLayouts.putHalf(out, o + 80, maxScale / 15.0f);
            } else {
                QuantLayouts.putHalf(out, o + 80, 0.0f);
            }
            if (maxMin > 0) {
                float iscale = 15.0f / maxMin;
                for (int j = 0; j < 16; j++) {
                    sc[j] = (sc[j] | (Numbers.nearestInt(iscale * mins[j]) << 4)) & 0xFF;
                }
                QuantLayouts.putHalf(out, o + 82, maxMin / 15.0f);
            } else {
                QuantLayouts.putHalf(out, o + 82, 0.0f);
            }
            float dAll = QuantLayouts.halfAt(out, o + 80);
            float dMinAll = QuantLayouts.halfAt(out, o + 82);
            for (int j = 0; j < 16; j++) {
                out[o + j] = (byte) sc[j];
                float d = dAll * (sc[j] & 0xF);
                if (d == 0) {
                    continue;
                }
                float dm = dMinAll * (sc[j] >> 4);
                for (int ii = 0; ii < 16; ii++) {
                    int l = Numbers.nearestInt((x[xb + 16 * j + ii] + dm) / d);
                    levels[16 * j + ii] = Math.max(0, Math.min(3, l));
                }
            }
            for (int j = 0; j < BLOCK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    out[o + 16 + j / 4 + l] = (byte) (levels[j + l] | (levels[j + l + 32] << 2)
                            | (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
                }
            }
        }
    }

    /**
     * Row of {@code n} Q2_K weights times Q8_K activations ({@code ggml_vec_dot_q2_K_q8_K}): per super-block the exact
     * integer sum of scale times products ({@link IntKernels#twoBitDot}) and the exact min term from the activations'
     * group sums, then {@code d*sum - dmin*mins}, super-blocks in order. The scale bytes are read before any vector is live.
     * For one token; a batch decodes each row once instead ({@link #decodeRow}, {@link #dotDecoded}: the same integer
     * sums and float operations, so the same bits).
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        short[] aw = a.wide;
        int[] bsums = a.bsums;
        int[] sc = new int[16];
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            int ab = aOff + b * BLOCK;
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                sc[j] = QuantLayouts.u8(w, base + j);
                summs += bsums[ab / 16 + j] * (sc[j] >> 4);
            }
            IntVector acc = IntKernels.zero();
            for (int half = 0; half < 2; half++) {
                for (int j = 0; j < 4; j++) {
                    int is = 8 * half + 2 * j;
                    acc = IntKernels.twoBitDot(w, base + 16 + 32L * half, 2 * j, aw, ab + 128 * half + 32 * j,
                            sc[is] & 0xF, sc[is + 1] & 0xF, acc);
                }
            }
            int isum = IntKernels.sum(acc);
            float ad = a.scales[aOff / BLOCK + b];
            float dall = ad * QuantLayouts.half(w, base + 80);
            float dmin = ad * QuantLayouts.half(w, base + 82);
            sum += dall * isum - dmin * summs;
        }
        return sum;
    }

    /**
     * The row as {@code level * scale} per weight (at most 3 * 15 = 45, so an int8, and the integer sum over a group of
     * 16 is then exactly {@code scale * Σ level * a}), each group's 4-bit min, and each super-block's {@code d}, {@code dmin}.
     */
    static void decodeRow(MemorySegment w, long off, int n, byte[] scaled, byte[] mins, float[] d) {
        byte[] blk = new byte[BYTES];
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            d[2 * b] = QuantLayouts.halfAt(blk, 80);
            d[2 * b + 1] = QuantLayouts.halfAt(blk, 82);
            int e = BLOCK * b;
            for (int g = 0; g < 16; g++) {
                int sc = blk[g] & 0xFF;
                mins[16 * b + g] = (byte) (sc >> 4);
                int q = 16 + 32 * (g / 8) + 16 * (g % 2);     // the group's 16 bytes of qs
                int shift = 2 * ((g % 8) / 2);
                for (int l = 0; l < 16; l++) {
                    scaled[e++] = (byte) (((blk[q + l] >> shift) & 3) * (sc & 0xF));
                }
            }
        }
    }

    /**
     * A decoded row times Q8_K activations: scaled levels widened to 16-bit lanes and multiplied with the activations
     * (at most 45 * 127), adjacent lanes summed into ints, reduced once per super-block (exact); the min term from the
     * activations' group sums; then {@code sum += dall * isum - dmin * mins} in super-block order.
     */
    static float dotDecoded(byte[] scaled, byte[] mins, float[] d, Q8_KActivations a, int aOff, int n) {
        short[] aw = a.wide;
        int[] bsums = a.bsums;
        int lanes = VectorConfig.SHORT.length();
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            int ab = aOff + b * BLOCK;
            int summs = 0;
            for (int g = 0; g < 16; g++) {
                summs += bsums[ab / 16 + g] * mins[16 * b + g];
            }
            IntVector acc = IntKernels.zero();
            for (int c = 0; c < BLOCK; c += lanes) {
                ShortVector q = (ShortVector) ByteVector.fromArray(VectorConfig.BYTE_HALF, scaled, BLOCK * b + c)
                        .convertShape(VectorOperators.B2S, VectorConfig.SHORT, 0);
                acc = acc.add(IntKernels.pairSums(q.mul(ShortVector.fromArray(VectorConfig.SHORT, aw, ab + c))));
            }
            int isum = IntKernels.sum(acc);
            float ad = a.scales[aOff / BLOCK + b];
            float dall = ad * d[2 * b];
            float dmin = ad * d[2 * b + 1];
            sum += dall * isum - dmin * summs;
        }
        return sum;
    }
}

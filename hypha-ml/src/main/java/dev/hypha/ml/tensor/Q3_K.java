package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q3_K: super-blocks of 256 weights in 110 bytes: {@code uint8 hmask[32], uint8 qs[64], uint8 scales[12], fp16 d}.
 * Weights are 3 bits: the low two in {@code qs} (laid out as Q2_K's), the third in {@code hmask} (bit k of byte l for
 * weight 32k + l), a cleared bit meaning minus 4. Each of 16 groups of 16 has a 6-bit scale stored offset by 32: low
 * nibbles in bytes 0-7, high bit pairs in bytes 8-11. Decode: {@code x = d * (sc - 32) * (q - (h ? 0 : 4))}.
 */
public final class Q3_K {
    private Q3_K() {}

    public static final int BLOCK = 256;
    public static final int BYTES = 110;

    /** Scale j (0-63, offset by 32) from the 12 scale bytes starting at {@code sc}, as ggml's unpacking gives it. */
    private static int scale(byte[] b, int sc, int j) {
        int low = j < 8 ? b[sc + j] & 0xF : (b[sc + j - 8] & 0xFF) >> 4;
        return low | (((b[sc + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4;
    }

    /** {@code dequantize_row_q3_K}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        byte[] blk = new byte[BYTES];
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            float dAll = QuantLayouts.halfAt(blk, 108);
            int out = yOff + b * BLOCK;
            int is = 0;
            int m = 1;
            for (int half = 0; half < 2; half++) {
                int q = 32 + 32 * half;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int g = 0; g < 2; g++) {
                        float dl = dAll * (scale(blk, 96, is++) - 32);
                        for (int l = 16 * g; l < 16 * g + 16; l++) {
                            y[out++] = dl * (((blk[q + l] >> shift) & 3) - ((blk[l] & m) != 0 ? 0 : 4));
                        }
                    }
                    m <<= 1;
                }
            }
        }
    }

    /** {@code quantize_row_q3_K_ref}: 16 group scales by {@code make_q3_quants}, 6-bit against one fp16 d. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        int[] levels = new int[BLOCK];
        float[] scales = new float[16];
        for (int b = 0; b < n / BLOCK; b++) {
            int xb = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            java.util.Arrays.fill(out, o, o + BYTES, (byte) 0);
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < 16; j++) {
                scales[j] = KQuants.makeQ3Quants(16, 4, x, xb + 16 * j, levels, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            int sc = o + 96;
            if (maxScale != 0) {
                float iscale = -32.0f / maxScale;
                for (int j = 0; j < 16; j++) {
                    int l = (byte) Numbers.nearestInt(iscale * scales[j]);   // C stores it in an int8_t first
                    l = Math.max(-32, Math.min(31, l)) + 32;
                    if (j < 8) {
                        out[sc + j] = (byte) (l & 0xF);
                    } else {
                        out[sc + j - 8] |= (byte) ((l & 0xF) << 4);
                    }
                    l >>= 4;
                    out[sc + 8 + j % 4] |= (byte) (l << (2 * (j / 4)));
                }
                QuantLayouts.putHalf(out, o + 108, 1 / iscale);
            } else {
                QuantLayouts.putHalf(out, o + 108, 0.0f);
            }
            float dAll = QuantLayouts.halfAt(out, o + 108);
            for (int j = 0; j < 16; j++) {
                float d = dAll * (scale(out, sc, j) - 32);
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = Numbers.nearestInt(x[xb + 16 * j + ii] / d);
                    levels[16 * j + ii] = Math.max(-4, Math.min(3, l)) + 4;
                }
            }
            int m = 0;
            int hm = 1;
            for (int j = 0; j < BLOCK; j++) {
                if (levels[j] > 3) {
                    out[o + m] |= (byte) hm;
                    levels[j] -= 4;
                }
                if (++m == 32) {
                    m = 0;
                    hm <<= 1;
                }
            }
            for (int j = 0; j < BLOCK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    out[o + 32 + j / 4 + l] = (byte) (levels[j + l] | (levels[j + l + 32] << 2)
                            | (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
                }
            }
        }
    }

    /**
     * Row of {@code n} Q3_K weights times Q8_K activations ({@code ggml_vec_dot_q3_K_q8_K}): per super-block the exact
     * integer sum over groups of (scale - 32) times products, times {@code d}; super-blocks in order.
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int e = aOff + b * BLOCK;
            int isum = 0;
            int is = 0;
            int m = 1;
            for (int half = 0; half < 2; half++) {
                int q = 32 + 32 * half;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int g = 0; g < 2; g++) {
                        int sumi = 0;
                        for (int l = 16 * g; l < 16 * g + 16; l++) {
                            sumi += (((blk[q + l] >> shift) & 3) - ((blk[l] & m) != 0 ? 0 : 4)) * aq[e++];
                        }
                        isum += (scale(blk, 96, is++) - 32) * sumi;
                    }
                    m <<= 1;
                }
            }
            sum += a.scales[aOff / BLOCK + b] * QuantLayouts.halfAt(blk, 108) * isum;
        }
        return sum;
    }

    /**
     * The super-block at {@code off} in Q6_K's form for repacking: levels {@code q + 32} (28..35) in element order, the 16
     * group scales {@code sc - 32}; returns {@code d}.
     */
    static float levels(MemorySegment s, long off, int[] q, byte[] scales) {
        byte[] blk = new byte[BYTES];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, blk, 0, BYTES);
        int e = 0;
        int is = 0;
        int m = 1;
        for (int half = 0; half < 2; half++) {
            int qs = 32 + 32 * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int g = 0; g < 2; g++) {
                    scales[is] = (byte) (scale(blk, 96, is) - 32);
                    is++;
                    for (int l = 16 * g; l < 16 * g + 16; l++) {
                        q[e++] = ((blk[qs + l] >> shift) & 3) - ((blk[l] & m) != 0 ? 0 : 4) + 32;
                    }
                }
                m <<= 1;
            }
        }
        return QuantLayouts.halfAt(blk, 108);
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q5_0: blocks of 32 weights in 22 bytes, {@code fp16 d, uint8 qh[4], uint8 qs[16]}; weight j (0-15) is the low nibble
 * of byte j with bit j of {@code qh} as its fifth bit, weight j+16 the high nibble with bit j+16; {@code x = (q - 16) * d}.
 */
public final class Q5_0 {
    private Q5_0() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 22;

    /** {@code quantize_row_q5_0_ref}: d = m / -16 for the signed value m of largest magnitude. */
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
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantLayouts.putHalf(out, o, d);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (byte) (int) (x[base + j] * id + 16.5f));
                int q1 = Math.min(31, (byte) (int) (x[base + 16 + j] * id + 16.5f));
                out[o + 6 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >> 4) << j;
                qh |= ((q1 & 0x10) >> 4) << (j + 16);
            }
            QuantLayouts.putInt(out, o + 2, qh);
        }
    }

    /** {@code dequantize_row_q5_0}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            int qh = s.get(QuantLayouts.INT_LE, base + 2);
            for (int j = 0; j < 16; j++) {
                int q = QuantLayouts.u8(s, base + 6 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yOff + b * BLOCK + j] = (((q & 0x0F) | h0) - 16) * d;
                y[yOff + b * BLOCK + j + 16] = (((q >> 4) | h1) - 16) * d;
            }
        }
    }

    /** Row of {@code n} Q5_0 weights times Q8_0 activations ({@code ggml_vec_dot_q5_0_q8_0}): exact block sums, blocks in order. */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int qh = QuantLayouts.intAt(blk, 2);
            int ab = b * BLOCK;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = blk[6 + j] & 0xFF;
                int lo = ((q & 0x0F) | (((qh >>> j) << 4) & 0x10)) - 16;
                int hi = ((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
                sumi += lo * aq[ab + j] + hi * aq[ab + 16 + j];
            }
            sum += QuantLayouts.halfAt(blk, 0) * a.scales[b] * sumi;
        }
        return sum;
    }

    /** The block at {@code off} as 32 int8 levels {@code q - 16} in element order; returns its {@code d} (repacking). */
    static float levels(MemorySegment s, long off, byte[] q) {
        int qh = s.get(QuantLayouts.INT_LE, off + 2);
        for (int j = 0; j < 16; j++) {
            int b = QuantLayouts.u8(s, off + 6 + j);
            q[j] = (byte) (((b & 0x0F) | (((qh >>> j) << 4) & 0x10)) - 16);
            q[j + 16] = (byte) (((b >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16);
        }
        return QuantLayouts.half(s, off);
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q5_1: blocks of 32 weights in 24 bytes, {@code fp16 d, fp16 m, uint8 qh[4], uint8 qs[16]}, laid out as
 * {@link Q5_0} with a min: {@code x = q * d + m}.
 */
public final class Q5_1 {
    private Q5_1() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 24;

    /** {@code quantize_row_q5_1_ref}: d = (max - min) / 31, m = min. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int base = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK; j++) {
                float v = x[base + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantLayouts.putHalf(out, o, d);
            QuantLayouts.putHalf(out, o + 2, min);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                // C: (uint8_t)(x + 0.5f)
                int q0 = (int) ((x[base + j] - min) * id + 0.5f) & 0xFF;
                int q1 = (int) ((x[base + 16 + j] - min) * id + 0.5f) & 0xFF;
                out[o + 8 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >> 4) << j;
                qh |= ((q1 & 0x10) >> 4) << (j + 16);
            }
            QuantLayouts.putInt(out, o + 4, qh);
        }
    }

    /** {@code dequantize_row_q5_1}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            float m = QuantLayouts.half(s, base + 2);
            int qh = s.get(QuantLayouts.INT_LE, base + 4);
            for (int j = 0; j < 16; j++) {
                int q = QuantLayouts.u8(s, base + 8 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yOff + b * BLOCK + j] = ((q & 0x0F) | h0) * d + m;
                y[yOff + b * BLOCK + j + 16] = ((q >> 4) | h1) * d + m;
            }
        }
    }

    /** Row of {@code n} Q5_1 weights times Q8_1 activations, as {@link Q4_1#dot}. */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        float sum = 0;
        float mins = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int qh = QuantLayouts.intAt(blk, 4);
            int ab = b * BLOCK;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = blk[8 + j] & 0xFF;
                int lo = (q & 0x0F) | (((qh >>> j) << 4) & 0x10);
                int hi = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
                sumi += lo * aq[ab + j] + hi * aq[ab + 16 + j];
            }
            sum += QuantLayouts.halfAt(blk, 0) * a.scales[b] * sumi;
            mins += QuantLayouts.halfAt(blk, 2) * a.q81Sums[b];
        }
        return sum + mins;
    }
}

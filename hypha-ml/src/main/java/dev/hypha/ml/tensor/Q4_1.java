package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_1: blocks of 32 weights in 20 bytes, {@code fp16 d, fp16 m} then 16 bytes; weight j (0-15) is the low nibble of
 * byte j, weight j+16 the high nibble; {@code x = q * d + m}.
 */
public final class Q4_1 {
    private Q4_1() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 20;

    /** {@code quantize_row_q4_1_ref}: d = (max - min) / 15, m = min. */
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
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantLayouts.putHalf(out, o, d);
            QuantLayouts.putHalf(out, o + 2, min);
            for (int j = 0; j < 16; j++) {
                // C: MIN(15, (int8_t)(x + 0.5f)), truncation toward zero
                int q0 = Math.min(15, (byte) (int) ((x[base + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (byte) (int) ((x[base + 16 + j] - min) * id + 0.5f));
                out[o + 4 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    /** {@code dequantize_row_q4_1}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            float m = QuantLayouts.half(s, base + 2);
            for (int j = 0; j < 16; j++) {
                int q = QuantLayouts.u8(s, base + 4 + j);
                y[yOff + b * BLOCK + j] = (q & 0x0F) * d + m;
                y[yOff + b * BLOCK + j + 16] = (q >> 4) * d + m;
            }
        }
    }

    /**
     * Row of {@code n} Q4_1 weights at {@code off} times Q8_1 activations (Q8_0 values and scales plus
     * {@link Q8_0Activations#q81Sums}), as {@code ggml_vec_dot_q4_1_q8_1}: per block the exact integer sum times
     * {@code d * d8}, and the min term {@code m * s8} summed apart and added last.
     */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        float sum = 0;
        float mins = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int ab = b * BLOCK;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = blk[4 + j] & 0xFF;
                sumi += (q & 0x0F) * aq[ab + j] + (q >> 4) * aq[ab + 16 + j];
            }
            sum += QuantLayouts.halfAt(blk, 0) * a.scales[b] * sumi;
            mins += QuantLayouts.halfAt(blk, 2) * a.q81Sums[b];
        }
        return sum + mins;
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * IQ4_NL: blocks of 32 weights in 18 bytes, {@code fp16 d} then 16 bytes of 4-bit indices (weight j the low nibble of
 * byte j, weight j+16 the high nibble) into the non-linear table {@link #VALUES}; {@code x = d * VALUES[index]}.
 */
public final class IQ4_NL {
    private IQ4_NL() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 18;

    /** ggml's {@code kvalues_iq4nl}. */
    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /**
     * {@code quantize_iq4_nl} without importance weights (what llama-quantize writes): {@code quantize_row_iq4_nl_impl}
     * with 7 trial scales either side (ggml's {@code quantize_row_iq4_nl_ref} tries none).
     */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        NonLinearQuants q = new NonLinearQuants(BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            q.quantize(x, xOff + b * BLOCK, out, outOff + b * BYTES, -1, 7);
        }
    }

    /** {@code dequantize_row_iq4_nl}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = QuantLayouts.half(s, base);
            for (int j = 0; j < 16; j++) {
                int q = QuantLayouts.u8(s, base + 2 + j);
                y[yOff + b * BLOCK + j] = d * VALUES[q & 0xF];
                y[yOff + b * BLOCK + j + 16] = d * VALUES[q >> 4];
            }
        }
    }

    /** Row of {@code n} IQ4_NL weights times Q8_0 activations ({@code ggml_vec_dot_iq4_nl_q8_0}): exact block sums, blocks in order. */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int ab = b * BLOCK;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = blk[2 + j] & 0xFF;
                sumi += VALUES[q & 0xF] * aq[ab + j] + VALUES[q >> 4] * aq[ab + 16 + j];
            }
            sum += QuantLayouts.halfAt(blk, 0) * a.scales[b] * sumi;
        }
        return sum;
    }

    /** The block at {@code off} as 32 int8 levels (table values) in element order; returns its {@code d} (repacking). */
    static float levels(MemorySegment s, long off, byte[] q) {
        for (int j = 0; j < 16; j++) {
            int b = QuantLayouts.u8(s, off + 2 + j);
            q[j] = VALUES[b & 0xF];
            q[j + 16] = VALUES[b >> 4];
        }
        return QuantLayouts.half(s, off);
    }
}

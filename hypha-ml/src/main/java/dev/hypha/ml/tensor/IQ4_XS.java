package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * IQ4_XS: super-blocks of 256 weights in 136 bytes: {@code fp16 d, uint16 scales_h, uint8 scales_l[4], uint8 qs[128]}.
 * Eight blocks of 32 each have a 6-bit scale stored offset by 32 (low nibble in {@code scales_l}, high bit pair in
 * {@code scales_h}) and 4-bit indices into {@link IQ4_NL#VALUES} laid out as IQ4_NL's. Decode:
 * {@code x = d * (ls - 32) * VALUES[index]}.
 */
public final class IQ4_XS {
    private IQ4_XS() {}

    public static final int BLOCK = 256;
    public static final int BYTES = 136;

    private static int scale(byte[] b, int ib) {
        int scalesH = (b[2] & 0xFF) | (b[3] & 0xFF) << 8;
        return (((b[4 + ib / 2] & 0xFF) >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
    }

    /** {@code dequantize_row_iq4_xs}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        byte[] blk = new byte[BYTES];
        byte[] values = IQ4_NL.VALUES;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            float d = QuantLayouts.halfAt(blk, 0);
            int out = yOff + b * BLOCK;
            for (int ib = 0; ib < 8; ib++) {
                float dl = d * (scale(blk, ib) - 32);
                for (int j = 0; j < 16; j++) {
                    int q = blk[8 + 16 * ib + j] & 0xFF;
                    y[out + 32 * ib + j] = dl * values[q & 0xF];
                    y[out + 32 * ib + 16 + j] = dl * values[q >> 4];
                }
            }
        }
    }

    /** {@code quantize_row_iq4_xs_ref} ({@code quantize_row_iq4_nl_impl} over 256 weights, 7 trial scales either side). */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        NonLinearQuants q = new NonLinearQuants(BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            q.quantize(x, xOff + b * BLOCK, out, outOff + b * BYTES, 2, 7);
        }
    }

    /**
     * Row of {@code n} IQ4_XS weights times Q8_K activations ({@code ggml_vec_dot_iq4_xs_q8_K}): the exact integer sum
     * over blocks of (ls - 32) times products, times {@code d * d8}; super-blocks in order.
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        byte[] values = IQ4_NL.VALUES;
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int ab = aOff + b * BLOCK;
            int isum = 0;
            for (int ib = 0; ib < 8; ib++) {
                int sumi = 0;
                for (int j = 0; j < 16; j++) {
                    int q = blk[8 + 16 * ib + j] & 0xFF;
                    sumi += values[q & 0xF] * aq[ab + 32 * ib + j] + values[q >> 4] * aq[ab + 32 * ib + 16 + j];
                }
                isum += (scale(blk, ib) - 32) * sumi;
            }
            sum += QuantLayouts.halfAt(blk, 0) * a.scales[aOff / BLOCK + b] * isum;
        }
        return sum;
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * MXFP4 (OCP microscaling FP4): blocks of 32 weights in 17 bytes, an E8M0 exponent byte {@code e} then 16 bytes of
 * E2M1 codes (weight j the low nibble of byte j, weight j+16 the high nibble). ggml stores the E2M1 values doubled
 * ({@link #VALUES}) and halves the scale: {@code x = VALUES[code] * 2^(e - 128)}.
 */
public final class MXFP4 {
    private MXFP4() {}

    public static final int BLOCK = 32;
    public static final int BYTES = 17;

    /** ggml's {@code kvalues_mxfp4}: E2M1 values times two. */
    static final byte[] VALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    /**
     * ggml's {@code GGML_E8M0_TO_FP32_HALF}: {@code 2^(e - 128)} built from bits (e = 0 and 1 are subnormal). No value
     * is NaN: e = 255 gives {@code 2^127}, as in ggml.
     */
    static float scale(int e) {
        int bits = e < 2 ? 0x00200000 << e : (e - 1) << 23;
        return Float.intBitsToFloat(bits);
    }

    /**
     * {@code quantize_row_mxfp4_ref}: {@code e = floor(log2(amax)) - 2 + 127}, then each weight takes the code whose
     * value times the scale is nearest (the first on ties). {@code log2f} is computed in double and rounded to float,
     * which is the correctly rounded result ggml's libm gives.
     */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int base = xOff + b * BLOCK;
            int o = outOff + b * BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            int e = 0;
            if (amax > 0.0f) {
                float log2 = (float) (Math.log(amax) / Math.log(2.0));
                e = (int) ((float) Math.floor(log2) - 2 + 127) & 0xFF;
            }
            float d = scale(e);
            out[o] = (byte) e;
            for (int j = 0; j < 16; j++) {
                out[o + 1 + j] = (byte) (bestIndex(x[base + j], d) | (bestIndex(x[base + 16 + j], d) << 4));
            }
        }
    }

    private static int bestIndex(float x, float e) {
        int best = 0;
        float bestErr = Math.abs(VALUES[0] * e - x);
        for (int i = 1; i < 16; i++) {
            float err = Math.abs(VALUES[i] * e - x);
            if (err < bestErr) {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }

    /** {@code dequantize_row_mxfp4}. */
    public static void dequantize(MemorySegment s, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = off + (long) b * BYTES;
            float d = scale(QuantLayouts.u8(s, base));
            for (int j = 0; j < 16; j++) {
                int q = QuantLayouts.u8(s, base + 1 + j);
                y[yOff + b * BLOCK + j] = VALUES[q & 0xF] * d;
                y[yOff + b * BLOCK + j + 16] = VALUES[q >> 4] * d;
            }
        }
    }

    /** Row of {@code n} MXFP4 weights times Q8_0 activations ({@code ggml_vec_dot_mxfp4_q8_0}): exact block sums, blocks in order. */
    public static float dot(MemorySegment w, long off, Q8_0Activations a, int n) {
        byte[] blk = new byte[BYTES];
        byte[] aq = a.qs;
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            int ab = b * BLOCK;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = blk[1 + j] & 0xFF;
                sumi += VALUES[q & 0xF] * aq[ab + j] + VALUES[q >> 4] * aq[ab + 16 + j];
            }
            sum += scale(blk[0] & 0xFF) * a.scales[b] * sumi;
        }
        return sum;
    }

    /** The block at {@code off} as 32 int8 levels (doubled E2M1 values) in element order; returns its scale (repacking). */
    static float levels(MemorySegment s, long off, byte[] q) {
        for (int j = 0; j < 16; j++) {
            int b = QuantLayouts.u8(s, off + 1 + j);
            q[j] = VALUES[b & 0xF];
            q[j + 16] = VALUES[b >> 4];
        }
        return scale(QuantLayouts.u8(s, off));
    }
}

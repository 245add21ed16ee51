package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

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
     * over blocks of (ls - 32) times products, times {@code d * d8}; super-blocks in order. Decodes the row
     * ({@link #decodeRow}) then runs {@link #dotDecoded}; a batch decodes each row once for all its tokens.
     */
    public static float dot(MemorySegment w, long off, Q8_KActivations a, int aOff, int n) {
        byte[] levels = new byte[n];
        int[] scales = new int[n / 32];
        float[] d = new float[n / BLOCK];
        decodeRow(w, off, n, levels, scales, d);
        return dotDecoded(levels, scales, d, a, aOff, n);
    }

    /** The row's table values (int8) in element order, each block's {@code ls - 32} and each super-block's {@code d}. */
    static void decodeRow(MemorySegment w, long off, int n, byte[] levels, int[] scales, float[] d) {
        byte[] blk = new byte[BYTES];
        byte[] values = IQ4_NL.VALUES;
        for (int b = 0; b < n / BLOCK; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BYTES, blk, 0, BYTES);
            d[b] = QuantLayouts.halfAt(blk, 0);
            for (int ib = 0; ib < 8; ib++) {
                scales[8 * b + ib] = scale(blk, ib) - 32;
                int e = BLOCK * b + 32 * ib;
                for (int j = 0; j < 16; j++) {
                    int q = blk[8 + 16 * ib + j] & 0xFF;
                    levels[e + j] = values[q & 0xF];
                    levels[e + 16 + j] = values[q >> 4];
                }
            }
        }
    }

    /**
     * A decoded row times Q8_K activations: int8 levels widened to 16-bit lanes and multiplied with the activations
     * (at most 127 * 127, one product per lane), adjacent lanes summed into ints and scaled per block of 32, reduced once
     * per super-block (exact), then {@code sum += (d * da) * isum} in super-block order.
     */
    static float dotDecoded(byte[] levels, int[] scales, float[] d, Q8_KActivations a, int aOff, int n) {
        short[] aw = a.wide;
        int lanes = VectorConfig.SHORT.length();
        float sum = 0;
        for (int b = 0; b < n / BLOCK; b++) {
            IntVector acc = IntKernels.zero();
            for (int ib = 0; ib < 8; ib++) {
                int e = BLOCK * b + 32 * ib;
                int scale = scales[8 * b + ib];
                for (int c = 0; c < 32; c += lanes) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(VectorConfig.BYTE_HALF, levels, e + c)
                            .convertShape(VectorOperators.B2S, VectorConfig.SHORT, 0);
                    ShortVector p = q.mul(ShortVector.fromArray(VectorConfig.SHORT, aw, aOff + e + c));
                    acc = acc.add(IntKernels.pairSums(p).mul(scale));
                }
            }
            int isum = IntKernels.sum(acc);
            sum += d[b] * a.scales[aOff / BLOCK + b] * isum;
        }
        return sum;
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Encoding and decoding of tensor rows in the GGML types Hypha computes with: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0,
 * Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS and MXFP4. Decoding follows ggml's {@code dequantize_row_*} bit
 * for bit; encoding follows what llama-quantize writes without an importance matrix (the {@code quantize_row_*_ref}
 * reference quantizers, and for IQ4_NL {@code quantize_iq4_nl}), so llama.cpp reads the values we meant.
 */
public final class TensorCodec {
    private TensorCodec() {}

    /** The types this engine can decode and multiply. */
    public static final Set<GgmlType> SUPPORTED = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(
            GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0,
            GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL,
            GgmlType.IQ4_XS, GgmlType.MXFP4));

    /** Throws a clear error when {@code type} is not one of {@link #SUPPORTED}; {@code what} names the tensor. */
    public static void requireSupported(GgmlType type, String what) {
        if (!SUPPORTED.contains(type)) {
            throw new IllegalArgumentException(what + " has tensor type " + type
                    + ", which this engine does not support; supported types are " + SUPPORTED);
        }
    }

    /** Decodes {@code n} elements (whole blocks) stored at byte offset {@code off} of {@code s} into {@code y[yOff..)}. */
    public static void dequantize(GgmlType type, MemorySegment s, long off, float[] y, int yOff, int n) {
        checkBlocks(type, n);
        switch (type) {
            case F32 -> MemorySegment.copy(s, QuantLayouts.FLOAT_LE, off, y, yOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    y[yOff + i] = Numbers.halfToFloat(s.get(QuantLayouts.SHORT_LE, off + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    y[yOff + i] = Numbers.bf16ToFloat(s.get(QuantLayouts.SHORT_LE, off + 2L * i));
                }
            }
            case Q8_0 -> Q8_0.dequantize(s, off, y, yOff, n);
            case Q4_0 -> Q4_0.dequantize(s, off, y, yOff, n);
            case Q4_K -> Q4_K.dequantize(s, off, y, yOff, n);
            case Q6_K -> Q6_K.dequantize(s, off, y, yOff, n);
            case Q4_1 -> Q4_1.dequantize(s, off, y, yOff, n);
            case Q5_0 -> Q5_0.dequantize(s, off, y, yOff, n);
            case Q5_1 -> Q5_1.dequantize(s, off, y, yOff, n);
            case Q2_K -> Q2_K.dequantize(s, off, y, yOff, n);
            case Q3_K -> Q3_K.dequantize(s, off, y, yOff, n);
            case Q5_K -> Q5_K.dequantize(s, off, y, yOff, n);
            case IQ4_NL -> IQ4_NL.dequantize(s, off, y, yOff, n);
            case IQ4_XS -> IQ4_XS.dequantize(s, off, y, yOff, n);
            case MXFP4 -> MXFP4.dequantize(s, off, y, yOff, n);
            default -> requireSupported(type, "tensor");
        }
    }

    /** Encodes {@code x[xOff..xOff+n)} ({@code n} a whole number of blocks) as {@code type}. */
    public static byte[] quantize(GgmlType type, float[] x, int xOff, int n) {
        checkBlocks(type, n);
        byte[] out = new byte[Math.toIntExact(type.bytesFor(n))];
        switch (type) {
            case F32 -> MemorySegment.copy(x, xOff, MemorySegment.ofArray(out), QuantLayouts.FLOAT_LE, 0, n);
            case F16 -> {
                MemorySegment o = MemorySegment.ofArray(out);
                for (int i = 0; i < n; i++) {
                    o.set(QuantLayouts.SHORT_LE, 2L * i, Numbers.floatToHalf(x[xOff + i]));
                }
            }
            case BF16 -> {
                MemorySegment o = MemorySegment.ofArray(out);
                for (int i = 0; i < n; i++) {
                    o.set(QuantLayouts.SHORT_LE, 2L * i, Numbers.floatToBf16(x[xOff + i]));
                }
            }
            case Q8_0 -> Q8_0.quantize(x, xOff, n, out, 0);
            case Q4_0 -> Q4_0.quantize(x, xOff, n, out, 0);
            case Q4_K -> Q4_K.quantize(x, xOff, n, out, 0);
            case Q6_K -> Q6_K.quantize(x, xOff, n, out, 0);
            case Q4_1 -> Q4_1.quantize(x, xOff, n, out, 0);
            case Q5_0 -> Q5_0.quantize(x, xOff, n, out, 0);
            case Q5_1 -> Q5_1.quantize(x, xOff, n, out, 0);
            case Q2_K -> Q2_K.quantize(x, xOff, n, out, 0);
            case Q3_K -> Q3_K.quantize(x, xOff, n, out, 0);
            case Q5_K -> Q5_K.quantize(x, xOff, n, out, 0);
            case IQ4_NL -> IQ4_NL.quantize(x, xOff, n, out, 0);
            case IQ4_XS -> IQ4_XS.quantize(x, xOff, n, out, 0);
            case MXFP4 -> MXFP4.quantize(x, xOff, n, out, 0);
            default -> requireSupported(type, "tensor");
        }
        return out;
    }

    /** Decodes a whole row-major tensor of {@code n} elements. */
    public static float[] dequantize(GgmlType type, MemorySegment s, int n) {
        float[] y = new float[n];
        dequantize(type, s, 0, y, 0, n);
        return y;
    }

    private static void checkBlocks(GgmlType type, int n) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " stores elements in blocks of " + type.blockSize()
                    + "; a row of " + n + " elements is not a whole number of blocks");
        }
    }
}

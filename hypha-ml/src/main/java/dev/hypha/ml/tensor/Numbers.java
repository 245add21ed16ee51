package dev.hypha.ml.tensor;

/**
 * Scalar conversions shared by the quantizers, written to match ggml's C code bit for bit.
 *
 * <p>Written by hand because no library offers ggml's exact rounding rules: {@code nearest_int} (the
 * magic-number trick, ties to even), C {@code roundf} (ties away from zero) and ggml's BF16 rounding.
 */
public final class Numbers {
    private Numbers() {}

    /** ggml's {@code nearest_int}: round to nearest, ties to even (valid for |x| &lt;= 4194303). */
    public static int nearestInt(float x) {
        float val = x + 12582912.0f;
        int bits = Float.floatToRawIntBits(val);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /** C {@code roundf}: round to nearest, ties away from zero. */
    public static int roundHalfAway(float x) {
        return x >= 0 ? Math.round(x) : -Math.round(-x);
    }

    /** IEEE half precision to float (exact). */
    public static float halfToFloat(short h) {
        return Float.float16ToFloat(h);
    }

    /** Float to IEEE half precision, round to nearest even (as ggml's GGML_FP32_TO_FP16). */
    public static short floatToHalf(float f) {
        return Float.floatToFloat16(f);
    }

    /** bfloat16 to float (exact: the high half of the float's bits). */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** Float to bfloat16 as ggml's {@code ggml_compute_fp32_to_bf16}: NaN kept quiet, else round to nearest even. */
    public static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }
}

package dev.hypha.ml.llm;

/**
 * GEGLU as ggml's CPU backend computes it ({@code ggml_vec_geglu_f32} with {@code GGML_GELU_FP16}, which ggml always
 * defines): the gate is rounded to fp16, its GELU (tanh approximation, computed in float) is looked up in a
 * 65,536-entry table of fp16 results, widened and multiplied by the up projection; gates at or beyond ±10 skip the
 * table. Matching the table, not the formula, is what keeps greedy tokens identical to llama.cpp's (the fp16 rounding
 * moves a value by up to 2^-11 relative).
 *
 * <p>The table is built once with {@link StrictMath#tanh}, so it is the same on every machine.
 */
public final class Gelu {
    private static final float GELU_COEF_A = 0.044715f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;

    private Gelu() {}

    private static final class Table {
        static final float[] VALUES = build();

        private static float[] build() {
            float[] t = new float[1 << 16];
            for (int i = 0; i < t.length; i++) {
                float x = Float.float16ToFloat((short) i);
                t[i] = Float.float16ToFloat(Float.floatToFloat16(gelu(x)));
            }
            return t;
        }
    }

    /** ggml's {@code ggml_gelu_f32}, in float arithmetic. */
    static float gelu(float x) {
        return 0.5f * x * (1.0f + (float) StrictMath.tanh(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
    }

    /** {@code out[i] = gelu(x[i])} as ggml's {@code ggml_vec_gelu_f32} with the fp16 table (BERT's feed-forward). */
    public static void gelu(float[] x, float[] out, int n) {
        float[] table = Table.VALUES;
        for (int i = 0; i < n; i++) {
            float g = x[i];
            if (g <= -10.0f) {
                out[i] = 0.0f;
            } else if (g >= 10.0f) {
                out[i] = g;
            } else {
                out[i] = table[Float.floatToFloat16(g) & 0xFFFF];
            }
        }
    }

    /** {@code out[i] = gelu(gate[i]) * up[i]} for i in [0, n), as ggml's fp16-table GEGLU. */
    static void geglu(float[] gate, float[] up, float[] out, int n) {
        float[] table = Table.VALUES;
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            if (g <= -10.0f) {
                out[i] = 0.0f;
            } else if (g >= 10.0f) {
                out[i] = g * up[i];
            } else {
                out[i] = table[Float.floatToFloat16(g) & 0xFFFF] * up[i];
            }
        }
    }
}

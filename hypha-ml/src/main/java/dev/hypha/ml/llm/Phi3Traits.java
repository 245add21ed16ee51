package dev.hypha.ml.llm;

/**
 * Reads phi3's {@link LayoutTraits} as llama.cpp's {@code llama_model_phi3} does: queries scaled by
 * 1/sqrt(head length) after RoPE (scores then unscaled); {@code phi3.attention.sliding_window} ignored (llama.cpp
 * disables Phi's sliding window); LongRoPE from {@code rope.scaling.original_context_length} (default: the trained
 * context), which picks {@code rope_factors_long} over {@code rope_factors_short} when the file has them, and
 * {@code rope.scaling.attn_factor} (default 1), which multiplies cos and sin in every case, as llama.cpp's
 * {@code yarn_attn_factor} does.
 */
final class Phi3Traits {
    private Phi3Traits() {}

    static LayoutTraits read(ModelSource src, int headDim, int contextLength) {
        String p = Architecture.PHI3.ggufName() + ".";
        int original = src.integer(p + "rope.scaling.original_context_length").map(v -> {
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("metadata " + p + "rope.scaling.original_context_length must be a positive "
                        + "32-bit integer, got " + v);
            }
            return v.intValue();
        }).orElse(contextLength);
        float attnFactor = (float) (double) src.number(p + "rope.scaling.attn_factor").orElse(1.0);
        LayoutTraits.RopeLongContext longContext = new LayoutTraits.RopeLongContext(original, attnFactor);
        float queryScale = 1.0f / (float) Math.sqrt((float) headDim);
        return new LayoutTraits(1.0f, queryScale, 0f, 0f, 0, 0, 0f, 0f, false, LayoutTraits.Activation.SILU, longContext);
    }
}

package dev.hypha.ml.llm;

/**
 * Reads gpt-oss's {@link LayoutTraits} with llama.cpp's keys and defaults ({@code llama_model_openai_moe::
 * load_arch_hparams}): {@code attention.sliding_window} is required; {@code attention.sliding_window_pattern}
 * defaults to 2 (layer {@code il} is local when {@code il % 2 == 0}); the local layers' RoPE base is
 * {@code rope.freq_base_swa}, else the file's, with the file's frequency scale. Everything else is the llama block's
 * (SiLU is not used: gpt-oss's experts have their own activation, {@link ModelConfig.Experts.Style#GPT_OSS}).
 */
final class GptOssTraits {
    private GptOssTraits() {}

    static LayoutTraits read(ModelSource src, float ropeBase, float ropeFreqScale) {
        String p = Architecture.GPT_OSS.ggufName() + ".";
        long window = src.integer(p + "attention.sliding_window").orElseThrow(() -> new IllegalArgumentException(
                "model (architecture gpt-oss) lacks required metadata key " + p + "attention.sliding_window"));
        long period = src.integer(p + "attention.sliding_window_pattern").orElse(2L);
        if (window < 1 || window > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("metadata " + p + "attention.sliding_window must be a positive 32-bit "
                    + "integer, got " + window);
        }
        if (period < 0 || period > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("metadata " + p + "attention.sliding_window_pattern must be a "
                    + "non-negative 32-bit integer, got " + period);
        }
        float baseSwa = (float) (double) src.number(p + "rope.freq_base_swa").orElse((double) ropeBase);
        if (!(baseSwa > 0) || !Float.isFinite(baseSwa)) {
            throw new IllegalArgumentException("metadata " + p + "rope.freq_base_swa must be positive, got " + baseSwa);
        }
        return new LayoutTraits(1.0f, 0f, 0f, 0f, (int) window, (int) period, baseSwa, ropeFreqScale, false,
                LayoutTraits.Activation.SILU, null);
    }
}

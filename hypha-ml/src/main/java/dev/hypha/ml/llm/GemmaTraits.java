package dev.hypha.ml.llm;

import java.util.Optional;

/**
 * Reads gemma2's and gemma3's {@link LayoutTraits} from GGUF metadata with llama.cpp's keys and defaults
 * ({@code llama_model_gemma2/gemma3::load_arch_hparams}):
 * <ul>
 *   <li>{@code <arch>.attention.sliding_window}: gemma2 defaults to 4096; gemma3 has no local layers without it
 *       (or with 0);</li>
 *   <li>{@code <arch>.attention.sliding_window_pattern} (uint32): gemma2 2 (alternating), gemma3 6 (5 local :
 *       1 global). A per-layer array, which llama.cpp silently ignores for these architectures, is refused;</li>
 *   <li>{@code <arch>.rope.freq_base_swa}: the local layers' RoPE base; gemma2 defaults to the file's base (and
 *       keeps its linear scaling), gemma3 to 10000 with no scaling;</li>
 *   <li>{@code <arch>.attn_logit_softcapping} (gemma2 only, default 50) and {@code <arch>.final_logit_softcapping}
 *       (gemma2 default 30, gemma3 none);</li>
 *   <li>attention scale 1/sqrt(head length), except gemma2 27B (46 layers) and gemma3 27B (62 layers), whose
 *       {@code query_pre_attn_scalar} is n_embd / n_head: llama.cpp recognises those by their layer count, and so do
 *       we.</li>
 * </ul>
 * Norm weights are used as stored: llama.cpp's converter already added gemma's 1.
 */
final class GemmaTraits {
    private GemmaTraits() {}

    static LayoutTraits read(ModelSource src, Architecture arch, int dim, int heads, int headDim, int layers,
                             float ropeBase, float ropeFreqScale) {
        String p = arch.ggufName() + ".";
        boolean gemma2 = arch == Architecture.GEMMA2;
        int window = nonNegativeInt(src, p + "attention.sliding_window").orElse(gemma2 ? 4096 : 0);
        int period = nonNegativeInt(src, p + "attention.sliding_window_pattern").orElse(gemma2 ? 2 : 6);
        float ropeBaseSwa = positiveFloat(src, p + "rope.freq_base_swa").orElse(gemma2 ? ropeBase : 10000.0f);
        float ropeScaleSwa = gemma2 ? ropeFreqScale : 1.0f;
        float attnCap = gemma2 ? positiveFloat(src, p + "attn_logit_softcapping").orElse(50.0f) : 0f;
        float finalCap = nonNegativeFloat(src, p + "final_logit_softcapping").orElse(gemma2 ? 30.0f : 0f);
        if (gemma2 && finalCap == 0f) {
            throw new IllegalArgumentException("metadata " + p + "final_logit_softcapping must be positive for gemma2 "
                    + "(llama.cpp divides by it), got 0");
        }
        boolean is27b = gemma2 ? layers == 46 : layers == 62;
        float queryScale = 1.0f / (float) Math.sqrt((float) (is27b ? dim / heads : headDim));
        return new LayoutTraits((float) Math.sqrt((float) dim), queryScale, attnCap, finalCap, window, period,
                ropeBaseSwa, ropeScaleSwa, true, LayoutTraits.Activation.GELU_TANH, null);
    }

    private static Optional<Integer> nonNegativeInt(ModelSource src, String key) {
        return src.integer(key).map(v -> {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("metadata " + key + " must be a non-negative 32-bit integer, got " + v);
            }
            return v.intValue();
        });
    }

    private static Optional<Float> positiveFloat(ModelSource src, String key) {
        return src.number(key).map(v -> {
            if (!(v > 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("metadata " + key + " must be a positive number, got " + v);
            }
            return (float) (double) v;
        });
    }

    private static Optional<Float> nonNegativeFloat(ModelSource src, String key) {
        return src.number(key).map(v -> {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("metadata " + key + " must be a non-negative number, got " + v);
            }
            return (float) (double) v;
        });
    }
}

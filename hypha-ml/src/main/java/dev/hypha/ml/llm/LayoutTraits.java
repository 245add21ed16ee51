package dev.hypha.ml.llm;

/**
 * The choices in a block that go beyond the llama layout (today gemma2's and gemma3's, read by {@link GemmaTraits}).
 * The llama family uses {@link #LLAMA}: nothing scaled, no caps, no sliding window, SiLU.
 *
 * @param embeddingScale        factor applied to each looked-up token embedding (gemma: {@code sqrtf(n_embd)})
 * @param queryScale            factor applied to the queries after RoPE, with attention scores then left unscaled, as
 *                              llama.cpp's gemma graphs do; 0 means the llama way (scores times 1/sqrt(head length))
 * @param attnSoftcap           attention scores become {@code tanh(s / cap) * cap}; 0 means no cap
 * @param finalSoftcap          logits become {@code tanh(l / cap) * cap}; 0 means no cap
 * @param slidingWindow         positions a sliding-window layer sees (itself included); 0 means every layer is global
 * @param slidingPeriod         llama.cpp's sliding-window pattern: layer {@code il} is local when {@code period == 0} or
 *                              {@code il % period < period - 1} (2: alternating, local first; 6: 5 local, 1 global)
 * @param ropeBaseSliding       RoPE frequency base of the local layers
 * @param ropeFreqScaleSliding  RoPE frequency scale of the local layers (the file's linear scaling applies to global ones)
 * @param postNorms             whether the attention and FFN outputs are RMS-normalized before the residual add
 * @param activation            the gated FFN's activation
 * @param ropeLongContext       phi3's LongRoPE settings, or null
 */
public record LayoutTraits(float embeddingScale, float queryScale, float attnSoftcap, float finalSoftcap,
                           int slidingWindow, int slidingPeriod, float ropeBaseSliding, float ropeFreqScaleSliding,
                           boolean postNorms, Activation activation, RopeLongContext ropeLongContext) {

    /**
     * Phi-3's LongRoPE: {@code rope_factors_long} replace {@code rope_factors_short} (when the file has them) once a
     * session's context exceeds {@code originalContext} (llama.cpp's {@code n_ctx_seq > n_ctx_orig_yarn}), and cos/sin
     * are multiplied by {@code attnFactor} ({@code rope.scaling.attn_factor}).
     */
    public record RopeLongContext(int originalContext, float attnFactor) {
        public RopeLongContext {
            if (originalContext < 1) {
                throw new IllegalArgumentException("invalid model configuration: rope.scaling.original_context_length must be positive");
            }
            if (!(attnFactor > 0) || !Float.isFinite(attnFactor)) {
                throw new IllegalArgumentException("invalid model configuration: rope.scaling.attn_factor must be positive, got " + attnFactor);
            }
        }
    }


    /** The gate's activation in {@code act(gate(x)) * up(x)}. */
    public enum Activation {
        /** SwiGLU: {@code g / (1 + exp(-g))}. */
        SILU,
        /** GEGLU with the tanh approximation, computed through ggml's fp16 table ({@link Gelu}). */
        GELU_TANH
    }

    /** The llama family: no extra scaling, caps, windows or post-norms; SiLU. */
    public static final LayoutTraits LLAMA = new LayoutTraits(1.0f, 0f, 0f, 0f, 0, 0, 0f, 0f, false, Activation.SILU, null);

    public LayoutTraits {
        require(Float.isFinite(embeddingScale) && embeddingScale > 0, "embedding scale must be positive");
        require(Float.isFinite(queryScale) && queryScale >= 0, "query scale must be positive (or 0: none)");
        require(Float.isFinite(attnSoftcap) && attnSoftcap >= 0, "attn_logit_softcapping must be positive (or 0: none)");
        require(Float.isFinite(finalSoftcap) && finalSoftcap >= 0, "final_logit_softcapping must be positive (or 0: none)");
        require(slidingWindow >= 0, "attention.sliding_window must not be negative");
        require(slidingPeriod >= 0, "attention.sliding_window_pattern must not be negative");
        require(slidingWindow == 0 || (Float.isFinite(ropeBaseSliding) && ropeBaseSliding > 0),
                "rope.freq_base_swa must be positive");
        require(slidingWindow == 0 || (Float.isFinite(ropeFreqScaleSliding) && ropeFreqScaleSliding > 0),
                "the sliding layers' RoPE frequency scale must be positive");
    }

    /** Whether layer {@code layer} attends through a sliding window (llama.cpp's {@code set_swa_pattern}). */
    public boolean isSliding(int layer) {
        return slidingWindow > 0 && (slidingPeriod == 0 || layer % slidingPeriod < slidingPeriod - 1);
    }

    /** Whether any layer is a sliding-window layer. */
    public boolean hasSlidingLayers() {
        return slidingWindow > 0 && slidingPeriod != 1;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model configuration: " + message);
        }
    }
}

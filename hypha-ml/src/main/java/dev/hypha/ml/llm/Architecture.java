package dev.hypha.ml.llm;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The llama-family architectures this engine runs, with the per-architecture choices llama.cpp makes:
 * the RoPE pairing style and which optional tensors the layout carries.
 */
public enum Architecture {
    /** Llama 2/3.x, TinyLlama, SmolLM: interleaved-pair RoPE. */
    LLAMA("llama", RopeStyle.NORMAL),
    /** Mistral (llama layout). */
    MISTRAL("mistral", RopeStyle.NORMAL),
    /** Qwen2 / Qwen2.5: q/k/v biases, NEOX RoPE. */
    QWEN2("qwen2", RopeStyle.NEOX),
    /** Qwen3: per-head RMSNorm of q and k, NEOX RoPE. */
    QWEN3("qwen3", RopeStyle.NEOX),
    /**
     * Gemma 2: embedding scaled by sqrt(dim), post-attention and post-FFN norms, GELU-gated FFN, attention-logit and
     * final-logit soft-capping, alternating sliding-window layers, output tied to the embedding; NEOX RoPE.
     */
    GEMMA2("gemma2", RopeStyle.NEOX),
    /**
     * Gemma 3 (text): gemma2's block without attention soft-capping, with per-head q/k RMS norms, a sliding-window
     * pattern (5 local : 1 global by default) whose local layers have their own RoPE base; NEOX RoPE.
     */
    GEMMA3("gemma3", RopeStyle.NEOX),
    /**
     * Phi-3 / Phi-4: the llama block with fused q/k/v ({@code attn_qkv}) and gate/up ({@code ffn_up}, gate first)
     * tensors, split into row views at load; LongRoPE frequency factors and attention factor when present; NEOX RoPE.
     */
    PHI3("phi3", RopeStyle.NEOX),
    /**
     * Qwen3 mixture-of-experts (Qwen3-30B-A3B, 235B-A22B): qwen3's attention (per-head q/k norms) with every FFN a
     * routed set of experts ({@link ModelConfig.Experts}); NEOX RoPE.
     */
    QWEN3MOE("qwen3moe", RopeStyle.NEOX),
    /**
     * OpenAI gpt-oss: q/k/v and output biases, a learned attention sink per head, sliding-window layers alternating
     * with global ones, and routed experts with biases, softmax over the chosen experts' router logits and a clamped
     * SwiGLU ({@link ModelConfig.Experts.Style#GPT_OSS}); the FFN's norm is stored as {@code post_attention_norm};
     * NEOX RoPE.
     */
    GPT_OSS("gpt-oss", RopeStyle.NEOX);

    /** How RoPE pairs the elements of a head. */
    public enum RopeStyle {
        /** Pairs (2i, 2i+1), as llama.cpp's LLAMA_ROPE_TYPE_NORM. */
        NORMAL,
        /** Pairs (i, i + d/2), as llama.cpp's LLAMA_ROPE_TYPE_NEOX. */
        NEOX
    }

    private final String ggufName;
    private final RopeStyle ropeStyle;

    Architecture(String ggufName, RopeStyle ropeStyle) {
        this.ggufName = ggufName;
        this.ropeStyle = ropeStyle;
    }

    /** The value of {@code general.architecture}, which also prefixes the architecture's metadata keys. */
    public String ggufName() {
        return ggufName;
    }

    public RopeStyle ropeStyle() {
        return ropeStyle;
    }

    /** Whether the layout is gemma's (gemma2, gemma3): see {@link GemmaTraits}. */
    public boolean isGemma() {
        return this == GEMMA2 || this == GEMMA3;
    }

    /** Whether files of this architecture may carry routed experts ({@code expert_count}): llama (Mixtral) and qwen3moe. */
    public boolean allowsExperts() {
        return this == LLAMA || this == QWEN3MOE || this == GPT_OSS;
    }

    /** The architecture named {@code name}, or a clear error listing the supported ones. */
    public static Architecture fromGguf(String name) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported model architecture '" + name + "'; supported: "
                + Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", ")));
    }
}

package dev.hypha.ml.llm;

import java.util.Optional;

/**
 * Hyper-parameters of a llama-family model, read from GGUF metadata with the keys llama.cpp uses
 * ({@code <arch>.embedding_length}, {@code .block_count}, {@code .attention.head_count}, ...).
 *
 * @param architecture     the layout
 * @param dim              embedding length
 * @param ffnDim           feed-forward hidden length
 * @param layers           transformer blocks
 * @param heads            query heads
 * @param kvHeads          key/value heads (GQA when fewer than {@code heads})
 * @param headDim          per-head length ({@code attention.key_length}, default dim / heads)
 * @param vocabSize        rows of the token embedding
 * @param contextLength    trained context length
 * @param rmsEps           RMSNorm epsilon
 * @param ropeBase         RoPE frequency base
 * @param ropeDim          leading head elements rotated by RoPE ({@code rope.dimension_count}, default headDim)
 * @param ropeFreqScale    linear RoPE scaling (1 / factor; 1 when unscaled)
 * @param llama3Scaling    llama3-style frequency scaling from metadata, when present and no rope_freqs tensor is given
 * @param pooling          pooling for embeddings
 * @param traits           what the block does beyond the llama layout ({@link LayoutTraits#LLAMA} for the llama family)
 * @param experts          the routed experts that replace every block's FFN (Mixtral-style llama, qwen3moe, gpt-oss),
 *                         or null for a dense model
 * @param yarn             YaRN RoPE scaling ({@code rope.scaling.type = yarn}; {@code ropeFreqScale} is then
 *                         1 / factor), or null
 */
public record ModelConfig(
        Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
        int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDim, float ropeFreqScale,
        Optional<Llama3RopeScaling> llama3Scaling, Pooling pooling, LayoutTraits traits, Experts experts,
        YarnScaling yarn) {

    /**
     * YaRN as llama.cpp applies it when a file's {@code rope.scaling.type} is {@code yarn} (ext_factor 1, beta_fast 32,
     * beta_slow 1, its defaults; see {@link Rope}).
     *
     * @param originalContext {@code rope.scaling.original_context_length} (else the trained context): sets the
     *                        correction range between extrapolated and interpolated frequencies
     * @param attnFactor      {@code rope.scaling.attn_factor} (default 1), which multiplies cos and sin
     */
    public record YarnScaling(int originalContext, float attnFactor) {
        public YarnScaling {
            require(originalContext > 0, "rope.scaling.original_context_length must be positive");
            require(attnFactor > 0 && Float.isFinite(attnFactor), "rope.scaling.attn_factor must be positive");
        }
    }

    /** A configuration without YaRN. */
    public ModelConfig(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                       int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDim, float ropeFreqScale,
                       Optional<Llama3RopeScaling> llama3Scaling, Pooling pooling, LayoutTraits traits, Experts experts) {
        this(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, rmsEps, ropeBase,
                ropeDim, ropeFreqScale, llama3Scaling, pooling, traits, experts, null);
    }

    /**
     * A mixture-of-experts FFN as llama.cpp's {@code build_moe_ffn} runs it for llama and qwen3moe: a router
     * ({@code ffn_gate_inp}) scores all {@code count} experts, softmax over all of them, the {@code used} most probable
     * are run, and their outputs are added with their probabilities renormalized to sum to 1.
     *
     * @param count   experts per block ({@code expert_count})
     * @param used    experts run per token ({@code expert_used_count})
     * @param ffnDim  each expert's hidden length ({@code expert_feed_forward_length} for qwen3moe, the model's
     *                {@code feed_forward_length} for llama)
     */
    public record Experts(int count, int used, int ffnDim, Style style) {
        /** llama.cpp's {@code LLAMA_MAX_EXPERTS}: it refuses files with more. */
        public static final int MAX_COUNT = 512;

        /** How the experts are chosen, weighted and activated. */
        public enum Style {
            /**
             * llama (Mixtral) and qwen3moe: softmax over all router logits, the {@code used} most probable experts,
             * their probabilities renormalized to sum to 1; SwiGLU experts.
             */
            MIXTRAL,
            /**
             * gpt-oss: router, gate, up and down with biases; the {@code used} largest router logits, softmax over
             * those; {@code x = min(gate, 7)}, {@code y = clamp(up, -7, 7)}, {@code x * sigmoid(1.702 x) * (y + 1)}
             * (ggml's {@code swiglu_oai}).
             */
            GPT_OSS
        }

        /** Mixtral-style experts. */
        public Experts(int count, int used, int ffnDim) {
            this(count, used, ffnDim, Style.MIXTRAL);
        }

        public Experts {
            require(count >= 1 && count <= MAX_COUNT, "expert_count must be between 1 and " + MAX_COUNT + ", got " + count);
            require(used >= 1 && used <= count, "expert_used_count must be between 1 and expert_count (" + count
                    + "), got " + used);
            require(ffnDim > 0, "the experts' feed-forward length must be positive, got " + ffnDim);
            java.util.Objects.requireNonNull(style, "style");
        }
    }

    /** A dense configuration (no experts). */
    public ModelConfig(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                       int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDim, float ropeFreqScale,
                       Optional<Llama3RopeScaling> llama3Scaling, Pooling pooling, LayoutTraits traits) {
        this(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, rmsEps, ropeBase,
                ropeDim, ropeFreqScale, llama3Scaling, pooling, traits, null);
    }

    /** Llama 3.1-style RoPE frequency scaling parameters. */
    public record Llama3RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {}

    /** A llama-family configuration ({@link LayoutTraits#LLAMA}). */
    public ModelConfig(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                       int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDim, float ropeFreqScale,
                       Optional<Llama3RopeScaling> llama3Scaling, Pooling pooling) {
        this(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, rmsEps, ropeBase,
                ropeDim, ropeFreqScale, llama3Scaling, pooling, LayoutTraits.LLAMA);
    }

    public ModelConfig {
        java.util.Objects.requireNonNull(traits, "traits");
        require(dim > 0 && ffnDim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && headDim > 0 && vocabSize > 0 && contextLength > 0,
                "all sizes must be positive");
        require(heads % kvHeads == 0, "head_count (" + heads + ") must be a multiple of head_count_kv (" + kvHeads + ")");
        require(ropeDim > 0 && ropeDim <= headDim && ropeDim % 2 == 0,
                "rope.dimension_count (" + ropeDim + ") must be even and at most the head length " + headDim);
        require(rmsEps > 0 && Float.isFinite(rmsEps), "attention.layer_norm_rms_epsilon must be positive");
        require(ropeBase > 0 && Float.isFinite(ropeBase), "rope.freq_base must be positive");
        require(experts == null || architecture.allowsExperts(), architecture.ggufName() + " has no routed experts");
        require((architecture != Architecture.QWEN3MOE && architecture != Architecture.GPT_OSS) || experts != null,
                architecture.ggufName() + " needs expert_count and expert_used_count");
        require(experts == null || (experts.style() == Experts.Style.GPT_OSS) == (architecture == Architecture.GPT_OSS),
                "gpt-oss experts are gpt-oss's alone");
    }

    /** Whether every block's FFN is a set of routed experts. */
    public boolean isMixtureOfExperts() {
        return experts != null;
    }

    /** The longest FFN hidden vector a block computes (the dense FFN's or one expert's). */
    public int maxFfnDim() {
        return experts == null ? ffnDim : Math.max(ffnDim, experts.ffnDim());
    }

    /** Length of all query heads together. */
    public int qDim() {
        return heads * headDim;
    }

    /** Length of all key (or value) heads together. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Reads the configuration; {@code vocabSize} comes from the token embedding's shape. */
    public static ModelConfig from(ModelSource src) {
        Architecture arch = Architecture.fromGguf(src.architecture());
        String p = arch.ggufName() + ".";
        int dim = requireInt(src, p + "embedding_length");
        int heads = requireInt(src, p + "attention.head_count");
        int kvHeads = optInt(src, p + "attention.head_count_kv").orElse(heads);
        int headDim = optInt(src, p + "attention.key_length").orElse(dim / heads);
        WeightTensor embd = src.requireTensor("token_embd.weight");
        long[] shape = embd.shape();
        if (shape.length != 2 || shape[0] != dim) {
            throw new IllegalArgumentException("token_embd.weight must have shape [" + dim + ", vocab], got " + embd);
        }
        float factor = (float) (double) src.number(p + "rope.scaling.factor").orElse(1.0);
        String scalingType = src.string(p + "rope.scaling.type").orElse(factor == 1.0f ? "none" : "linear");
        float freqScale = 1.0f;
        Optional<Llama3RopeScaling> llama3 = Optional.empty();
        YarnScaling yarn = null;
        switch (scalingType) {
            case "none" -> { }
            case "linear" -> freqScale = 1.0f / factor;
            case "yarn" -> {
                if (!(factor > 0) || !Float.isFinite(factor)) {
                    throw new IllegalArgumentException("metadata " + p + "rope.scaling.factor must be positive for YaRN, got "
                            + factor);
                }
                freqScale = 1.0f / factor;
                yarn = new YarnScaling(optInt(src, p + "rope.scaling.original_context_length")
                        .orElseGet(() -> requireInt(src, p + "context_length")),
                        (float) (double) src.number(p + "rope.scaling.attn_factor").orElse(1.0));
            }
            case "llama3" -> llama3 = Optional.of(new Llama3RopeScaling(factor,
                    (float) (double) src.number(p + "rope.scaling.low_freq_factor").orElse(1.0),
                    (float) (double) src.number(p + "rope.scaling.high_freq_factor").orElse(4.0),
                    optInt(src, p + "rope.scaling.original_context_length").orElse(8192)));
            default -> throw new IllegalArgumentException("unsupported rope.scaling.type '" + scalingType
                    + "'; supported: none, linear, llama3, yarn");
        }
        if ((arch.isGemma() || arch == Architecture.PHI3) && yarn != null) {
            // gemma's local layers and phi3's LongRoPE have their own rules; YaRN is checked on the others only
            throw new IllegalArgumentException("rope.scaling.type 'yarn' is not supported for " + arch.ggufName());
        }
        if (arch.isGemma() && llama3.isPresent()) {
            // llama.cpp's gemma graphs pass no frequency factors to RoPE: a llama3-scaled gemma file is not one it runs
            throw new IllegalArgumentException("rope.scaling.type 'llama3' is not supported for " + arch.ggufName()
                    + "; supported: none, linear");
        }
        int layers = requireInt(src, p + "block_count");
        float ropeBase = (float) (double) src.number(p + "rope.freq_base").orElse(10000.0);
        int valueLength = optInt(src, p + "attention.value_length").orElse(headDim);
        if (valueLength != headDim) {
            throw new IllegalArgumentException("metadata " + p + "attention.value_length (" + valueLength
                    + ") differs from attention.key_length (" + headDim + "); only equal lengths are supported");
        }
        LayoutTraits traits = arch.isGemma()
                ? GemmaTraits.read(src, arch, dim, heads, headDim, layers, ropeBase, freqScale)
                : arch == Architecture.PHI3
                ? Phi3Traits.read(src, headDim, requireInt(src, p + "context_length"))
                : arch == Architecture.GPT_OSS
                ? GptOssTraits.read(src, ropeBase, freqScale)
                : LayoutTraits.LLAMA;
        Experts experts = experts(src, arch, p);
        // qwen3moe files need no dense FFN length (llama.cpp reads it as optional); the experts' one stands in
        int ffnDim = (arch == Architecture.QWEN3MOE || arch == Architecture.GPT_OSS) && experts != null
                ? optInt(src, p + "feed_forward_length").orElse(experts.ffnDim())
                : requireInt(src, p + "feed_forward_length");
        return new ModelConfig(arch, dim,
                ffnDim,
                layers,
                heads, kvHeads, headDim,
                Math.toIntExact(shape[1]),
                requireInt(src, p + "context_length"),
                (float) (double) src.number(p + "attention.layer_norm_rms_epsilon").orElseThrow(() -> missing(src, p + "attention.layer_norm_rms_epsilon")),
                ropeBase,
                optInt(src, p + "rope.dimension_count").orElse(headDim),
                freqScale, llama3,
                Pooling.fromGguf(src.integer(p + "pooling_type").orElse(1L)),
                traits, experts, yarn);
    }

    /**
     * The routed experts, as llama.cpp reads them: {@code expert_count} (0 or absent: a dense llama), {@code
     * expert_used_count}, and for qwen3moe {@code expert_feed_forward_length} (else {@code feed_forward_length /
     * expert_used_count}); a llama expert is as wide as {@code feed_forward_length}. {@code expert_group_count}, which
     * llama.cpp reads for every architecture and which would change the routing, is refused rather than ignored.
     */
    private static Experts experts(ModelSource src, Architecture arch, String p) {
        long count = src.integer(p + "expert_count").orElse(0L);
        if (count == 0 && arch != Architecture.QWEN3MOE && arch != Architecture.GPT_OSS) {
            return null;
        }
        if (!arch.allowsExperts()) {
            throw new IllegalArgumentException("metadata " + p + "expert_count (" + count + "): routed experts are "
                    + "supported for llama, qwen3moe and gpt-oss, not " + arch.ggufName());
        }
        if (count <= 0 || count > Experts.MAX_COUNT) {
            throw new IllegalArgumentException("metadata " + p + "expert_count must be between 1 and "
                    + Experts.MAX_COUNT + ", got " + count + (src.integer(p + "expert_count").isEmpty() ? " (missing)" : ""));
        }
        int used = requireInt(src, p + "expert_used_count");
        if (used > count) {
            throw new IllegalArgumentException("metadata " + p + "expert_used_count (" + used + ") exceeds expert_count ("
                    + count + ")");
        }
        int ffn;
        if (arch == Architecture.GPT_OSS) {
            ffn = requireInt(src, p + "expert_feed_forward_length"); // required by llama.cpp for gpt-oss
        } else if (arch == Architecture.QWEN3MOE) {
            Optional<Integer> own = optInt(src, p + "expert_feed_forward_length");
            ffn = own.isPresent() ? own.get() : requireInt(src, p + "feed_forward_length") / used;
        } else {
            ffn = requireInt(src, p + "feed_forward_length");
        }
        long groups = src.integer(p + "expert_group_count").orElse(0L);
        if (groups > 1) {
            // llama.cpp would first pick groups of experts (DeepSeek-V3's routing) for any architecture
            throw new IllegalArgumentException("metadata " + p + "expert_group_count (" + groups + "): grouped expert "
                    + "routing is not supported");
        }
        return new Experts((int) count, used, ffn,
                arch == Architecture.GPT_OSS ? Experts.Style.GPT_OSS : Experts.Style.MIXTRAL);
    }

    private static int requireInt(ModelSource src, String key) {
        return optInt(src, key).orElseThrow(() -> missing(src, key));
    }

    private static Optional<Integer> optInt(ModelSource src, String key) {
        return src.integer(key).map(v -> {
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("metadata " + key + " must be a positive 32-bit integer, got " + v);
            }
            return v.intValue();
        });
    }

    private static IllegalArgumentException missing(ModelSource src, String key) {
        return new IllegalArgumentException("model (architecture " + src.architecture() + ") lacks required metadata key " + key);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model configuration: " + message);
        }
    }
}

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
 */
public record ModelConfig(
        Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
        int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDim, float ropeFreqScale,
        Optional<Llama3RopeScaling> llama3Scaling, Pooling pooling, LayoutTraits traits) {

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
        switch (scalingType) {
            case "none" -> { }
            case "linear" -> freqScale = 1.0f / factor;
            case "llama3" -> llama3 = Optional.of(new Llama3RopeScaling(factor,
                    (float) (double) src.number(p + "rope.scaling.low_freq_factor").orElse(1.0),
                    (float) (double) src.number(p + "rope.scaling.high_freq_factor").orElse(4.0),
                    optInt(src, p + "rope.scaling.original_context_length").orElse(8192)));
            default -> throw new IllegalArgumentException("unsupported rope.scaling.type '" + scalingType
                    + "'; supported: none, linear, llama3");
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
                : LayoutTraits.LLAMA;
        return new ModelConfig(arch, dim,
                requireInt(src, p + "feed_forward_length"),
                layers,
                heads, kvHeads, headDim,
                Math.toIntExact(shape[1]),
                requireInt(src, p + "context_length"),
                (float) (double) src.number(p + "attention.layer_norm_rms_epsilon").orElseThrow(() -> missing(src, p + "attention.layer_norm_rms_epsilon")),
                ropeBase,
                optInt(src, p + "rope.dimension_count").orElse(headDim),
                freqScale, llama3,
                Pooling.fromGguf(src.integer(p + "pooling_type").orElse(1L)),
                traits);
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

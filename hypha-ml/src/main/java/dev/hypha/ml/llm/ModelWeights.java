package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import dev.hypha.ml.tensor.WeightMatrix;
import java.lang.foreign.SegmentAllocator;
import java.util.List;
import java.util.Optional;
import java.util.ArrayList;

/**
 * All weights of a model. Big matrices stay where the source put them (memory-mapped file slices), except those that
 * {@link #interleave} repacks for faster kernels (Q4_0, Q4_K), so resident memory is about the file size plus the KV cache.
 *
 * @param tokenEmbedding  [vocab rows x dim]
 * @param layers          blocks in order
 * @param outputNorm      final RMSNorm weight
 * @param output          [vocab rows x dim]; the token embedding itself when the model ties them
 * @param ropeFreqFactors per-pair RoPE frequency divisors ({@code rope_freqs.weight}) or null
 */
public record ModelWeights(WeightMatrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm,
                           WeightMatrix output, float[] ropeFreqFactors, float[] ropeFreqFactorsLong) {

    /** Weights without phi3's long-context RoPE factors. */
    public ModelWeights(WeightMatrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, WeightMatrix output,
                        float[] ropeFreqFactors) {
        this(tokenEmbedding, layers, outputNorm, output, ropeFreqFactors, null);
    }

    /** Loads and shape-checks every tensor the configuration calls for. */
    public static ModelWeights load(ModelSource src, ModelConfig c) {
        WeightMatrix embd = matrix(src, "token_embd.weight", c.dim(), c.vocabSize());
        List<LayerWeights> layers = new ArrayList<>(c.layers());
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            WeightMatrix[] qkv = qkv(src, b, c);
            boolean moe = c.isMixtureOfExperts();
            WeightMatrix[] gateUp = moe ? new WeightMatrix[2] : gateUp(src, b, c);
            layers.add(new LayerWeights(
                    vector(src, b + "attn_norm.weight", c.dim()),
                    qkv[0], qkv[1], qkv[2],
                    matrix(src, b + "attn_output.weight", c.qDim(), c.dim()),
                    optionalVector(src, b + "attn_q.bias", c.qDim()),
                    optionalVector(src, b + "attn_k.bias", c.kvDim()),
                    optionalVector(src, b + "attn_v.bias", c.kvDim()),
                    optionalVector(src, b + "attn_q_norm.weight", c.headDim()),
                    optionalVector(src, b + "attn_k_norm.weight", c.headDim()),
                    // gpt-oss's FFN norm is stored as post_attention_norm (it follows the attention)
                    vector(src, b + (c.architecture() == Architecture.GPT_OSS ? "post_attention_norm.weight"
                            : "ffn_norm.weight"), c.dim()),
                    gateUp[0], gateUp[1],
                    moe ? null : matrix(src, b + "ffn_down.weight", c.ffnDim(), c.dim()),
                    c.traits().postNorms() ? vector(src, b + "post_attention_norm.weight", c.dim()) : null,
                    c.traits().postNorms() ? vector(src, b + "post_ffw_norm.weight", c.dim()) : null,
                    moe ? ExpertWeights.load(src, b, c) : null,
                    c.architecture() == Architecture.GPT_OSS ? vector(src, b + "attn_output.bias", c.dim()) : null,
                    c.architecture() == Architecture.GPT_OSS ? vector(src, b + "attn_sinks.weight", c.heads()) : null));
        }
        if ((c.architecture() == Architecture.QWEN3 || c.architecture() == Architecture.QWEN3MOE
                || c.architecture() == Architecture.GEMMA3)
                && (layers.getFirst().qNorm() == null || layers.getFirst().kNorm() == null)) {
            throw new IllegalArgumentException(c.architecture().ggufName() + " model lacks blk.0.attn_q_norm.weight or "
                    + "blk.0.attn_k_norm.weight (" + c.architecture().ggufName() + " normalizes q and k per head)");
        }
        if (c.architecture() == Architecture.GEMMA2 && src.tensor("output.weight").isPresent()) {
            // llama.cpp's gemma2 always multiplies by token_embd and refuses a file with a tensor it does not use
            throw new IllegalArgumentException("gemma2 ties its output to token_embd.weight; this file also has an "
                    + "output.weight tensor, which llama.cpp refuses as well");
        }
        WeightMatrix output = src.tensor("output.weight").isPresent()
                ? matrix(src, "output.weight", c.dim(), c.vocabSize())
                : embd;
        // llama.cpp's gemma graphs give RoPE no frequency factors, so a rope_freqs tensor there is not used
        float[] ropeFreqs = c.architecture().isGemma() ? null : optionalVector(src, "rope_freqs.weight", c.ropeDim() / 2);
        float[] ropeLong = null;
        if (c.architecture() == Architecture.PHI3 && ropeFreqs == null) {
            // phi3's LongRoPE (llama.cpp's get_rope_factors: rope_freqs first, else long or short by context size)
            ropeFreqs = optionalVector(src, "rope_factors_short.weight", c.ropeDim() / 2);
            ropeLong = optionalVector(src, "rope_factors_long.weight", c.ropeDim() / 2);
            if ((ropeFreqs == null) != (ropeLong == null)) {
                throw new IllegalArgumentException("phi3 model has only one of rope_factors_long.weight and "
                        + "rope_factors_short.weight; LongRoPE needs both");
            }
        }
        if (ropeFreqs == null && c.llama3Scaling().isPresent()) {
            ropeFreqs = Rope.llama3FreqFactors(c.llama3Scaling().get(), c.ropeBase(), c.ropeDim());
        }
        return new ModelWeights(embd, List.copyOf(layers), vector(src, "output_norm.weight", c.dim()), output, ropeFreqs,
                ropeLong);
    }

    /**
     * q, k and v: separate tensors, or (phi3) row ranges of the fused {@code attn_qkv.weight} [dim, qDim + 2 kvDim],
     * whose rows are q's, then k's, then v's; a row range of a GGUF matrix is a contiguous slice, so nothing is copied.
     */
    private static WeightMatrix[] qkv(ModelSource src, String b, ModelConfig c) {
        if (c.architecture() == Architecture.PHI3 && src.tensor(b + "attn_qkv.weight").isPresent()) {
            if (src.tensor(b + "attn_qkv.bias").isPresent()) {
                throw new IllegalArgumentException("tensor '" + b + "attn_qkv.bias': biases of a fused qkv are not supported");
            }
            WeightMatrix fused = matrix(src, b + "attn_qkv.weight", c.dim(), c.qDim() + 2 * c.kvDim());
            return new WeightMatrix[] {
                rows(fused, b + "attn_qkv.weight[q]", 0, c.qDim()),
                rows(fused, b + "attn_qkv.weight[k]", c.qDim(), c.kvDim()),
                rows(fused, b + "attn_qkv.weight[v]", c.qDim() + c.kvDim(), c.kvDim())};
        }
        return new WeightMatrix[] {
            matrix(src, b + "attn_q.weight", c.dim(), c.qDim()),
            matrix(src, b + "attn_k.weight", c.dim(), c.kvDim()),
            matrix(src, b + "attn_v.weight", c.dim(), c.kvDim())};
    }

    /** gate and up: separate tensors, or (phi3) the halves of {@code ffn_up.weight} [dim, 2 ffnDim], gate first. */
    private static WeightMatrix[] gateUp(ModelSource src, String b, ModelConfig c) {
        if (c.architecture() == Architecture.PHI3) {
            WeightMatrix fused = matrix(src, b + "ffn_up.weight", c.dim(), 2 * c.ffnDim());
            return new WeightMatrix[] {
                rows(fused, b + "ffn_up.weight[gate]", 0, c.ffnDim()),
                rows(fused, b + "ffn_up.weight[up]", c.ffnDim(), c.ffnDim())};
        }
        return new WeightMatrix[] {
            matrix(src, b + "ffn_gate.weight", c.dim(), c.ffnDim()),
            matrix(src, b + "ffn_up.weight", c.dim(), c.ffnDim())};
    }

    private static WeightMatrix rows(WeightMatrix m, String name, int first, int count) {
        long rowBytes = m.type().bytesFor(m.cols());
        return new WeightMatrix(name, m.type(), count, m.cols(), m.data().asSlice(first * rowBytes, count * rowBytes));
    }

    /**
     * These weights with every matrix that is multiplied (all but a token embedding that is only looked up) repacked
     * into the row-interleaved layout where its type has one ({@link WeightMatrix#interleave}), in memory of
     * {@code memory}. The results are the same bits; only the speed differs.
     */
    public ModelWeights interleave(SegmentAllocator memory) {
        List<LayerWeights> packed = layers.stream().map(l -> new LayerWeights(l.attnNorm(),
                l.wq().interleave(memory), l.wk().interleave(memory), l.wv().interleave(memory), l.wo().interleave(memory),
                l.bq(), l.bk(), l.bv(), l.qNorm(), l.kNorm(), l.ffnNorm(),
                packed(l.gate(), memory), packed(l.up(), memory), packed(l.down(), memory),
                l.attnPostNorm(), l.ffnPostNorm(),
                l.experts() == null ? null : l.experts().interleave(memory), l.bo(), l.attnSinks())).toList();
        WeightMatrix packedOutput = output.interleave(memory);
        // a tied output matrix is also the embedding: keep one object, which both looks up rows and multiplies
        WeightMatrix embedding = output == tokenEmbedding ? packedOutput : tokenEmbedding;
        return new ModelWeights(embedding, packed, outputNorm, packedOutput, ropeFreqFactors, ropeFreqFactorsLong);
    }

    private static WeightMatrix packed(WeightMatrix m, SegmentAllocator memory) {
        return m == null ? null : m.interleave(memory);
    }

    private static WeightMatrix matrix(ModelSource src, String name, int cols, int rows) {
        WeightTensor t = src.requireTensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != cols || s[1] != rows) {
            throw new IllegalArgumentException("tensor '" + name + "' must have shape [" + cols + ", " + rows + "], got " + t);
        }
        return new WeightMatrix(name, t.type(), rows, cols, t.data());
    }

    private static float[] vector(ModelSource src, String name, int n) {
        return decodeVector(src.requireTensor(name), n);
    }

    private static float[] optionalVector(ModelSource src, String name, int n) {
        Optional<WeightTensor> t = src.tensor(name);
        return t.map(w -> decodeVector(w, n)).orElse(null);
    }

    private static float[] decodeVector(WeightTensor t, int n) {
        if (t.elementCount() != n) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' must have " + n + " elements, got " + t);
        }
        TensorCodec.requireSupported(t.type(), "tensor '" + t.name() + "'");
        if (n % t.type().blockSize() != 0 || t.data().byteSize() != t.type().bytesFor(n)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' holds " + t.data().byteSize() + " bytes, not "
                    + n + " " + t.type() + " elements");
        }
        return TensorCodec.dequantize(t.type() == GgmlType.F32 ? GgmlType.F32 : t.type(), t.data(), n);
    }
}

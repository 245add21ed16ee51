package dev.hypha.ml.train;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.Pooling;
import java.util.Optional;

/**
 * The shape of a llama-style decoder trained by {@link Decoder}: pre-norm blocks of RMSNorm, causal GQA attention with
 * RoPE, RMSNorm and a SwiGLU feed-forward, each added to the residual stream; a final RMSNorm and an untied output
 * projection. {@code architecture} picks the GGUF layout and the RoPE pairing (llama: adjacent pairs).
 */
public record DecoderConfig(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                            int vocabSize, int contextLength, float rmsEps, float ropeBase) {
    public DecoderConfig {
        if (dim <= 0 || ffnDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || headDim % 2 != 0
                || vocabSize <= 0 || contextLength <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("decoder needs positive sizes, an even head length and heads divisible by kvHeads: " + this);
        }
        if (architecture != Architecture.LLAMA && architecture != Architecture.MISTRAL) {
            throw new IllegalArgumentException("the decoder trains the llama layout (no biases, no q/k norms), not " + architecture);
        }
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** The inference engine's view of the same model (RoPE over the whole head, unscaled). */
    public ModelConfig modelConfig() {
        return new ModelConfig(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, rmsEps,
                ropeBase, headDim, 1.0f, Optional.empty(), Pooling.MEAN);
    }
}

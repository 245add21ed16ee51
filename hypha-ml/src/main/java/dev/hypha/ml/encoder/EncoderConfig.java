package dev.hypha.ml.encoder;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Pooling;

/**
 * Hyper-parameters of an encoder embedding model, read with llama.cpp's keys ({@code <arch>.embedding_length},
 * {@code .attention.layer_norm_epsilon}, {@code .pooling_type}, ...).
 *
 * @param architecture  BERT (learned positions, GELU FFN with biases) or NOMIC_BERT (RoPE, SwiGLU FFN)
 * @param dim           embedding length
 * @param ffnDim        feed-forward length
 * @param layers        blocks
 * @param heads         attention heads (keys and values have as many)
 * @param contextLength trained context: the most tokens one input may have
 * @param normEps       LayerNorm epsilon
 * @param pooling       how token states become one vector
 * @param ropeBase      RoPE frequency base (nomic-bert only)
 */
public record EncoderConfig(EncoderArchitecture architecture, int dim, int ffnDim, int layers, int heads,
                            int contextLength, float normEps, Pooling pooling, float ropeBase) {
    /** Largest value accepted for any size, so a hostile file cannot make us allocate without bound. */
    private static final long MAX_SIZE = 1 << 20;

    public EncoderConfig {
        if (dim <= 0 || ffnDim <= 0 || layers <= 0 || heads <= 0 || contextLength <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("encoder sizes must be positive with the embedding length a multiple of "
                    + "the head count: dim " + dim + ", ffn " + ffnDim + ", layers " + layers + ", heads " + heads
                    + ", context " + contextLength);
        }
        if (architecture == EncoderArchitecture.NOMIC_BERT && (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("nomic-bert's RoPE needs an even head length, got " + dim / heads);
        }
        if (!(normEps > 0) || !Float.isFinite(normEps)) {
            throw new IllegalArgumentException("attention.layer_norm_epsilon must be a positive number, got " + normEps);
        }
    }

    public int headDim() {
        return dim / heads;
    }

    /** Whether {@code gguf} holds an encoder this package runs ({@code general.architecture} bert or nomic-bert). */
    public static boolean isEncoder(GgufFile gguf) {
        return EncoderArchitecture.find(gguf.architecture()).isPresent();
    }

    /** The configuration of {@code gguf}; refuses causal encoders and out-of-range sizes by key. */
    public static EncoderConfig fromGguf(GgufFile gguf) {
        EncoderArchitecture arch = EncoderArchitecture.find(gguf.architecture()).orElseThrow(() ->
                new IllegalArgumentException("'" + gguf.architecture() + "' is not an encoder architecture; supported: "
                        + "bert, nomic-bert"));
        String p = arch.ggufName() + ".";
        if (gguf.bool(p + "attention.causal").orElse(false)) {
            throw new IllegalArgumentException(p + "attention.causal is true; embedding encoders attend both ways");
        }
        int dim = size(gguf, p + "embedding_length");
        int heads = size(gguf, p + "attention.head_count");
        if (gguf.integer(p + "attention.head_count_kv").map(kv -> kv != heads).orElse(false)) {
            throw new IllegalArgumentException(p + "attention.head_count_kv differs from head_count; encoders with "
                    + "grouped keys are not supported");
        }
        return new EncoderConfig(arch, dim, size(gguf, p + "feed_forward_length"), size(gguf, p + "block_count"), heads,
                size(gguf, p + "context_length"),
                (float) (double) gguf.number(p + "attention.layer_norm_epsilon").orElseThrow(() ->
                        new IllegalArgumentException("model has no " + p + "attention.layer_norm_epsilon")),
                Pooling.fromGguf(gguf.integer(p + "pooling_type").orElse(1L)),
                (float) (double) gguf.number(p + "rope.freq_base").orElse(10000.0));
    }

    private static int size(GgufFile gguf, String key) {
        long v = gguf.integer(key).orElseThrow(() -> new IllegalArgumentException("model has no " + key));
        if (v <= 0 || v > MAX_SIZE) {
            throw new IllegalArgumentException(key + " must be between 1 and " + MAX_SIZE + ", got " + v);
        }
        return (int) v;
    }
}

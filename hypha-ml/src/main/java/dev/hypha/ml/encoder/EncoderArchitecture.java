package dev.hypha.ml.encoder;

import java.util.Arrays;
import java.util.Optional;

/** The encoder layouts this package runs, named as {@code general.architecture} names them. */
public enum EncoderArchitecture {
    /** BERT (all-minilm, mxbai-embed-large, bge): learned positions, separate q/k/v with biases, GELU FFN with biases. */
    BERT("bert"),
    /** nomic-bert (nomic-embed-text): NEOX RoPE over whole heads, fused qkv, SwiGLU FFN without biases. */
    NOMIC_BERT("nomic-bert");

    private final String ggufName;

    EncoderArchitecture(String ggufName) {
        this.ggufName = ggufName;
    }

    public String ggufName() {
        return ggufName;
    }

    static Optional<EncoderArchitecture> find(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }
}

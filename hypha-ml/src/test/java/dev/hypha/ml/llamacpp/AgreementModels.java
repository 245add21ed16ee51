package dev.hypha.ml.llamacpp;

import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.util.Map;

/** Random-weight models with real (fortunes-trained) vocabularies, written where llama.cpp can load them. */
final class AgreementModels {
    private AgreementModels() {
    }

    /** The tokenizer keys of a vocabulary, as the GGUF writer stores them. */
    static Map<String, GgufValue> tokenizerMetadata(TokenizerConfig vocab) {
        return vocab.writeTo(new GgufWriter()).metadataView();
    }

    /**
     * A small model: dim 256 (a whole Q4_K super-block per row), 2 layers, 8 query heads over 4 KV heads, feed-forward
     * 512, context 512.
     */
    static RandomModelFactory.Spec spec(Architecture arch, GgmlType type, int vocabSize, long seed) {
        return new RandomModelFactory.Spec(arch, 256, 512, 2, 8, 4, 32, vocabSize, 512, type, false, seed);
    }

    static Path write(Path dir, RandomModelFactory.Spec spec, TokenizerConfig vocab) {
        Path file = dir.resolve(spec.architecture().ggufName() + "-" + spec.type().name().toLowerCase() + "-"
                + vocab.size() + ".gguf");
        RandomModelFactory.write(spec, tokenizerMetadata(vocab), file);
        return file;
    }
}

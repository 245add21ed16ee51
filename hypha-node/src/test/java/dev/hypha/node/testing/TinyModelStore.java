package dev.hypha.node.testing;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A model store under {@code home} holding one seeded random qwen2 model (Q8_0, 64 wide) with the fortunes-trained
 * byte-level BPE vocabulary: what the node's gateway and provider tests serve, so every answer comes from the engine.
 */
public final class TinyModelStore {
    private TinyModelStore() {}

    /** Writes the model ({@code modelSeed} picks its weights, {@code context} its trained context) and imports it. */
    public static ModelStore create(Path home, String name, long modelSeed, int context) {
        return create(home, name, modelSeed, context, null);
    }

    /** As {@link #create(Path, String, long, int)} with {@code chatTemplate} (Jinja) instead of the vocabulary's own. */
    public static ModelStore create(Path home, String name, long modelSeed, int context, String chatTemplate) {
        TokenizerConfig v = TestVocabularies.byteLevelBpe(1000);
        TokenizerConfig vocab = chatTemplate == null ? v : new TokenizerConfig(v.model(), v.pre(), v.tokens(), v.scores(),
                v.tokenTypes(), v.merges(), v.bos(), v.eos(), v.unk(), v.pad(), v.eot(), v.addBos(), v.addEos(),
                v.addSpacePrefix(), java.util.Optional.of(chatTemplate));
        return store(home, name, spec(vocab, modelSeed, context), vocab.toMetadata());
    }

    /**
     * As {@link #create(Path, String, long, int)}, the vocabulary naming three of its tokens as the fill-in-the-middle
     * prefix, suffix and middle tokens ({@code tokenizer.ggml.fim_*_token_id}), as code models' files do.
     */
    public static ModelStore createWithFim(Path home, String name, long modelSeed, int context, int prefix, int suffix,
                                           int middle) {
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        java.util.Map<String, dev.hypha.ml.gguf.GgufValue> metadata = new java.util.LinkedHashMap<>(vocab.toMetadata());
        metadata.put("tokenizer.ggml.fim_pre_token_id", new dev.hypha.ml.gguf.GgufValue.UInt32(prefix));
        metadata.put("tokenizer.ggml.fim_suf_token_id", new dev.hypha.ml.gguf.GgufValue.UInt32(suffix));
        metadata.put("tokenizer.ggml.fim_mid_token_id", new dev.hypha.ml.gguf.GgufValue.UInt32(middle));
        return store(home, name, spec(vocab, modelSeed, context), metadata);
    }

    private static RandomModelFactory.Spec spec(TokenizerConfig vocab, long modelSeed, int context) {
        return new RandomModelFactory.Spec(Architecture.QWEN2, 64, 128, 2, 4, 2, 16, vocab.size(), context,
                GgmlType.Q8_0, false, modelSeed);
    }

    private static ModelStore store(Path home, String name, RandomModelFactory.Spec spec,
                                    java.util.Map<String, dev.hypha.ml.gguf.GgufValue> metadata) {
        Path file = home.resolve("tiny.gguf");
        RandomModelFactory.write(spec, metadata, file);
        ModelStore store = new ModelStore(home, Clock.systemUTC());
        store.importModel(file, ModelName.parse(name), (done, total) -> { });
        return store;
    }
}

package dev.hypha.node.gateway;

import dev.hypha.ml.llm.Embedder;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.serve.Conversation;
import dev.hypha.ml.serve.LoadedModel;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.util.List;

/** hypha-ml's engine called directly, without the gateway: the reference the gateway's answers must equal. */
final class DirectEngine implements AutoCloseable {
    private final LoadedModel loaded;
    private final Tokenizer tokenizer;

    DirectEngine(ModelStore store, String model) {
        this.loaded = LoadedModel.load(store, ModelName.parse(model), Model.Options.defaults());
        this.tokenizer = Tokenizer.fromGguf(loaded.gguf());
    }

    /** A one-message chat through hypha-ml's own Conversation. */
    String chat(String system, String user, int maxTokens, SamplingOptions sampling) {
        Conversation c = loaded.newConversation(loaded.defaultContext(), system);
        return c.ask(user, maxTokens, new Generator.Options(1, sampling, List.of()), (t, s) -> { }).text();
    }

    /** A raw text continued as it is. */
    String raw(String prompt, int maxTokens, SamplingOptions sampling) {
        return new Generator(loaded.model().newSession(loaded.defaultContext()), TokenDecoder.of(tokenizer))
                .generate(tokenizer.encode(prompt, true, true), new Generator.Options(maxTokens, sampling, List.of()),
                        (t, s) -> { }).text();
    }

    /** Continues exactly these tokens. */
    String continued(int[] tokens, int maxTokens, SamplingOptions sampling) {
        return new Generator(loaded.model().newSession(loaded.defaultContext()), TokenDecoder.of(tokenizer))
                .generate(tokens, new Generator.Options(maxTokens, sampling, List.of()), (t, s) -> { }).text();
    }

    int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return tokenizer.encode(text, addSpecial, parseSpecial);
    }

    int bos() {
        return tokenizer.bos();
    }

    float[] embed(String text) {
        return new Embedder(loaded.model()).embed(tokenizer.encode(text, true, false));
    }

    @Override
    public void close() {
        loaded.close();
    }
}

package dev.hypha.node.provider;

import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import java.util.List;

/**
 * DEVELOPMENT AND TEST ONLY (`hypha provider start --dev-cheat cached-answers`, refused except for a dev account on the
 * local chain): an inference provider that saves its compute by answering every prompt as if it were one fixed prompt,
 * a cached answer, still charging and signing receipts for what it sends. It lets the inference subnet's answer
 * scoring be seen to catch a cheater: the answers are well-formed and paid, but differ from a replay.
 */
public final class DevCachedAnswers implements InferenceBackend {
    /** The one prompt every request is answered as. */
    public static final Prompt CACHED = new Prompt.Chat(List.of(new Prompt.Message("user", "hello")));

    private final InferenceBackend engine;

    public DevCachedAnswers(InferenceBackend engine) {
        this.engine = engine;
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        return engine.generate(call.withPrompt(CACHED, call.maxTokens()), sink);
    }

    @Override
    public List<ModelInfo> models() {
        return engine.models();
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        return engine.show(model, verbose);
    }

    @Override
    public ModelInfo info(String model) {
        return engine.info(model);
    }

    @Override
    public List<RunningModel> running() {
        return engine.running();
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        return engine.load(model, keepAlive);
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        return engine.budget(call);
    }

    @Override
    public Embeddings embed(EmbedCall call) {
        return engine.embed(call);
    }

    @Override
    public void close() {
        engine.close();
    }
}

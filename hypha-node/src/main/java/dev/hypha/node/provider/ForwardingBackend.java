package dev.hypha.node.provider;

import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import java.util.List;

/**
 * A backend that changes one behaviour of the real engine behind it (a dev-only cheat such as {@link DevCachedAnswers},
 * or a test's slow or failing generation): every call goes to the engine, and a subclass overrides what it changes.
 */
public abstract class ForwardingBackend implements InferenceBackend {
    protected final InferenceBackend engine;

    protected ForwardingBackend(InferenceBackend engine) {
        this.engine = engine;
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        return engine.generate(call, sink);
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

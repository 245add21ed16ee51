package dev.hypha.node.gateway;

import java.time.Duration;
import java.util.List;

/**
 * Where answers come from: the one seam between the gateway's HTTP APIs and the engines behind them. The local
 * backend runs the store's models on this machine; a backend that buys answers from providers (routing, payment
 * channels) is meant to implement the same calls, so the routes never change when the source does. Nothing here
 * knows HTTP or either API's JSON: requests arrive parsed and answers leave as plain records.
 *
 * <p>Every call may throw {@link GatewayException}, whose {@link GatewayException.Kind} the routes turn into each
 * API's status code and error shape.
 */
public interface InferenceBackend extends AutoCloseable {

    /** The models this backend can answer with, sorted by name. */
    List<ModelInfo> models();

    /**
     * One model's facts and metadata; NOT_FOUND when it is unknown.
     *
     * @param verbose include long metadata arrays (vocabulary, merges), which are left empty otherwise
     */
    ModelDetails show(String model, boolean verbose);

    /**
     * One model's facts without its metadata (name, content id, size, context): what a paid provider names in each
     * receipt. Backends that can tell them without reading the model's file should (the default reads it, via
     * {@link #show}); NOT_FOUND when it is unknown.
     */
    default ModelInfo info(String model) {
        return show(model, false).info();
    }

    /** The models currently loaded and when each will be unloaded. */
    List<RunningModel> running();

    /**
     * Makes sure {@code model} is loaded and keeps it for {@code keepAlive} (Ollama's empty-prompt request).
     * {@link Duration#ZERO} unloads it instead.
     *
     * @return how long loading took, in nanoseconds (0 when it was loaded already)
     */
    long load(String model, KeepAlive keepAlive);

    /**
     * Generates text for {@code call}, handing each released piece to {@code sink} as it is produced. Blocks until
     * done. A sink that throws {@link GenerationCancelledException} (its client went away) stops the generation at
     * that token; the exception propagates to the caller. A backend that prices its own requests ({@link #budget})
     * calls {@link TextSink#starting} once, before any work on the prompt and before the first piece.
     */
    Completion generate(GenerateCall call, TextSink sink);

    /**
     * The most {@code call} can consume: its prompt's tokens and the most tokens it may generate (its limit, or the
     * context left after the prompt when it has none). A paid provider prices a request from this before it runs,
     * so the same checks as {@link #generate} apply (unknown model, prompt too long).
     */
    TokenBudget budget(GenerateCall call);

    /** Embeds each input, in order. */
    Embeddings embed(EmbedCall call);

    @Override
    void close();
}

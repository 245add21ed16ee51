package dev.hypha.node.gateway;

import java.util.List;
import java.util.Objects;

/**
 * Embeddings of several texts.
 *
 * @param model     the model's name
 * @param inputs    the texts, 1 to {@link #MAX_INPUTS}
 * @param truncate  true: an input longer than the context is cut to fit (Ollama's default); false: it is an error
 * @param keepAlive how long the model stays loaded afterwards
 */
public record EmbedCall(String model, List<String> inputs, boolean truncate, KeepAlive keepAlive) {
    /**
     * Most texts one request may embed (OpenAI's own limit). Each is cut to the context, so this bounds the work and
     * the vectors held for one answer; without it a 16 MiB body of one-letter inputs would ask for millions of vectors.
     */
    public static final int MAX_INPUTS = 2048;

    public EmbedCall {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (inputs.size() > MAX_INPUTS) {
            throw GatewayException.badRequest("input lists " + inputs.size() + " texts; at most " + MAX_INPUTS
                    + " may be embedded in one request (send them in batches)");
        }
        inputs = List.copyOf(inputs);
    }
}

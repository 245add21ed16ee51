package dev.hypha.node.gateway;

import java.util.List;
import java.util.Objects;

/**
 * Embeddings of several texts.
 *
 * @param model     the model's name
 * @param inputs    the texts, at least one
 * @param truncate  true: an input longer than the context is cut to fit (Ollama's default); false: it is an error
 * @param keepAlive how long the model stays loaded afterwards
 */
public record EmbedCall(String model, List<String> inputs, boolean truncate, KeepAlive keepAlive) {
    public EmbedCall {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(keepAlive, "keepAlive");
        inputs = List.copyOf(inputs);
    }
}

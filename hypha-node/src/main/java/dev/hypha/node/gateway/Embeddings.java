package dev.hypha.node.gateway;

import java.util.List;

/**
 * Embedding vectors, one per input in input order, each of unit length.
 *
 * @param vectors      the embeddings
 * @param promptTokens tokens read over all inputs
 * @param loadNanos    time spent loading the model
 * @param totalNanos   the whole request
 */
public record Embeddings(List<float[]> vectors, int promptTokens, long loadNanos, long totalNanos) {
    public Embeddings {
        vectors = List.copyOf(vectors);
    }
}

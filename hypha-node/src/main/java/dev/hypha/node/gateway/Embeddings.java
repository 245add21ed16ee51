package dev.hypha.node.gateway;

import java.nio.ByteBuffer;
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

    /**
     * The vectors as the bytes a paid answer's receipt hashes (its output hash is their keccak-256), one encoding per
     * answer: the number of vectors as a big-endian uint32, then per vector in input order its length as a big-endian
     * uint32 followed by each element as an IEEE 754 binary32, big-endian ({@link Float#floatToIntBits}, so every NaN
     * encodes alike; paid answers refuse non-finite values anyway). Both sides compute it from the floats, not the JSON
     * text, so a number written as {@code 0.5} or {@code 5e-1} hashes the same.
     */
    public byte[] canonicalBytes() {
        long size = 4;
        for (float[] v : vectors) {
            size += 4 + 4L * v.length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("embeddings of " + size + " bytes are too large to encode");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt(vectors.size());
        for (float[] v : vectors) {
            out.putInt(v.length);
            for (float f : v) {
                out.putInt(Float.floatToIntBits(f));
            }
        }
        return out.array();
    }
}

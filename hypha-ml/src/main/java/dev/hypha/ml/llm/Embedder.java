package dev.hypha.ml.llm;

/**
 * Sentence embeddings from a model: the final normalized hidden states of the input tokens, pooled as the model's
 * metadata says (mean, first token, or last token) and scaled to unit L2 length.
 */
public final class Embedder {
    private final Model model;

    public Embedder(Model model) {
        this.model = model;
    }

    /** Embeds {@code tokens} in a fresh context; the result has the model's embedding length. */
    public float[] embed(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("cannot embed an empty token sequence");
        }
        int dim = model.config().dim();
        Pooling pooling = model.config().pooling();
        float[] pooled = new float[dim];
        Session session = model.newSession(Math.min(model.config().contextLength(), Math.max(1, tokens.length)));
        session.process(tokens, (pos, hidden) -> {
            switch (pooling) {
                case MEAN -> {
                    for (int i = 0; i < dim; i++) {
                        pooled[i] += hidden[i];
                    }
                }
                case CLS -> {
                    if (pos == 0) {
                        System.arraycopy(hidden, 0, pooled, 0, dim);
                    }
                }
                case LAST -> {
                    if (pos == tokens.length - 1) {
                        System.arraycopy(hidden, 0, pooled, 0, dim);
                    }
                }
            }
        });
        if (pooling == Pooling.MEAN) {
            for (int i = 0; i < dim; i++) {
                pooled[i] /= tokens.length;
            }
        }
        double norm = 0;
        for (float f : pooled) {
            norm += (double) f * f;
        }
        float inv = norm > 0 ? (float) (1.0 / Math.sqrt(norm)) : 0f;
        for (int i = 0; i < dim; i++) {
            pooled[i] *= inv;
        }
        return pooled;
    }
}

package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.ActivationBatch;

/**
 * One conversation with a model: a KV cache and the position of the next token. Tokens are processed in
 * batches of {@link Model.Options#batchSize()}; every operation computes each token's values exactly as it
 * would alone (same dot products in the same order), so batched prompt processing gives the same bits as
 * feeding tokens one at a time.
 *
 * <p>Not thread-safe: one caller at a time.
 */
public final class Session {
    /** Receives the final (output-normalized) hidden state of each processed token, e.g. for embeddings. */
    @FunctionalInterface
    public interface HiddenStateSink {
        void accept(int position, float[] hidden);
    }

    private final Model model;
    private final ModelConfig c;
    private final KvCache cache;
    private final Rope rope;
    private int position;

    private final int batch;
    private final Forward forward;
    private final float[][] x;
    private final ActivationBatch finalIn;
    private final float[][] logits;
    private ActivationBatch allIn; // processAll's output-norm rows and logits, made on first use
    private float[][] allOut;

    Session(Model model, KvCache cache) {
        this.model = model;
        this.c = model.config();
        this.cache = cache;
        this.rope = model.ropeFor(cache.contextSize());
        this.batch = model.options().batchSize();
        this.forward = new Forward(model, batch);
        this.x = forward.x;
        this.finalIn = new ActivationBatch(1, c.dim());
        this.logits = new float[1][c.vocabSize()];
    }

    /**
     * Appends {@code tokens} without computing logits (a prompt's leading chunks when it is fed in pieces).
     *
     * @throws ContextOverflowException if the tokens do not fit (nothing is processed then)
     */
    public void append(int[] tokens) {
        run(tokens, null, false, null);
    }

    KvCache cache() {
        return cache;
    }

    Rope rope() {
        return rope;
    }

    /** After {@link DecodeBatch} stored a token at {@link #position()}. */
    void advance() {
        position++;
    }

    /** Number of tokens in the context so far (the position of the next token). */
    public int position() {
        return position;
    }

    /** Maximum number of tokens this session holds. */
    public int contextSize() {
        return cache.contextSize();
    }

    public Model model() {
        return model;
    }

    /** Forgets everything after the first {@code newPosition} tokens (0 empties the context). */
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("can rewind to a position between 0 and " + position + ", not " + newPosition);
        }
        position = newPosition;
    }

    /**
     * Appends {@code tokens} to the context and returns the logits (one per vocabulary entry) predicting the token
     * after the last one.
     *
     * @throws ContextOverflowException if the tokens do not fit (nothing is processed then)
     * @throws IllegalArgumentException if a token id is outside the vocabulary, or {@code tokens} is empty
     */
    public float[] process(int[] tokens) {
        run(tokens, null, true);
        return logits[0].clone();
    }

    /** Appends {@code tokens} and hands each token's final hidden state to {@code sink}; computes no logits. */
    public void process(int[] tokens, HiddenStateSink sink) {
        run(tokens, sink, false, null);
    }

    /**
     * Appends {@code tokens} and returns the logits after each of them: row i predicts the token after
     * {@code tokens[i]} (what speculative decoding checks a draft against). Row i has the same bits as
     * {@link #process(int[])} would return after feeding {@code tokens[0..i]} one call at a time.
     *
     * @throws ContextOverflowException if the tokens do not fit (nothing is processed then)
     */
    public float[][] processAll(int[] tokens) {
        float[][] out = new float[tokens.length][];
        run(tokens, null, false, out);
        return out;
    }

    private void run(int[] tokens, HiddenStateSink sink, boolean wantLogits) {
        run(tokens, sink, wantLogits, null);
    }

    private void run(int[] tokens, HiddenStateSink sink, boolean wantLogits, float[][] allLogits) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to process");
        }
        if (tokens.length > cache.contextSize() - position) {
            throw new ContextOverflowException(position, tokens.length, cache.contextSize());
        }
        for (int t : tokens) {
            if (t < 0 || t >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + c.vocabSize());
            }
        }
        for (int start = 0; start < tokens.length; start += batch) {
            int n = Math.min(batch, tokens.length - start);
            for (int t = 0; t < n; t++) {
                forward.row(t, cache, position + t, rope);
            }
            forward.run(tokens, start, n);
            if (allLogits != null) {
                chunkLogits(n, allLogits, start);
            }
            if (sink != null) {
                for (int t = 0; t < n; t++) {
                    float[] h = new float[c.dim()];
                    forward.rmsNorm(x[t], model.weights().outputNorm(), h);
                    sink.accept(position + t, h);
                }
            }
            position += n;
        }
        if (wantLogits) {
            int last = (tokens.length - 1) % batch;
            forward.rmsNorm(x[last], model.weights().outputNorm(), finalIn.row(0));
            finalIn.updated(1);
            model.matMul().multiply(model.weights().output(), finalIn, logits);
            softcap(logits[0], c.traits().finalSoftcap());
        }
    }

    /** Logits of each of the chunk's n tokens into {@code out[start..start+n)}, one batched output multiplication. */
    private void chunkLogits(int n, float[][] out, int start) {
        if (allIn == null) {
            allIn = new ActivationBatch(batch, c.dim());
            allOut = new float[batch][c.vocabSize()];
        }
        for (int t = 0; t < n; t++) {
            forward.rmsNorm(x[t], model.weights().outputNorm(), allIn.row(t));
        }
        allIn.updated(n);
        model.matMul().multiply(model.weights().output(), allIn, allOut);
        for (int t = 0; t < n; t++) {
            softcap(allOut[t], c.traits().finalSoftcap());
            out[start + t] = allOut[t].clone();
        }
    }

    /** {@code v = tanh(v * (1/cap)) * cap} for each element, as ggml's scale, tanh, scale; nothing when cap is 0. */
    private void softcap(float[] v, float cap) {
        softcap(v, cap, model.math());
    }

    static void softcap(float[] v, float cap, MathMode math) {
        if (cap == 0f) {
            return;
        }
        float inv = 1.0f / cap;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) math.tanh(v[i] * inv) * cap;
        }
    }

}

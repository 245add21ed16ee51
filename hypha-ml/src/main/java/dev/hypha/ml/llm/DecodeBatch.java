package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.ActivationBatch;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One decode step for several sessions of one model: each session's newest token goes through one forward pass as
 * one row, so each weight matrix is read once per step for all of them (a batched matrix product over the rows, the
 * kernels prompt processing uses) instead of once per session. Each row attends to its own session's KV cache.
 *
 * <p>A session's logits have the same bits as {@link Session#process(int[])} of that one token would give: the kernels
 * compute every row as they would alone, and nothing else mixes rows. Not thread-safe, and a model runs one forward
 * pass at a time (its threads are shared): {@link ContinuousBatcher} is the one caller in serving.
 */
public final class DecodeBatch {
    private final Model model;
    private final ModelConfig c;
    private final Forward forward;
    private final ActivationBatch finalIn;
    private final float[][] out;

    /** @param width most sessions in one step */
    public DecodeBatch(Model model, int width) {
        if (width < 1 || width > 256) {
            throw new IllegalArgumentException("a decode batch holds 1 to 256 sessions, not " + width);
        }
        this.model = model;
        this.c = model.config();
        this.forward = new Forward(model, width);
        this.finalIn = new ActivationBatch(width, c.dim());
        this.out = new float[width][c.vocabSize()];
    }

    public int width() {
        return forward.width();
    }

    /**
     * Appends {@code tokens[i]} to {@code sessions[i]} for i &lt; n and returns the logits after each (fresh arrays).
     * Everything is checked before anything is computed.
     *
     * @throws IllegalArgumentException when a session is of another model, appears twice, its cache type differs from
     *                                  the first's, or a token is outside the vocabulary
     * @throws ContextOverflowException when a session's context is full
     */
    public float[][] step(Session[] sessions, int[] tokens, int n) {
        if (n < 1 || n > width() || n > sessions.length || n > tokens.length) {
            throw new IllegalArgumentException("a step takes 1 to " + width() + " sessions with one token each, not " + n);
        }
        Map<Session, Boolean> seen = new IdentityHashMap<>();
        KvCache.Type type = sessions[0].cache().type();
        for (int i = 0; i < n; i++) {
            Session s = sessions[i];
            if (s.model() != model) {
                throw new IllegalArgumentException("session " + i + " belongs to another model");
            }
            if (seen.put(s, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("session " + i + " appears twice in one step");
            }
            if (s.cache().type() != type) {
                throw new IllegalArgumentException("session " + i + " has a " + s.cache().type().lowerName()
                        + " KV cache; this step's sessions have " + type.lowerName() + " ones");
            }
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " is outside the vocabulary of " + c.vocabSize());
            }
            if (s.position() >= s.contextSize()) {
                throw new ContextOverflowException(s.position(), 1, s.contextSize());
            }
        }
        for (int i = 0; i < n; i++) {
            forward.row(i, sessions[i].cache(), sessions[i].position(), sessions[i].rope());
        }
        forward.run(tokens, 0, n);
        for (int i = 0; i < n; i++) {
            sessions[i].advance();
            forward.rmsNorm(forward.x[i], model.weights().outputNorm(), finalIn.row(i));
        }
        finalIn.updated(n);
        model.matMul().multiply(model.weights().output(), finalIn, out);
        float[][] logits = new float[n][];
        for (int i = 0; i < n; i++) {
            Session.softcap(out[i], c.traits().finalSoftcap(), model.math());
            logits[i] = out[i].clone();
        }
        return logits;
    }
}

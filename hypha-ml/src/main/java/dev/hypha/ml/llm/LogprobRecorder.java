package dev.hypha.ml.llm;

import java.util.ArrayList;
import java.util.List;

/**
 * Records each generated token's log-probability and the most likely alternatives (OpenAI's and Ollama's
 * {@code logprobs} / {@code top_logprobs}), as a {@link TokenConstraint} wrapped around the real one: the generator
 * hands every step's logits to {@link #mask} before it samples, and the chosen token to {@link #accept}.
 *
 * <p>The probabilities are the model's own: a log-softmax of the raw logits, before penalties, temperature, top-k/p
 * or any constraint's mask (so a token a constraint forced may show a low probability). End-of-generation tokens
 * are not recorded, as they are not part of the answer.
 */
public final class LogprobRecorder implements TokenConstraint {
    /** Most alternatives per token. */
    public static final int MAX_TOP = 20;

    /** One generated token: its log-probability, and the {@code top} most likely tokens with theirs, best first. */
    public record Entry(int token, float logprob, int[] topTokens, float[] topLogprobs) {}

    private final TokenConstraint inner;
    private final TokenDecoder decoder;
    private final int top;
    private final List<Entry> entries = new ArrayList<>();
    private float[] logprobs = new float[0];
    private int[] best = new int[0];

    /**
     * @param inner   the constraint that decides (TokenConstraint.NONE for none)
     * @param decoder tells end-of-generation tokens apart
     * @param top     how many alternatives to keep per token, 0 to {@link #MAX_TOP}
     */
    public LogprobRecorder(TokenConstraint inner, TokenDecoder decoder, int top) {
        if (top < 0 || top > MAX_TOP) {
            throw new IllegalArgumentException("top must be between 0 and " + MAX_TOP + ", got " + top);
        }
        this.inner = inner;
        this.decoder = decoder;
        this.top = top;
    }

    /** The tokens recorded so far, in order. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    @Override
    public void mask(float[] logits) {
        if (logprobs.length != logits.length) {
            logprobs = new float[logits.length];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logSum = max + Math.log(sum);
        for (int i = 0; i < logits.length; i++) {
            logprobs[i] = (float) (logits[i] - logSum);
        }
        best = topIndices(logprobs, top);
        inner.mask(logits);
    }

    @Override
    public void accept(int token) {
        inner.accept(token);
        if (decoder.isEndOfGeneration(token)) {
            return;
        }
        float[] topLp = new float[best.length];
        for (int i = 0; i < best.length; i++) {
            topLp[i] = logprobs[best[i]];
        }
        entries.add(new Entry(token, logprobs[token], best.clone(), topLp));
    }

    /** The {@code k} largest entries' indices, largest first (ties: lower index first); k is small. */
    private static int[] topIndices(float[] v, int k) {
        int n = Math.min(k, v.length);
        int[] out = new int[n];
        int filled = 0;
        for (int i = 0; i < v.length; i++) {
            if (filled < n) {
                int j = filled++;
                while (j > 0 && v[out[j - 1]] < v[i]) {
                    out[j] = out[j - 1];
                    j--;
                }
                out[j] = i;
            } else if (n > 0 && v[i] > v[out[n - 1]]) {
                int j = n - 1;
                while (j > 0 && v[out[j - 1]] < v[i]) {
                    out[j] = out[j - 1];
                    j--;
                }
                out[j] = i;
            }
        }
        return out;
    }
}

package dev.hypha.ml.sampling;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks the next token from logits in llama.cpp's default order: penalties, top-k, top-p, min-p, temperature,
 * then a draw from the remaining distribution (or argmax when the temperature is 0 or less).
 *
 * <p>Deterministic: candidates are ordered by logit then by token id, sums run in that order, exponentials use
 * {@link StrictMath}, and the random generator is the seeded, specified L64X128MixRandom. The same logits, history
 * and seed always give the same token.
 */
public final class Sampler {
    private final SamplingOptions options;
    private final RandomGenerator random;

    public Sampler(SamplingOptions options) {
        this.options = options;
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(options.seed());
    }

    public SamplingOptions options() {
        return options;
    }

    /**
     * Chooses a token.
     *
     * @param logits        one per vocabulary entry (not modified)
     * @param history       tokens so far (prompt and generated), oldest first
     * @param historyLength how many entries of {@code history} are valid
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to sample from");
        }
        float[] l = logits.clone();
        applyPenalties(l, history, historyLength);
        if (options.temperature() <= 0) {
            return argmax(l);
        }
        long[] order = options.topK() > 0 && options.topK() < l.length ? bestCandidates(l, options.topK()) : sortedCandidates(l);
        int n = order.length;
        if (options.topP() < 1.0f) {
            double[] p = softmax(l, order, n, 1.0f);
            double cum = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cum += p[i];
                if (cum >= options.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            n = Math.max(1, keep);
        }
        if (options.minP() > 0) {
            float maxLogit = l[id(order[0])];
            float threshold = maxLogit + (float) StrictMath.log(options.minP());
            int keep = 1;
            while (keep < n && l[id(order[keep])] >= threshold) {
                keep++;
            }
            n = keep;
        }
        double[] p = softmax(l, order, n, options.temperature());
        double r = random.nextDouble();
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += p[i];
            if (r < cum) {
                return id(order[i]);
            }
        }
        return id(order[n - 1]);
    }

    /** Index of the largest logit; the lowest id wins ties. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private void applyPenalties(float[] l, int[] history, int historyLength) {
        boolean active = options.repeatPenalty() != 1.0f || options.presencePenalty() != 0 || options.frequencyPenalty() != 0;
        if (!active || options.repeatLastN() == 0 || historyLength == 0) {
            return;
        }
        int window = options.repeatLastN() < 0 ? historyLength : Math.min(historyLength, options.repeatLastN());
        int[] recent = Arrays.copyOfRange(history, historyLength - window, historyLength);
        Arrays.sort(recent);
        for (int i = 0; i < recent.length; ) {
            int token = recent[i];
            int j = i;
            while (j < recent.length && recent[j] == token) {
                j++;
            }
            int count = j - i;
            if (token >= 0 && token < l.length) {
                float v = l[token];
                v = v <= 0 ? v * options.repeatPenalty() : v / options.repeatPenalty();
                v -= count * options.frequencyPenalty() + options.presencePenalty();
                l[token] = v;
            }
            i = j;
        }
    }

    /** Candidates sorted by logit descending, then id ascending, packed as (order key << 32 | id). */
    static long[] sortedCandidates(float[] l) {
        long[] keys = new long[l.length];
        for (int i = 0; i < l.length; i++) {
            int bits = Float.floatToIntBits(l[i]);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) ~sortable << 32) | i;
        }
        Arrays.sort(keys);
        return keys;
    }

    /**
     * The {@code k} best candidates in the order of {@link #sortedCandidates}, found with a bounded heap in
     * O(n log k) instead of sorting the whole vocabulary for every token.
     */
    static long[] bestCandidates(float[] l, int k) {
        long[] heap = new long[k]; // max-heap of the k smallest keys seen so far (smallest key = best candidate)
        int size = 0;
        for (int i = 0; i < l.length; i++) {
            int bits = Float.floatToIntBits(l[i]);
            long key = ((long) ~(bits ^ ((bits >> 31) & 0x7fffffff)) << 32) | i;
            if (size < k) {
                int c = size++;
                heap[c] = key;
                while (c > 0 && heap[(c - 1) / 2] < heap[c]) {
                    long t = heap[c];
                    heap[c] = heap[(c - 1) / 2];
                    heap[(c - 1) / 2] = t;
                    c = (c - 1) / 2;
                }
            } else if (key < heap[0]) {
                heap[0] = key;
                int c = 0;
                while (true) {
                    int left = 2 * c + 1;
                    int right = left + 1;
                    int largest = c;
                    if (left < k && heap[left] > heap[largest]) {
                        largest = left;
                    }
                    if (right < k && heap[right] > heap[largest]) {
                        largest = right;
                    }
                    if (largest == c) {
                        break;
                    }
                    long t = heap[c];
                    heap[c] = heap[largest];
                    heap[largest] = t;
                    c = largest;
                }
            }
        }
        Arrays.sort(heap);
        return heap;
    }

    static int id(long key) {
        return (int) key;
    }

    private static double[] softmax(float[] l, long[] order, int n, float temperature) {
        double max = l[id(order[0])] / temperature;
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = StrictMath.exp(l[id(order[i])] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }
}

package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatKernels;

/**
 * Causal multi-head self-attention with grouped key/value heads (GQA), computed as the inference engine's
 * {@code Session} computes it: scores are {@link FloatKernels#dot} times {@code 1/sqrt(headDim)}, softmax with
 * {@link StrictMath#exp} summed in double in position order, and the output is {@link FloatKernels#axpyRows} over the
 * values (one fused multiply-add chain per element, in position order).
 *
 * <p>Threads: the forward pass runs one (sequence, token, head) per unit; the backward pass one (sequence, key/value
 * head) per unit, which alone writes that head's key and value gradients and its query heads' gradients in a fixed
 * order (tokens ascending, then query heads), so the result never depends on the thread count.
 */
public final class Attention {
    private Attention() {}

    /**
     * @param q              [sequences·length, heads·headDim], already rotated
     * @param k              [sequences·length, kvHeads·headDim], already rotated
     * @param v              [sequences·length, kvHeads·headDim]
     * @param sequenceLength tokens per sequence; each token attends to itself and the earlier tokens of its sequence
     * @return [sequences·length, heads·headDim]
     */
    public static Tensor causal(Forward f, Tensor q, Tensor k, Tensor v, int heads, int kvHeads, int headDim, int sequenceLength) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        if (heads % kvHeads != 0 || q.size() % (qDim * sequenceLength) != 0) {
            throw new IllegalArgumentException("attention of " + heads + " heads over " + kvHeads + " key/value heads of "
                    + headDim + " got queries of " + q.size() + " elements");
        }
        int tokens = q.size() / qDim;
        if (k.size() != tokens * kvDim || v.size() != tokens * kvDim) {
            throw new IllegalArgumentException("attention keys/values need " + tokens * kvDim + " elements, got " + k.size() + "/" + v.size());
        }
        int group = heads / kvHeads;
        float scale = 1.0f / (float) Math.sqrt(headDim);
        float[] qs = q.data();
        float[] ks = k.data();
        float[] vs = v.data();
        float[] out = f.floats(tokens * qDim);
        // probabilities[(token·heads + h)·length + s] for s ≤ position: kept for the backward step
        float[] probabilities = f.floats(tokens * heads * sequenceLength);
        f.gemm().parallel().forRange(tokens * heads, (from, to) -> {
            float[] scores = new float[sequenceLength];
            for (int unit = from; unit < to; unit++) {
                int token = unit / heads;
                int h = unit % heads;
                int first = token - token % sequenceLength;
                int len = token % sequenceLength + 1;
                int kvOff = (h / group) * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < len; s++) {
                    float sc = FloatKernels.dot(qs, token * qDim + h * headDim, ks, (first + s) * kvDim + kvOff, headDim) * scale;
                    scores[s] = sc;
                    max = Math.max(max, sc);
                }
                double sum = 0;
                for (int s = 0; s < len; s++) {
                    float e = (float) StrictMath.exp(scores[s] - max);
                    scores[s] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                int pBase = unit * sequenceLength;
                for (int s = 0; s < len; s++) {
                    probabilities[pBase + s] = scores[s] * inv;
                }
                FloatKernels.axpyRows(scores, inv, len, vs, first * kvDim + kvOff, kvDim, out, token * qDim + h * headDim, headDim);
            }
        });
        boolean tracked = f.records(q, k, v);
        Tensor y = f.output(tracked, out, tokens, qDim);
        if (tracked) {
            f.tape().record(() -> backward(f, q, k, v, y, probabilities, heads, kvHeads, headDim, sequenceLength, scale));
        }
        return y;
    }

    private static void backward(Forward f, Tensor q, Tensor k, Tensor v, Tensor y, float[] probabilities, int heads, int kvHeads,
                                 int headDim, int length, float scale) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int tokens = q.size() / qDim;
        int sequences = tokens / length;
        int group = heads / kvHeads;
        float[] qs = q.data();
        float[] ks = k.data();
        float[] vs = v.data();
        float[] dy = y.grad();
        float[] dq = q.grad();
        float[] dk = k.grad();
        float[] dv = v.grad();
        f.gemm().parallel().forRange(sequences * kvHeads, (from, to) -> {
            float[] dScore = new float[length];
            for (int unit = from; unit < to; unit++) {
                int first = (unit / kvHeads) * length;
                int kvHead = unit % kvHeads;
                int kvOff = kvHead * headDim;
                for (int t = 0; t < length; t++) {
                    int token = first + t;
                    for (int h = kvHead * group; h < (kvHead + 1) * group; h++) {
                        int pBase = (token * heads + h) * length;
                        int qOff = token * qDim + h * headDim;
                        double weighted = 0;
                        for (int s = 0; s <= t; s++) {
                            float dp = FloatKernels.dot(dy, qOff, vs, (first + s) * kvDim + kvOff, headDim);
                            dScore[s] = dp;
                            weighted += (double) probabilities[pBase + s] * dp;
                        }
                        float mean = (float) weighted;
                        for (int s = 0; s <= t; s++) {
                            float p = probabilities[pBase + s];
                            // softmax backward, then the 1/sqrt(headDim) of the scores
                            float ds = p * (dScore[s] - mean) * scale;
                            int kvRow = (first + s) * kvDim + kvOff;
                            for (int i = 0; i < headDim; i++) {
                                if (dq != null) {
                                    dq[qOff + i] += ds * ks[kvRow + i];
                                }
                                if (dk != null) {
                                    dk[kvRow + i] += ds * qs[qOff + i];
                                }
                                if (dv != null) {
                                    dv[kvRow + i] += p * dy[qOff + i];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}

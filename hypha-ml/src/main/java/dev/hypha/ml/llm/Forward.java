package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.ActivationBatch;
import dev.hypha.ml.tensor.FloatKernels;
import dev.hypha.ml.tensor.MatMul;

/**
 * The transformer's forward pass over up to {@code width} rows, each row a token with its own KV cache, position and
 * rotation. {@link Session} runs a chunk of one conversation's tokens through it (every row the same cache, positions
 * in a run); {@link DecodeBatch} runs one newest token of each of several conversations (each row its own cache), so
 * the weights are read once per step for all of them. Every operation computes a row exactly as it would alone (the
 * matrix kernels give the same bits whatever the batch; attention and norms are per row), which is why a
 * conversation's bits do not depend on what it is batched with.
 *
 * <p>Not thread-safe: one caller at a time, and only one forward pass of a model at a time (they share its threads).
 */
final class Forward {
    private final Model model;
    private final ModelConfig c;
    private final int width;
    final float[][] x;
    private final ActivationBatch attnIn;
    private final ActivationBatch attnOut;
    private final ActivationBatch ffnIn;
    private final ActivationBatch ffnHidden;
    private final float[][] q;
    private final float[][] k;
    private final float[][] v;
    private final float[][] proj;
    private final float[][] gate;
    private final float[][] up;
    private final float[][] cos;
    private final float[][] sin;
    private final float[][] slidingCos;
    private final float[][] slidingSin;
    private final LoraAdapter.Scratch adapterScratch;
    private final ExpertFeedForward experts;
    // the rows of the current pass
    private final KvCache[] caches;
    private final int[] positions;
    private final Rope[] ropes;

    Forward(Model model, int width) {
        this.model = model;
        this.c = model.config();
        this.width = width;
        this.x = new float[width][c.dim()];
        this.attnIn = new ActivationBatch(width, c.dim());
        this.attnOut = new ActivationBatch(width, c.qDim());
        this.ffnIn = new ActivationBatch(width, c.dim());
        this.ffnHidden = new ActivationBatch(width, c.ffnDim());
        this.q = new float[width][c.qDim()];
        this.k = new float[width][c.kvDim()];
        this.v = new float[width][c.kvDim()];
        this.proj = new float[width][c.dim()];
        this.gate = new float[width][c.ffnDim()];
        this.up = new float[width][c.ffnDim()];
        int half = c.ropeDim() / 2;
        this.cos = new float[width][half];
        this.sin = new float[width][half];
        boolean ownRope = model.slidingRope() != model.rope();
        this.slidingCos = ownRope ? new float[width][half] : cos;
        this.slidingSin = ownRope ? new float[width][half] : sin;
        this.adapterScratch = model.adapter() == null ? null : model.adapter().scratch(width);
        this.experts = c.isMixtureOfExperts() ? new ExpertFeedForward(c.experts(), c.dim(), width) : null;
        this.caches = new KvCache[width];
        this.positions = new int[width];
        this.ropes = new Rope[width];
    }

    int width() {
        return width;
    }

    /** Row t of the next pass: a token at {@code position} of {@code cache}, rotated by {@code rope}. */
    void row(int t, KvCache cache, int position, Rope rope) {
        caches[t] = cache;
        positions[t] = position;
        ropes[t] = rope;
    }

    /** Runs tokens[start..start+n) as rows 0..n-1 (set by {@link #row}) through all layers, leaving hidden states in x. */
    void run(int[] tokens, int start, int n) {
        MatMul mm = model.matMul();
        ModelWeights w = model.weights();
        LayoutTraits traits = c.traits();
        for (int t = 0; t < n; t++) {
            w.tokenEmbedding().dequantizeRow(tokens[start + t], x[t], 0);
            if (traits.embeddingScale() != 1.0f) {
                scale(x[t], traits.embeddingScale());
            }
            ropes[t].angles(positions[t], cos[t], sin[t]);
            if (slidingCos != cos) {
                model.slidingRope().angles(positions[t], slidingCos[t], slidingSin[t]);
            }
        }
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            boolean sliding = traits.isSliding(l);
            float[][] layerCos = sliding ? slidingCos : cos;
            float[][] layerSin = sliding ? slidingSin : sin;
            for (int t = 0; t < n; t++) {
                rmsNorm(x[t], lw.attnNorm(), attnIn.row(t));
            }
            attnIn.updated(n);
            mm.multiply(lw.wq(), attnIn, q);
            adapt(l, LoraTarget.Q, attnIn, n, q);
            mm.multiply(lw.wk(), attnIn, k);
            adapt(l, LoraTarget.K, attnIn, n, k);
            mm.multiply(lw.wv(), attnIn, v);
            adapt(l, LoraTarget.V, attnIn, n, v);
            for (int t = 0; t < n; t++) {
                addBias(q[t], lw.bq());
                addBias(k[t], lw.bk());
                addBias(v[t], lw.bv());
                if (lw.qNorm() != null) {
                    headNorm(q[t], c.heads(), lw.qNorm());
                }
                if (lw.kNorm() != null) {
                    headNorm(k[t], c.kvHeads(), lw.kNorm());
                }
                Rope layerRope = sliding ? model.slidingRope() : ropes[t];
                layerRope.apply(q[t], 0, c.heads(), c.headDim(), layerCos[t], layerSin[t]);
                layerRope.apply(k[t], 0, c.kvHeads(), c.headDim(), layerCos[t], layerSin[t]);
                if (traits.queryScale() != 0f) {
                    scale(q[t], traits.queryScale());
                }
                caches[t].store(l, positions[t], k[t], v[t]);
            }
            attention(l, n, sliding ? traits.slidingWindow() : 0, lw.attnSinks());
            attnOut.updated(n);
            mm.multiply(lw.wo(), attnOut, proj);
            adapt(l, LoraTarget.O, attnOut, n, proj);
            for (int t = 0; t < n; t++) {
                addBias(proj[t], lw.bo());
                if (lw.attnPostNorm() != null) {
                    rmsNorm(proj[t], lw.attnPostNorm(), proj[t]);
                }
                add(x[t], proj[t]);
                rmsNorm(x[t], lw.ffnNorm(), ffnIn.row(t));
            }
            ffnIn.updated(n);
            if (lw.experts() != null) {
                experts.forward(lw.experts(), ffnIn, n, proj, mm, model.math());
                for (int t = 0; t < n; t++) {
                    add(x[t], proj[t]);
                }
                continue;
            }
            mm.multiply(lw.gate(), ffnIn, gate);
            adapt(l, LoraTarget.GATE, ffnIn, n, gate);
            mm.multiply(lw.up(), ffnIn, up);
            adapt(l, LoraTarget.UP, ffnIn, n, up);
            MathMode math = model.math();
            for (int t = 0; t < n; t++) {
                float[] h = ffnHidden.row(t);
                float[] g = gate[t];
                float[] u = up[t];
                if (traits.activation() == LayoutTraits.Activation.GELU_TANH) {
                    Gelu.geglu(g, u, h, c.ffnDim());
                    continue;
                }
                for (int i = 0; i < c.ffnDim(); i++) {
                    float gi = g[i];
                    h[i] = gi / (1.0f + (float) math.exp(-gi)) * u[i];
                }
            }
            ffnHidden.updated(n);
            mm.multiply(lw.down(), ffnHidden, proj);
            adapt(l, LoraTarget.DOWN, ffnHidden, n, proj);
            for (int t = 0; t < n; t++) {
                if (lw.ffnPostNorm() != null) {
                    rmsNorm(proj[t], lw.ffnPostNorm(), proj[t]);
                }
                add(x[t], proj[t]);
            }
        }
    }

    /** Adds the LoRA adapter's term to a projection's output (llama.cpp's build_lora_mm), if the model has one. */
    private void adapt(int layer, LoraTarget target, ActivationBatch in, int n, float[][] out) {
        if (adapterScratch != null) {
            model.adapter().apply(model.matMul(), layer, target, in, n, out, adapterScratch);
        }
    }

    /**
     * Causal attention for the n rows, each over its own cache up to its own position, parallel over (row, head); each
     * pair is computed by one thread. With {@code window > 0} a token at position p sees positions p - window + 1 .. p (llama.cpp's standard sliding
     * window: masked when {@code p - p0 >= n_swa}). Scores are soft-capped when the layout asks for it. With
     * {@code sinks} (gpt-oss), head h's softmax also counts a virtual score {@code sinks[h]} (in the maximum and the
     * sum, as ggml's {@code soft_max_ext} with sinks), which carries no value.
     */
    private void attention(int layer, int n, int window, float[] sinks) {
        int heads = c.heads();
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        int group = heads / c.kvHeads();
        // gemma scales the queries instead (LayoutTraits.queryScale), so its scores are used as they come
        float scale = c.traits().queryScale() != 0f ? 1.0f : 1.0f / (float) Math.sqrt(headDim);
        float cap = c.traits().attnSoftcap();
        float invCap = cap == 0f ? 0f : 1.0f / cap;
        MathMode math = model.math();
        int longest = 0;
        for (int t = 0; t < n; t++) {
            longest = Math.max(longest, positions[t] + 1);
        }
        int scoreLength = longest;
        if (caches[0].type() != KvCache.Type.F32) { // a pass's rows share one cache type (DecodeBatch checks it)
            model.parallel().forRange(n * heads, (from, to) -> {
                float[] scores = new float[scoreLength];
                for (int i = from; i < to; i++) {
                    int t = i / heads;
                    int h = i % heads;
                    int end = positions[t] + 1;
                    int first = window > 0 ? Math.max(0, end - window) : 0;
                    caches[t].attend(layer, q[t], h * headDim, (h / group) * headDim, first, end - first, scale, cap, math,
                            sinks == null ? Float.NaN : sinks[h], scores, attnOut.row(t), h * headDim);
                }
            });
            return;
        }
        model.parallel().forRange(n * heads, (from, to) -> {
            float[] scores = new float[scoreLength];
            for (int i = from; i < to; i++) {
                int t = i / heads;
                int h = i % heads;
                float[] keys = caches[t].keys[layer];
                float[] vals = caches[t].values[layer];
                int kvOff = (h / group) * headDim;
                int end = positions[t] + 1;
                int first = window > 0 ? Math.max(0, end - window) : 0;
                int len = end - first;
                float[] qt = q[t];
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < len; s++) {
                    float sc = FloatKernels.dot(qt, h * headDim, keys, (first + s) * kvDim + kvOff, headDim) * scale;
                    if (cap != 0f) {
                        sc = (float) math.tanh(sc * invCap) * cap;
                    }
                    scores[s] = sc;
                    max = Math.max(max, sc);
                }
                if (sinks != null) {
                    max = Math.max(max, sinks[h]);
                }
                double sum = 0;
                for (int s = 0; s < len; s++) {
                    float e = (float) math.exp(scores[s] - max);
                    scores[s] = e;
                    sum += e;
                }
                if (sinks != null) {
                    sum += (float) math.exp(sinks[h] - max);
                }
                float inv = (float) (1.0 / sum);
                float[] out = attnOut.row(t);
                java.util.Arrays.fill(out, h * headDim, (h + 1) * headDim, 0f);
                FloatKernels.axpyRows(scores, inv, len, vals, first * kvDim + kvOff, kvDim, out, h * headDim, headDim);
            }
        });
    }

    /** RMSNorm as ggml: mean of squares summed in double in index order, then {@code (x * scale) * weight}. */
    void rmsNorm(float[] in, float[] weight, float[] out) {
        double sum = 0;
        for (float f : in) {
            sum += (double) (f * f);
        }
        float mean = (float) (sum / in.length);
        float scale = 1.0f / (float) Math.sqrt(mean + c.rmsEps());
        for (int i = 0; i < in.length; i++) {
            out[i] = (in[i] * scale) * weight[i];
        }
    }

    private void headNorm(float[] vec, int heads, float[] weight) {
        int hd = c.headDim();
        float[] tmp = new float[hd];
        float[] res = new float[hd];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(vec, h * hd, tmp, 0, hd);
            rmsNorm(tmp, weight, res);
            System.arraycopy(res, 0, vec, h * hd, hd);
        }
    }

    private static void scale(float[] vec, float factor) {
        for (int i = 0; i < vec.length; i++) {
            vec[i] *= factor;
        }
    }

    private static void addBias(float[] vec, float[] bias) {
        if (bias != null) {
            add(vec, bias);
        }
    }

    private static void add(float[] acc, float[] b) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += b[i];
        }
    }
}

package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.ActivationBatch;
import dev.hypha.ml.tensor.FloatKernels;
import dev.hypha.ml.tensor.MatMul;

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
    private final float[][] x;
    private final ActivationBatch attnIn;
    private final ActivationBatch attnOut;
    private final ActivationBatch ffnIn;
    private final ActivationBatch ffnHidden;
    private final ActivationBatch finalIn;
    private final float[][] q;
    private final float[][] k;
    private final float[][] v;
    private final float[][] proj;
    private final float[][] gate;
    private final float[][] up;
    private final float[][] logits;
    private final float[] cos;
    private final float[] sin;
    private final float[] slidingCos;
    private final float[] slidingSin;
    private final LoraAdapter.Scratch adapterScratch;
    private final ExpertFeedForward experts;
    private ActivationBatch allIn; // processAll's output-norm rows and logits, made on first use
    private float[][] allOut;

    Session(Model model, KvCache cache) {
        this.model = model;
        this.c = model.config();
        this.cache = cache;
        this.rope = model.ropeFor(cache.contextSize());
        this.batch = model.options().batchSize();
        this.x = new float[batch][c.dim()];
        this.attnIn = new ActivationBatch(batch, c.dim());
        this.attnOut = new ActivationBatch(batch, c.qDim());
        this.ffnIn = new ActivationBatch(batch, c.dim());
        this.ffnHidden = new ActivationBatch(batch, c.ffnDim());
        this.finalIn = new ActivationBatch(1, c.dim());
        this.q = new float[batch][c.qDim()];
        this.k = new float[batch][c.kvDim()];
        this.v = new float[batch][c.kvDim()];
        this.proj = new float[batch][c.dim()];
        this.gate = new float[batch][c.ffnDim()];
        this.up = new float[batch][c.ffnDim()];
        this.logits = new float[1][c.vocabSize()];
        this.cos = new float[batch * (c.ropeDim() / 2)];
        this.sin = new float[batch * (c.ropeDim() / 2)];
        boolean ownRope = model.slidingRope() != model.rope();
        this.slidingCos = ownRope ? new float[batch * (c.ropeDim() / 2)] : cos;
        this.slidingSin = ownRope ? new float[batch * (c.ropeDim() / 2)] : sin;
        this.adapterScratch = model.adapter() == null ? null : model.adapter().scratch(batch);
        this.experts = c.isMixtureOfExperts() ? new ExpertFeedForward(c.experts(), c.dim(), batch) : null;
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
            forwardChunk(tokens, start, n);
            if (allLogits != null) {
                chunkLogits(n, allLogits, start);
            }
            if (sink != null) {
                for (int t = 0; t < n; t++) {
                    float[] h = new float[c.dim()];
                    rmsNorm(x[t], model.weights().outputNorm(), h);
                    sink.accept(position + t, h);
                }
            }
            position += n;
        }
        if (wantLogits) {
            int last = (tokens.length - 1) % batch;
            rmsNorm(x[last], model.weights().outputNorm(), finalIn.row(0));
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
            rmsNorm(x[t], model.weights().outputNorm(), allIn.row(t));
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
        if (cap == 0f) {
            return;
        }
        float inv = 1.0f / cap;
        MathMode math = model.math();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) math.tanh(v[i] * inv) * cap;
        }
    }

    /** Runs tokens[start..start+n) at positions position..position+n-1 through all layers, leaving hidden states in x. */
    private void forwardChunk(int[] tokens, int start, int n) {
        MatMul mm = model.matMul();
        ModelWeights w = model.weights();
        int half = c.ropeDim() / 2;
        LayoutTraits traits = c.traits();
        for (int t = 0; t < n; t++) {
            w.tokenEmbedding().dequantizeRow(tokens[start + t], x[t], 0);
            if (traits.embeddingScale() != 1.0f) {
                scale(x[t], traits.embeddingScale());
            }
            float[] cs = new float[half];
            float[] sn = new float[half];
            rope.angles(position + t, cs, sn);
            System.arraycopy(cs, 0, cos, t * half, half);
            System.arraycopy(sn, 0, sin, t * half, half);
            if (slidingCos != cos) {
                model.slidingRope().angles(position + t, cs, sn);
                System.arraycopy(cs, 0, slidingCos, t * half, half);
                System.arraycopy(sn, 0, slidingSin, t * half, half);
            }
        }
        float[] cosT = new float[half];
        float[] sinT = new float[half];
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            boolean sliding = traits.isSliding(l);
            Rope layerRope = sliding ? model.slidingRope() : rope;
            float[] layerCos = sliding ? slidingCos : cos;
            float[] layerSin = sliding ? slidingSin : sin;
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
                System.arraycopy(layerCos, t * half, cosT, 0, half);
                System.arraycopy(layerSin, t * half, sinT, 0, half);
                layerRope.apply(q[t], 0, c.heads(), c.headDim(), cosT, sinT);
                layerRope.apply(k[t], 0, c.kvHeads(), c.headDim(), cosT, sinT);
                if (traits.queryScale() != 0f) {
                    scale(q[t], traits.queryScale());
                }
                cache.store(l, position + t, k[t], v[t]);
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
     * Causal attention for the n tokens of the chunk, parallel over (token, head); each pair is computed by one thread.
     * With {@code window > 0} a token at position p sees positions p - window + 1 .. p (llama.cpp's standard sliding
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
        if (cache.type() != KvCache.Type.F32) {
            model.parallel().forRange(n * heads, (from, to) -> {
                float[] scores = new float[position + n];
                for (int i = from; i < to; i++) {
                    int t = i / heads;
                    int h = i % heads;
                    int end = position + t + 1;
                    int first = window > 0 ? Math.max(0, end - window) : 0;
                    cache.attend(layer, q[t], h * headDim, (h / group) * headDim, first, end - first, scale, cap, math,
                            sinks == null ? Float.NaN : sinks[h], scores, attnOut.row(t), h * headDim);
                }
            });
            return;
        }
        float[] keys = cache.keys[layer];
        float[] vals = cache.values[layer];
        model.parallel().forRange(n * heads, (from, to) -> {
            float[] scores = new float[position + n];
            for (int i = from; i < to; i++) {
                int t = i / heads;
                int h = i % heads;
                int kvOff = (h / group) * headDim;
                int end = position + t + 1;
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
    private void rmsNorm(float[] in, float[] weight, float[] out) {
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

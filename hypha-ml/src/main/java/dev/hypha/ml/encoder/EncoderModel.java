package dev.hypha.ml.encoder;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Gelu;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.tensor.ActivationBatch;
import dev.hypha.ml.tensor.FloatKernels;
import dev.hypha.ml.tensor.MatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tensor.WeightMatrix;

/**
 * A loaded encoder embedding model: {@link #embed} runs llama.cpp's {@code llm_build_bert} graph over one input and
 * pools it. Matrices stay memory-mapped in their file types and run the one-row kernels (embedding models are small,
 * and nothing is repacked, so loading costs nothing beyond the mapping).
 *
 * <p>Each token's values are computed in a fixed order whatever the thread count (each (token, head) or output row is
 * computed by one thread), so an input's embedding is the same bits on every run. {@link #embed} may be called from
 * several threads, one call at a time (the thread pool is shared).
 */
public final class EncoderModel implements AutoCloseable {
    private final EncoderConfig config;
    private final EncoderWeights weights;
    private final Parallel parallel;
    private final MatMul matMul;

    private EncoderModel(EncoderConfig config, EncoderWeights weights, int threads) {
        this.config = config;
        this.weights = weights;
        this.parallel = new Parallel(threads);
        this.matMul = new MatMul(parallel, true);
    }

    /** Loads the encoder in {@code gguf}; the file must stay open while the model is used. */
    public static EncoderModel load(GgufFile gguf, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        EncoderConfig config = EncoderConfig.fromGguf(gguf);
        return new EncoderModel(config, EncoderWeights.load(new GgufModelSource(gguf), config), threads);
    }

    public EncoderConfig config() {
        return config;
    }

    /** Rows of the token embedding. */
    public int vocabSize() {
        return weights.vocabSize();
    }

    /**
     * The pooled, L2-normalized embedding of {@code tokens} (one input, special tokens included as the caller wants
     * them), as llama.cpp's {@code llama-embedding} prints it.
     *
     * @throws IllegalArgumentException when the input is empty, longer than the trained context, or has a token id
     *                                  outside the vocabulary
     */
    public float[] embed(int[] tokens) {
        float[][] states = tokenStates(tokens);
        return normalize(pool(states));
    }

    /** The final hidden state of every token of {@code tokens} (before pooling). */
    public float[][] tokenStates(int[] tokens) {
        int n = tokens.length;
        if (n == 0) {
            throw new IllegalArgumentException("cannot embed an empty token sequence");
        }
        if (n > config.contextLength()) {
            throw new IllegalArgumentException("the input is " + n + " tokens, more than the model's context of "
                    + config.contextLength());
        }
        for (int t : tokens) {
            if (t < 0 || t >= weights.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + weights.vocabSize());
            }
        }
        int dim = config.dim();
        float[][] x = new float[n][dim];
        float[] row = new float[dim];
        for (int t = 0; t < n; t++) {
            weights.tokenEmbedding().dequantizeRow(tokens[t], x[t], 0);
            if (weights.tokenType0() != null) {
                add(x[t], weights.tokenType0());
            }
            if (weights.positions() != null) {
                weights.positions().dequantizeRow(t, row, 0);
                add(x[t], row);
            }
            layerNorm(x[t], weights.embeddingNorm(), x[t]);
        }
        Buffers b = new Buffers(n, dim, config.ffnDim());
        for (EncoderWeights.Layer layer : weights.layers()) {
            block(layer, x, n, b);
        }
        return x;
    }

    /** Scratch of one forward pass. */
    private static final class Buffers {
        final ActivationBatch in;
        final ActivationBatch attn;
        final ActivationBatch hidden;
        final float[][] q;
        final float[][] k;
        final float[][] v;
        final float[][] proj;
        final float[][] up;
        final float[][] gate;

        Buffers(int n, int dim, int ffn) {
            in = new ActivationBatch(n, dim);
            attn = new ActivationBatch(n, dim);
            hidden = new ActivationBatch(n, ffn);
            q = new float[n][dim];
            k = new float[n][dim];
            v = new float[n][dim];
            proj = new float[n][dim];
            up = new float[n][ffn];
            gate = new float[n][ffn];
        }
    }

    private void block(EncoderWeights.Layer l, float[][] x, int n, Buffers b) {
        for (int t = 0; t < n; t++) {
            System.arraycopy(x[t], 0, b.in.row(t), 0, config.dim());
        }
        b.in.updated(n);
        multiply(l.wq(), b.in, b.q, l.bq(), n);
        multiply(l.wk(), b.in, b.k, l.bk(), n);
        multiply(l.wv(), b.in, b.v, l.bv(), n);
        if (config.architecture() == EncoderArchitecture.NOMIC_BERT) {
            for (int t = 0; t < n; t++) {
                ropeNeox(b.q[t], t);
                ropeNeox(b.k[t], t);
            }
        }
        attention(b, n);
        b.attn.updated(n);
        multiply(l.wo(), b.attn, b.proj, l.bo(), n);
        for (int t = 0; t < n; t++) {
            add(b.proj[t], x[t]); // attention output plus the layer input, as ggml_add(cur, inpL)
            layerNorm(b.proj[t], l.attnOutNorm(), x[t]); // x now holds ffn_inp
            System.arraycopy(x[t], 0, b.in.row(t), 0, config.dim());
        }
        b.in.updated(n);
        multiply(l.up(), b.in, b.up, l.upBias(), n);
        if (l.gate() != null) {
            multiply(l.gate(), b.in, b.gate, null, n);
            for (int t = 0; t < n; t++) {
                float[] h = b.hidden.row(t);
                float[] g = b.gate[t];
                float[] u = b.up[t];
                for (int i = 0; i < config.ffnDim(); i++) {
                    h[i] = g[i] / (1.0f + (float) StrictMath.exp(-g[i])) * u[i];
                }
            }
        } else {
            for (int t = 0; t < n; t++) {
                Gelu.gelu(b.up[t], b.hidden.row(t), config.ffnDim());
            }
        }
        b.hidden.updated(n);
        multiply(l.down(), b.hidden, b.proj, l.downBias(), n);
        for (int t = 0; t < n; t++) {
            add(b.proj[t], x[t]); // FFN output plus ffn_inp
            layerNorm(b.proj[t], l.layerOutNorm(), x[t]);
        }
    }

    private void multiply(WeightMatrix w, ActivationBatch in, float[][] out, float[] bias, int n) {
        matMul.multiply(w, in, out);
        if (bias != null) {
            for (int t = 0; t < n; t++) {
                add(out[t], bias);
            }
        }
    }

    /** Bidirectional attention of every token over all n, parallel over (token, head); softmax sums in double. */
    private void attention(Buffers b, int n) {
        int heads = config.heads();
        int hd = config.headDim();
        float scale = 1.0f / (float) Math.sqrt(hd);
        parallel.forRange(n * heads, (from, to) -> {
            float[] scores = new float[n];
            for (int i = from; i < to; i++) {
                int t = i / heads;
                int h = i % heads;
                int off = h * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < n; s++) {
                    float sc = FloatKernels.dot(b.q[t], off, b.k[s], off, hd) * scale;
                    scores[s] = sc;
                    max = Math.max(max, sc);
                }
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    float e = (float) StrictMath.exp(scores[s] - max);
                    scores[s] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                float[] out = b.attn.row(t);
                java.util.Arrays.fill(out, off, off + hd, 0f);
                for (int s = 0; s < n; s++) {
                    float p = scores[s] * inv;
                    float[] vs = b.v[s];
                    for (int d = 0; d < hd; d++) {
                        out[off + d] += p * vs[off + d];
                    }
                }
            }
        });
    }

    /**
     * NEOX RoPE over whole heads at position {@code pos}, as ggml's {@code ggml_rope_ext} without scaling: the angle of
     * pair i is pos * base^(-2i/d), built by repeated multiplication in float as ggml does.
     */
    private void ropeNeox(float[] vec, int pos) {
        int hd = config.headDim();
        int half = hd / 2;
        float thetaScale = (float) Math.pow(config.ropeBase(), -2.0f / hd);
        float[] cos = new float[half];
        float[] sin = new float[half];
        float theta = pos;
        for (int i = 0; i < half; i++) {
            cos[i] = (float) StrictMath.cos(theta);
            sin[i] = (float) StrictMath.sin(theta);
            theta *= thetaScale;
        }
        for (int h = 0; h < config.heads(); h++) {
            int off = h * hd;
            for (int i = 0; i < half; i++) {
                float x0 = vec[off + i];
                float x1 = vec[off + i + half];
                vec[off + i] = x0 * cos[i] - x1 * sin[i];
                vec[off + i + half] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }

    private float[] pool(float[][] states) {
        int dim = config.dim();
        int n = states.length;
        float[] pooled = new float[dim];
        switch (config.pooling()) {
            case MEAN -> {
                float w = 1.0f / n; // ggml multiplies by a matrix of 1/n
                for (float[] s : states) {
                    for (int i = 0; i < dim; i++) {
                        pooled[i] += s[i] * w;
                    }
                }
            }
            case CLS -> System.arraycopy(states[0], 0, pooled, 0, dim);
            case LAST -> System.arraycopy(states[n - 1], 0, pooled, 0, dim);
        }
        return pooled;
    }

    /** Scaled to unit L2 length (llama.cpp's {@code common_embd_normalize} with norm 2); a zero vector stays zero. */
    static float[] normalize(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += (double) f * f;
        }
        float inv = sum > 0 ? (float) (1.0 / Math.sqrt(sum)) : 0f;
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** ggml's LayerNorm: mean and variance summed in double in index order, then (x - mean) * scale * w + b. */
    private void layerNorm(float[] in, EncoderWeights.Norm norm, float[] out) {
        int n = in.length;
        double sum = 0;
        for (float f : in) {
            sum += f;
        }
        float mean = (float) (sum / n);
        double sum2 = 0;
        for (int i = 0; i < n; i++) {
            float d = in[i] - mean;
            out[i] = d;
            sum2 += (double) (d * d);
        }
        float variance = (float) (sum2 / n);
        float scale = 1.0f / (float) Math.sqrt(variance + config.normEps());
        float[] w = norm.weight();
        float[] bias = norm.bias();
        for (int i = 0; i < n; i++) {
            out[i] = out[i] * scale * w[i] + bias[i];
        }
    }

    private static void add(float[] acc, float[] b) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += b[i];
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}

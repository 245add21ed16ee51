package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.TensorCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent, deliberately plain implementation of the llama-family forward pass for tests: every weight decoded
 * to float arrays, float activations (no activation quantization), double accumulation, one token at a time, written
 * from the architecture descriptions rather than from the engine's code.
 */
final class ReferenceTransformer {
    private final InMemoryModelSource src;
    private final String p;
    private final int dim;
    private final int ffn;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int vocab;
    private final double eps;
    private final double base;
    private final boolean neox;
    private final List<float[][]> keys = new ArrayList<>();
    private final List<float[][]> values = new ArrayList<>();
    private int pos;

    ReferenceTransformer(InMemoryModelSource src, int contextSize) {
        this.src = src;
        this.p = src.architecture() + ".";
        this.dim = num(p + "embedding_length");
        this.ffn = num(p + "feed_forward_length");
        this.layers = num(p + "block_count");
        this.heads = num(p + "attention.head_count");
        this.kvHeads = num(p + "attention.head_count_kv");
        this.headDim = num(p + "attention.key_length");
        this.vocab = (int) src.requireTensor("token_embd.weight").shape()[1];
        this.eps = src.number(p + "attention.layer_norm_rms_epsilon").orElseThrow();
        this.base = src.number(p + "rope.freq_base").orElseThrow();
        this.neox = src.architecture().startsWith("qwen");
        for (int l = 0; l < layers; l++) {
            keys.add(new float[contextSize][]);
            values.add(new float[contextSize][]);
        }
    }

    private int num(String key) {
        return src.integer(key).orElseThrow().intValue();
    }

    private final java.util.Map<String, Object> decoded = new java.util.HashMap<>();

    private float[] vec(String name) {
        return (float[]) decoded.computeIfAbsent(name, this::decodeVec);
    }

    private float[][] mat(String name) {
        return (float[][]) decoded.computeIfAbsent(name, this::decodeMat);
    }

    private float[] decodeVec(String name) {
        WeightTensor t = src.requireTensor(name);
        return TensorCodec.dequantize(t.type(), t.data(), (int) t.elementCount());
    }

    /** Row-major [rows][cols] matrix. */
    private float[][] decodeMat(String name) {
        WeightTensor t = src.requireTensor(name);
        int cols = (int) t.shape()[0];
        int rows = (int) t.shape()[1];
        float[] all = TensorCodec.dequantize(t.type(), t.data(), cols * rows);
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, r * cols, m[r], 0, cols);
        }
        return m;
    }

    private static float[] matvec(float[][] m, float[] x) {
        float[] y = new float[m.length];
        for (int r = 0; r < m.length; r++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += (double) m[r][i] * x[i];
            }
            y[r] = (float) s;
        }
        return y;
    }

    private float[] rms(float[] x, float[] w) {
        double ss = 0;
        for (float f : x) {
            ss += (double) f * f;
        }
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (x[i] * scale * w[i]);
        }
        return y;
    }

    private void rope(float[] v, int nHeads, int position) {
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < headDim / 2; i++) {
                double theta = position * Math.pow(base, -2.0 * i / headDim);
                int a = neox ? h * headDim + i : h * headDim + 2 * i;
                int b = neox ? a + headDim / 2 : a + 1;
                double x0 = v[a];
                double x1 = v[b];
                v[a] = (float) (x0 * Math.cos(theta) - x1 * Math.sin(theta));
                v[b] = (float) (x0 * Math.sin(theta) + x1 * Math.cos(theta));
            }
        }
    }

    /** Feeds one token; returns the logits for the next. */
    float[] next(int token) {
        float[][] embd = mat("token_embd.weight");
        float[] x = embd[token].clone();
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            float[] h = rms(x, vec(b + "attn_norm.weight"));
            float[] q = matvec(mat(b + "attn_q.weight"), h);
            float[] k = matvec(mat(b + "attn_k.weight"), h);
            float[] v = matvec(mat(b + "attn_v.weight"), h);
            if (src.tensor(b + "attn_q.bias").isPresent()) {
                addInto(q, vec(b + "attn_q.bias"));
                addInto(k, vec(b + "attn_k.bias"));
                addInto(v, vec(b + "attn_v.bias"));
            }
            if (src.tensor(b + "attn_q_norm.weight").isPresent()) {
                perHeadNorm(q, heads, vec(b + "attn_q_norm.weight"));
                perHeadNorm(k, kvHeads, vec(b + "attn_k_norm.weight"));
            }
            rope(q, heads, pos);
            rope(k, kvHeads, pos);
            keys.get(l)[pos] = k;
            values.get(l)[pos] = v;
            float[] att = new float[heads * headDim];
            for (int hd = 0; hd < heads; hd++) {
                int kvh = hd / (heads / kvHeads);
                double[] sc = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= pos; s++) {
                    double d = 0;
                    for (int i = 0; i < headDim; i++) {
                        d += (double) q[hd * headDim + i] * keys.get(l)[s][kvh * headDim + i];
                    }
                    sc[s] = d / Math.sqrt(headDim);
                    max = Math.max(max, sc[s]);
                }
                double sum = 0;
                for (int s = 0; s <= pos; s++) {
                    sc[s] = Math.exp(sc[s] - max);
                    sum += sc[s];
                }
                for (int i = 0; i < headDim; i++) {
                    double acc = 0;
                    for (int s = 0; s <= pos; s++) {
                        acc += sc[s] / sum * values.get(l)[s][kvh * headDim + i];
                    }
                    att[hd * headDim + i] = (float) acc;
                }
            }
            addInto(x, matvec(mat(b + "attn_output.weight"), att));
            float[] h2 = rms(x, vec(b + "ffn_norm.weight"));
            float[] g = matvec(mat(b + "ffn_gate.weight"), h2);
            float[] u = matvec(mat(b + "ffn_up.weight"), h2);
            float[] a = new float[ffn];
            for (int i = 0; i < ffn; i++) {
                a[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
            }
            addInto(x, matvec(mat(b + "ffn_down.weight"), a));
        }
        pos++;
        float[] out = rms(x, vec("output_norm.weight"));
        float[][] head = src.tensor("output.weight").isPresent() ? mat("output.weight") : embd;
        float[] logits = matvec(head, out);
        if (logits.length != vocab) {
            throw new AssertionError("vocab mismatch");
        }
        return logits;
    }

    private void perHeadNorm(float[] v, int n, float[] w) {
        for (int h = 0; h < n; h++) {
            float[] part = new float[headDim];
            System.arraycopy(v, h * headDim, part, 0, headDim);
            System.arraycopy(rms(part, w), 0, v, h * headDim, headDim);
        }
    }

    private static void addInto(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }
}

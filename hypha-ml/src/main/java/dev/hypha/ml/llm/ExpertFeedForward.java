package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.ActivationBatch;
import dev.hypha.ml.tensor.MatMul;

/**
 * A mixture-of-experts FFN over a chunk of tokens, computed as llama.cpp's {@code build_moe_ffn} does. For llama and
 * qwen3moe ({@link ModelConfig.Experts.Style#MIXTRAL}: softmax gating, weights renormalized over the selected experts,
 * SwiGLU experts):
 * <ol>
 *   <li>router logits {@code ffn_gate_inp · x}, softmax over all experts (max subtracted, sum in double, then scaled
 *       by {@code 1 / sum}, as {@code ggml_soft_max});</li>
 *   <li>the {@code used} most probable experts, in descending probability ({@code ggml_argsort_top_k}), with their
 *       probabilities divided by their sum (summed in double, clamped below at 2^-14, as {@code ggml_sum_rows} and
 *       {@code ggml_clamp});</li>
 *   <li>each selected expert's {@code down(silu(gate(x)) * up(x))} times its weight, added slot by slot in that order.</li>
 * </ol>
 * gpt-oss ({@link ModelConfig.Experts.Style#GPT_OSS}) adds the router's bias to its logits, takes the {@code used}
 * largest logits and a softmax over just those as weights, adds each projection's bias, and activates with
 * {@link #oaiSwiglu}.
 *
 * <p>Only selected experts are multiplied: the tokens of a chunk are grouped by expert, and each expert that some token
 * chose multiplies exactly those tokens. The kernels compute every token's values as they would alone, so a token's
 * result does not depend on which other tokens shared its chunk.
 *
 * <p>Not thread-safe: it holds one session's scratch buffers.
 */
final class ExpertFeedForward {
    /** ggml's clamp of the selected probabilities' sum: the smallest normal fp16. */
    private static final float MIN_WEIGHT_SUM = 6.103515625e-5f;

    private final ModelConfig.Experts config;
    private final int dim;
    private final float[][] routerLogits;
    private final int[][] selected;
    private final float[][] weights;
    private final float[] probs;
    private final ActivationBatch expertIn;
    private final ActivationBatch expertHidden;
    private final float[][] gate;
    private final float[][] up;
    private final float[][] down;
    private final float[][][] slots;
    private final int[] members;
    private final int[] memberSlots;

    ExpertFeedForward(ModelConfig.Experts config, int dim, int batch) {
        this.config = config;
        this.dim = dim;
        this.routerLogits = new float[batch][config.count()];
        this.selected = new int[batch][config.used()];
        this.weights = new float[batch][config.used()];
        this.probs = new float[config.count()];
        this.expertIn = new ActivationBatch(batch, dim);
        this.expertHidden = new ActivationBatch(batch, config.ffnDim());
        this.gate = new float[batch][config.ffnDim()];
        this.up = new float[batch][config.ffnDim()];
        this.down = new float[batch][dim];
        this.slots = new float[batch][config.used()][dim];
        this.members = new int[batch];
        this.memberSlots = new int[batch];
    }

    /** Writes the experts' weighted sum for each of the first {@code n} rows of {@code in} into {@code out[t]}. */
    void forward(ExpertWeights w, ActivationBatch in, int n, float[][] out, MatMul mm, MathMode math) {
        mm.multiply(w.router(), in, routerLogits);
        boolean oai = config.style() == ModelConfig.Experts.Style.GPT_OSS;
        for (int t = 0; t < n; t++) {
            if (oai) {
                addRow(routerLogits[t], w.routerBias(), 0, config.count());
                routeTopKThenSoftmax(routerLogits[t], selected[t], weights[t], math);
            } else {
                route(routerLogits[t], selected[t], weights[t], math);
            }
        }
        for (int e = 0; e < config.count(); e++) {
            int m = 0;
            for (int t = 0; t < n; t++) {
                for (int s = 0; s < config.used(); s++) {
                    if (selected[t][s] == e) {
                        members[m] = t;
                        memberSlots[m] = s;
                        System.arraycopy(in.row(t), 0, expertIn.row(m), 0, dim);
                        m++;
                    }
                }
            }
            if (m == 0) {
                continue; // no token of this chunk chose expert e: its weights are not touched
            }
            runExpert(w, e, m, mm, math);
            for (int i = 0; i < m; i++) {
                float weight = weights[members[i]][memberSlots[i]];
                float[] d = down[i];
                float[] slot = slots[members[i]][memberSlots[i]];
                for (int j = 0; j < dim; j++) {
                    slot[j] = d[j] * weight;
                }
            }
        }
        for (int t = 0; t < n; t++) {
            float[] o = out[t];
            System.arraycopy(slots[t][0], 0, o, 0, dim);
            for (int s = 1; s < config.used(); s++) {
                float[] slot = slots[t][s];
                for (int j = 0; j < dim; j++) {
                    o[j] += slot[j];
                }
            }
        }
    }

    /** down(silu(gate(x)) * up(x)) of expert {@code e} for the first {@code m} rows of {@link #expertIn}. */
    private void runExpert(ExpertWeights w, int e, int m, MatMul mm, MathMode math) {
        expertIn.updated(m);
        // llama.cpp multiplies up first, then gate; each is its own product, so the order changes no value
        mm.multiply(w.up().expert(e), expertIn, up);
        mm.multiply(w.gate().expert(e), expertIn, gate);
        int ffn = config.ffnDim();
        boolean oai = config.style() == ModelConfig.Experts.Style.GPT_OSS;
        for (int i = 0; i < m; i++) {
            float[] h = expertHidden.row(i);
            float[] g = gate[i];
            float[] u = up[i];
            if (oai) {
                addRow(u, w.upBias(), e * ffn, ffn);
                addRow(g, w.gateBias(), e * ffn, ffn);
                oaiSwiglu(g, u, h, ffn, math);
                continue;
            }
            for (int j = 0; j < ffn; j++) {
                float gj = g[j];
                h[j] = gj / (1.0f + (float) math.exp(-gj)) * u[j];
            }
        }
        expertHidden.updated(m);
        mm.multiply(w.down().expert(e), expertHidden, down);
        if (oai) {
            for (int i = 0; i < m; i++) {
                addRow(down[i], w.downBias(), e * dim, dim);
            }
        }
    }

    /** gpt-oss's SwiGLU limit and sigmoid scale (llama.cpp's {@code LLM_FFN_SWIGLU_OAI_MOE} constants). */
    private static final float OAI_LIMIT = 7.0f;
    private static final float OAI_ALPHA = 1.702f;

    /**
     * ggml's {@code swiglu_oai}: {@code x = min(gate, limit)}, {@code y = clamp(up, -limit, limit)},
     * {@code x / (1 + exp(alpha * -x)) * (y + 1)}, in that float order.
     */
    static void oaiSwiglu(float[] gate, float[] up, float[] out, int n, MathMode math) {
        for (int j = 0; j < n; j++) {
            float x = Math.min(gate[j], OAI_LIMIT);
            float y = Math.clamp(up[j], -OAI_LIMIT, OAI_LIMIT);
            float glu = x / (1.0f + (float) math.exp(OAI_ALPHA * -x));
            out[j] = glu * (y + 1.0f);
        }
    }

    private static void addRow(float[] v, float[] bias, int offset, int n) {
        for (int j = 0; j < n; j++) {
            v[j] += bias[offset + j];
        }
    }

    /**
     * gpt-oss: the {@code used} largest logits in descending order (ties to the lower index), weighted by a softmax
     * over just those (ggml's {@code soft_max} of the selected row: max subtracted, sum in double, scaled by 1/sum).
     */
    private void routeTopKThenSoftmax(float[] logits, int[] chosen, float[] chosenWeights, MathMode math) {
        int count = logits.length;
        for (int s = 0; s < chosen.length; s++) {
            int best = -1;
            for (int i = 0; i < count; i++) {
                if ((best < 0 || logits[i] > logits[best]) && !taken(chosen, s, i)) {
                    best = i;
                }
            }
            chosen[s] = best;
            chosenWeights[s] = logits[best];
        }
        float max = chosenWeights[0];
        for (float v : chosenWeights) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int s = 0; s < chosen.length; s++) {
            float e = (float) math.exp(chosenWeights[s] - max);
            chosenWeights[s] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int s = 0; s < chosen.length; s++) {
            chosenWeights[s] *= inv;
        }
    }

    /**
     * Softmax over all router logits, then the {@code used} largest probabilities in descending order (ties to the
     * lower expert index) and their weights renormalized to sum to 1.
     */
    private void route(float[] logits, int[] chosen, float[] chosenWeights, MathMode math) {
        int count = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            float e = (float) math.exp(logits[i] - max);
            probs[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < count; i++) {
            probs[i] *= inv;
        }
        // selection by repeated maximum: used is small (2-8), so this beats sorting all experts
        double chosenSum = 0;
        for (int s = 0; s < chosen.length; s++) {
            int best = -1;
            for (int i = 0; i < count; i++) {
                if ((best < 0 || probs[i] > probs[best]) && !taken(chosen, s, i)) {
                    best = i;
                }
            }
            chosen[s] = best;
            chosenWeights[s] = probs[best];
            chosenSum += probs[best];
        }
        float total = Math.max((float) chosenSum, MIN_WEIGHT_SUM);
        for (int s = 0; s < chosen.length; s++) {
            chosenWeights[s] = chosenWeights[s] / total;
        }
    }

    private static boolean taken(int[] chosen, int filled, int expert) {
        for (int s = 0; s < filled; s++) {
            if (chosen[s] == expert) {
                return true;
            }
        }
        return false;
    }
}

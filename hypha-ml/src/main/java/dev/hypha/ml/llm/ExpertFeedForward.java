package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.ActivationBatch;
import dev.hypha.ml.tensor.MatMul;

/**
 * A mixture-of-experts FFN over a chunk of tokens, computed as llama.cpp's {@code build_moe_ffn} does for llama and
 * qwen3moe (softmax gating, weights renormalized over the selected experts, SwiGLU experts):
 * <ol>
 *   <li>router logits {@code ffn_gate_inp · x}, softmax over all experts (max subtracted, sum in double, then scaled
 *       by {@code 1 / sum}, as {@code ggml_soft_max});</li>
 *   <li>the {@code used} most probable experts, in descending probability ({@code ggml_argsort_top_k}), with their
 *       probabilities divided by their sum (summed in double, clamped below at 2^-14, as {@code ggml_sum_rows} and
 *       {@code ggml_clamp});</li>
 *   <li>each selected expert's {@code down(silu(gate(x)) * up(x))} times its weight, added slot by slot in that order.</li>
 * </ol>
 * Only selected experts are multiplied: the tokens of a chunk are grouped by expert, and each expert that some token
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
        for (int t = 0; t < n; t++) {
            route(routerLogits[t], selected[t], weights[t], math);
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
        mm.multiply(w.gate().expert(e), expertIn, gate);
        mm.multiply(w.up().expert(e), expertIn, up);
        int ffn = config.ffnDim();
        for (int i = 0; i < m; i++) {
            float[] h = expertHidden.row(i);
            float[] g = gate[i];
            float[] u = up[i];
            for (int j = 0; j < ffn; j++) {
                float gj = g[j];
                h[j] = gj / (1.0f + (float) math.exp(-gj)) * u[j];
            }
        }
        expertHidden.updated(m);
        mm.multiply(w.down().expert(e), expertHidden, down);
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

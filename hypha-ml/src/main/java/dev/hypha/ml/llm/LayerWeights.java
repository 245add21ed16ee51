package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.WeightMatrix;

/**
 * One transformer block's weights. Matrices are views into the model file; the small vectors (norms, biases)
 * are decoded to float arrays. Optional parts are {@code null} when the layout has none: biases (qwen2), per-head
 * q/k norms (qwen3, gemma3), and the norms of the attention and FFN outputs (gemma's {@code attn_post_norm},
 * {@code ffn_post_norm}). A mixture-of-experts block has {@code experts} and no dense {@code gate}, {@code up} and
 * {@code down}. gpt-oss adds an output bias {@code bo} and one attention-sink logit per query head
 * ({@code attnSinks}): a virtual position every query attends to, which takes probability but adds no value.
 */
public record LayerWeights(
        float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down,
        float[] attnPostNorm, float[] ffnPostNorm, ExpertWeights experts, float[] bo, float[] attnSinks) {

    /** A block without gpt-oss's output bias and attention sinks. */
    public LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
                        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down,
                        float[] attnPostNorm, float[] ffnPostNorm, ExpertWeights experts) {
        this(attnNorm, wq, wk, wv, wo, bq, bk, bv, qNorm, kNorm, ffnNorm, gate, up, down, attnPostNorm, ffnPostNorm,
                experts, null, null);
    }

    /** A dense block (no routed experts). */
    public LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
                        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down,
                        float[] attnPostNorm, float[] ffnPostNorm) {
        this(attnNorm, wq, wk, wv, wo, bq, bk, bv, qNorm, kNorm, ffnNorm, gate, up, down, attnPostNorm, ffnPostNorm, null);
    }

    /** A block without output norms (every architecture but gemma's). */
    public LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
                        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
        this(attnNorm, wq, wk, wv, wo, bq, bk, bv, qNorm, kNorm, ffnNorm, gate, up, down, null, null);
    }
}

package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.WeightMatrix;

/**
 * One transformer block's weights. Matrices are views into the model file; the small vectors (norms, biases)
 * are decoded to float arrays. Optional parts are {@code null} when the layout has none.
 */
public record LayerWeights(
        float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {}

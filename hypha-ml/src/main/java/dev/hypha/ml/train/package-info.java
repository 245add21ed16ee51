/**
 * The training engine: tensors with gradients, reverse-mode autodiff on a {@link dev.hypha.ml.train.Tape}, layers
 * (linear, conv2d, pooling, ReLU/GELU, dropout), losses, optimizers (SGD with momentum, AdamW), gradient clipping and
 * the warm-up + cosine schedule.
 *
 * <p>Deterministic by construction: matrix products go through {@link dev.hypha.ml.tensor.FloatMatMul} (one
 * width-independent dot product per element, one thread per element), element-wise loops run in index order,
 * reductions have a fixed order, transcendental functions use {@link java.lang.StrictMath}, and randomness comes from
 * {@link dev.hypha.ml.train.Seeds}. So the same spec and seed give the same weights after every step on any thread
 * count and SIMD width.
 */
package dev.hypha.ml.train;

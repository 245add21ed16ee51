/**
 * Post-training int8 quantization of the MLP classifiers and their exact integer inference: the computation the ZK
 * prover (hypha-zk) will prove, so that a proven class is, bit for bit, the class this package predicts. Integers only
 * at inference (int8 weights and activations, int32-range accumulation in {@code long}, requantization by a 15-bit
 * fixed-point multiplier and a right shift, ReLU as a clamp); floats only in calibration, whose result (the integers)
 * is the model.
 */
package dev.hypha.ml.train.int8;

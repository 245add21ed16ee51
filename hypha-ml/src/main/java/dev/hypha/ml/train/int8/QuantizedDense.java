package dev.hypha.ml.train.int8;

/**
 * One int8 fully connected layer: acc[o] = bias[o] + Σ_i weights[o·in + i]·x[i] (exact, in long), then either
 * requantized to int8 (hidden layers) or returned as the logits (the last layer, {@code requantizer == null}).
 * Weights are in [−127, 127] (symmetric, so negation never overflows), the bias is at the accumulator's scale.
 */
public record QuantizedDense(int in, int out, byte[] weights, long[] bias, Requantizer requantizer) {
    /** Largest |bias| accepted: keeps every accumulator below 2^40 (in·127·128 < 2^37 for in ≤ 2^23). */
    static final long MAX_BIAS = 1L << 38;

    public QuantizedDense {
        if (in < 1 || out < 1 || in > 1 << 23) {
            throw new IllegalArgumentException("a dense layer needs 1..2^23 inputs and at least one output, got " + in + " -> " + out);
        }
        if (weights.length != (long) in * out || bias.length != out) {
            throw new IllegalArgumentException("a " + in + " -> " + out + " layer needs " + (long) in * out + " weights and "
                    + out + " biases, got " + weights.length + " and " + bias.length);
        }
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("weight " + i + " is -128; int8 weights are symmetric in [-127, 127]");
            }
        }
        for (int o = 0; o < out; o++) {
            if (Math.abs(bias[o]) > MAX_BIAS) {
                throw new IllegalArgumentException("bias " + o + " (" + bias[o] + ") is beyond 2^38");
            }
        }
        weights = weights.clone();
        bias = bias.clone();
    }

    @Override
    public byte[] weights() {
        return weights.clone();
    }

    @Override
    public long[] bias() {
        return bias.clone();
    }

    /** The accumulators for an int8 input vector (values in [−128, 127]). */
    public long[] accumulate(int[] x) {
        if (x.length != in) {
            throw new IllegalArgumentException("layer of " + in + " inputs got " + x.length);
        }
        long[] acc = new long[out];
        for (int o = 0; o < out; o++) {
            long sum = bias[o];
            int row = o * in;
            for (int i = 0; i < in; i++) {
                sum += weights[row + i] * x[i];
            }
            acc[o] = sum;
        }
        return acc;
    }

    public boolean isLast() {
        return requantizer == null;
    }
}

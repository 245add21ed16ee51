package dev.hypha.zk.mlp;

import java.util.List;

/**
 * The int8 MLP a proof is about, as hypha-zk sees it (hypha-ml's {@code QuantizedMlp} is converted to this by the one
 * module that sees both, so this module keeps depending only on hypha-core): pixels p ∈ 0..255 map to int8 by
 * ⌊(254p + 255)/510⌋; each layer computes acc = b + W·x exactly; hidden layers requantize by
 * y = clamp(⌊(acc·M + 2^(k−1)) / 2^k⌋, lo, 127) (lo = 0 after a ReLU, −128 without); the last layer's accumulators
 * are the logits and the class is their first argmax.
 *
 * <p>The bounds below keep every value the circuit handles far below p/2 (docs/ZK.md, "Whole MLP"), so that equality
 * in the field is equality over the integers: |acc| < 2^14·127·128 + 2^38 < 2^39, |acc·M| < 2^54, shift ≤ 48.
 */
public record Int8Mlp(List<Layer> layers) {
    /** Most layers a proved MLP may have. */
    public static final int MAX_LAYERS = 8;
    /** Largest side of a layer (as {@code gkr.DenseLayer}). */
    public static final int MAX_SIDE = 1 << 14;
    /** Largest weight count of one layer: 2^22 (a 16 MiB model table at most per layer). */
    public static final long MAX_WEIGHTS = 1L << 22;
    /** Largest |bias|, as hypha-ml's QuantizedDense allows. */
    public static final long MAX_BIAS = 1L << 38;
    /** Largest requantization shift the circuit's range checks cover (see docs/ZK.md). */
    public static final int MAX_SHIFT = 48;

    /** Requantization of a hidden layer: multiplier M (15 bits), shift k, and whether a ReLU follows (lo = 0). */
    public record Requant(int multiplier, int shift, boolean relu) {
        public Requant {
            if (multiplier < 0 || multiplier >= 1 << 15) {
                throw new IllegalArgumentException("requantization multiplier must be 0..2^15-1, got " + multiplier);
            }
            if (shift < 0 || shift > MAX_SHIFT) {
                throw new IllegalArgumentException("requantization shift must be 0.." + MAX_SHIFT + ", got " + shift);
            }
        }

        public long lo() {
            return relu ? 0 : -128;
        }

        public long hi() {
            return 127;
        }

        /** The rounding constant 2^(k−1) (0 when k = 0). */
        public long rounding() {
            return shift == 0 ? 0 : 1L << (shift - 1);
        }

        /** Bits of y − lo: 7 (0..127) after a ReLU, 8 (0..255) without. */
        public int outputBits() {
            return relu ? 7 : 8;
        }

        /**
         * Bits of the clamp excess e = |q − y| when clamped: |q| ≤ 2^(54−k) + 1, so e ≤ 2^(54−k) + 129 < 2^(56−k) for
         * k ≤ 47; at k = 48, |q| ≤ 65 and e ≤ 65 < 2^8 = 2^(56−k). So rem, y − lo and e take k + 8 + 56 − k ≤ 64 bits:
         * one packed 64-bit word per neuron (docs/ZK.md, "Whole MLP").
         */
        public int excessBits() {
            return 56 - shift;
        }

        /** The int8 activation, exactly as hypha-ml's Requantizer computes it. */
        public long apply(long acc) {
            long product = acc * multiplier;
            long rounded = shift == 0 ? product : (product + (1L << (shift - 1))) >> shift;
            return Math.max(lo(), Math.min(hi(), rounded));
        }
    }

    /** One layer: W (out × in, row-major, int8 in [−127, 127]), b (out), and the requantization (null: the logits). */
    public record Layer(int in, int out, byte[] weights, long[] bias, Requant requant) {
        public Layer {
            if (in < 1 || out < 1 || in > MAX_SIDE || out > MAX_SIDE || (long) in * out > MAX_WEIGHTS) {
                throw new IllegalArgumentException("a layer has 1.." + MAX_SIDE + " inputs and outputs and at most "
                        + MAX_WEIGHTS + " weights, got " + in + " -> " + out);
            }
            if (weights.length != in * out || bias.length != out) {
                throw new IllegalArgumentException("a " + in + " -> " + out + " layer needs " + in * out + " weights and "
                        + out + " biases, got " + weights.length + " and " + bias.length);
            }
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] == Byte.MIN_VALUE) {
                    throw new IllegalArgumentException("weight " + i + " is -128; int8 weights are in [-127, 127]");
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

        public boolean hidden() {
            return requant != null;
        }

        public int weight(int o, int i) {
            return weights[o * in + i];
        }

        public long biasAt(int o) {
            return bias[o];
        }
    }

    public Int8Mlp {
        layers = List.copyOf(layers);
        if (layers.isEmpty() || layers.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("an MLP has 1.." + MAX_LAYERS + " layers, got " + layers.size());
        }
        for (int l = 0; l < layers.size(); l++) {
            boolean last = l == layers.size() - 1;
            if (layers.get(l).hidden() == last) {
                throw new IllegalArgumentException("layer " + l + (last ? " is the last and gives logits (no requantization)"
                        : " is hidden and needs a requantization"));
            }
            if (l > 0 && layers.get(l - 1).out() != layers.get(l).in()) {
                throw new IllegalArgumentException("layer " + l + " takes " + layers.get(l).in() + " inputs, layer "
                        + (l - 1) + " gives " + layers.get(l - 1).out());
            }
        }
    }

    public int inputSize() {
        return layers.getFirst().in();
    }

    public int classes() {
        return layers.getLast().out();
    }

    /** The int8 input for pixel bytes (the engine's mapping). */
    public static long[] quantizeInput(byte[] pixels) {
        long[] x = new long[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            x[i] = ((pixels[i] & 0xff) * 254 + 255) / 510;
        }
        return x;
    }

    /** The first index of the largest logit. */
    public static int argmax(long[] logits) {
        int best = 0;
        for (int c = 1; c < logits.length; c++) {
            if (logits[c] > logits[best]) {
                best = c;
            }
        }
        return best;
    }
}

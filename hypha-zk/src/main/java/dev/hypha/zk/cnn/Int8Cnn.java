package dev.hypha.zk.cnn;

import dev.hypha.zk.mlp.Int8Mlp;
import java.util.List;

/**
 * The int8 CNN a proof is about, as hypha-zk sees it (hypha-ml's {@code QuantizedCnn}, converted field by field by the
 * one module that sees both): pixels mapped to int8 as {@link Int8Mlp#quantizeInput}; then per conv block a 2-D
 * convolution (stride 1, zero padding, kernel [out, in·k·k] channel-major), the requantization of {@link Int8Mlp.Requant}
 * (ReLU as its lower clamp) and a max-pool over pool×pool windows; then the flattened [channels, h, w] vector through an
 * {@link Int8Mlp}'s dense layers, whose last accumulators are the logits.
 *
 * <p>Bounds keep every value far below p/2 as the MLP's do (docs/ZK.md): |acc| ≤ patch·127·128 + 2^38 < 2^39 with
 * patch ≤ 2^14. Pooling windows are 1, 2 or 4 on a side so that a window's s² elements index a whole sub-cube.
 */
public record Int8Cnn(int channels, int height, int width, List<Conv> convs, Int8Mlp dense) {
    /** Most conv blocks a proved CNN may have. */
    public static final int MAX_CONVS = 4;
    /** Largest input side, channel count and patch (in·k·k). */
    public static final int MAX_SIDE = 256, MAX_CHANNELS = 256, MAX_PATCH = 1 << 14;

    /** One conv block: kernel weights [out, in·k·k], bias [out], requantization, pooling 1, 2 or 4. */
    public record Conv(int in, int out, int kernel, int padding, int pool, byte[] weights, long[] bias,
            Int8Mlp.Requant requant) {
        public Conv {
            checkGeometry(in, out, kernel, padding, pool);
            if (weights.length != out * in * kernel * kernel || bias.length != out) {
                throw new IllegalArgumentException("a conv " + in + " -> " + out + " with kernel " + kernel + " needs "
                        + out * in * kernel * kernel + " weights and " + out + " biases, got " + weights.length + " and "
                        + bias.length);
            }
            if (requant == null) {
                throw new IllegalArgumentException("a conv block is requantized to int8; it needs a requantization");
            }
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] == Byte.MIN_VALUE) {
                    throw new IllegalArgumentException("weight " + i + " is -128; int8 weights are in [-127, 127]");
                }
            }
            for (int o = 0; o < out; o++) {
                if (Math.abs(bias[o]) > Int8Mlp.MAX_BIAS) {
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

        public int patch() {
            return in * kernel * kernel;
        }

        public int weight(int o, int e) {
            return weights[o * patch() + e];
        }

        public long biasAt(int o) {
            return bias[o];
        }
    }

    /** The bounds of a conv block's geometry (channels, kernel, padding, pooling), shared with the proof decoder. */
    public static void checkGeometry(int in, int out, int kernel, int padding, int pool) {
        if (in < 1 || out < 1 || in > MAX_CHANNELS || out > MAX_CHANNELS) {
            throw new IllegalArgumentException("a conv block has 1.." + MAX_CHANNELS + " input and output channels, got "
                    + in + " -> " + out);
        }
        if (kernel < 1 || padding < 0 || padding >= kernel || (long) in * kernel * kernel > MAX_PATCH) {
            throw new IllegalArgumentException("a conv kernel needs padding below its size and a patch of at most "
                    + MAX_PATCH + ", got kernel " + kernel + ", padding " + padding + ", " + in + " channels");
        }
        if (pool != 1 && pool != 2 && pool != 4) {
            throw new IllegalArgumentException("the circuit pools 1x1, 2x2 or 4x4 windows, got " + pool);
        }
    }

    public Int8Cnn {
        convs = List.copyOf(convs);
        CnnShape.of(channels, height, width, convs, dense); // validates the chaining and every size
    }

    public int inputSize() {
        return channels * height * width;
    }

    public int classes() {
        return dense.classes();
    }
}

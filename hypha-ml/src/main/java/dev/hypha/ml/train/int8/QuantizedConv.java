package dev.hypha.ml.train.int8;

/**
 * One int8 convolution block as the engine's CNN runs it: a 2-D convolution (stride 1, zero padding, kernel
 * {@code [out, in·k·k]} channel-major, exactly {@code Conv}'s im2col order), requantized to int8 (the ReLU, if any, is
 * the requantizer's lower clamp), then max-pooled over non-overlapping {@code pool}×{@code pool} windows ({@code pool}
 * = 1: no pooling; rows and columns that do not fill a window are dropped, as {@code Pooling.max} does).
 *
 * <p>Zero padding is exact in int8: activations are symmetric (zero-point 0), so a padded 0 is the real 0. Max-pooling
 * after the requantization equals requantizing after the pooling, since the requantization is monotonic.
 */
public record QuantizedConv(int in, int out, int kernel, int padding, int pool, byte[] weights, long[] bias,
        Requantizer requantizer) {
    public QuantizedConv {
        if (in < 1 || out < 1 || in > 1 << 12 || out > 1 << 12) {
            throw new IllegalArgumentException("a conv layer needs 1..4096 input and output channels, got " + in + " -> " + out);
        }
        if (kernel < 1 || kernel > 15 || padding < 0 || padding >= kernel || pool < 1 || pool > 8) {
            throw new IllegalArgumentException("conv kernel must be 1..15 with padding below it and pooling 1..8, got kernel "
                    + kernel + ", padding " + padding + ", pool " + pool);
        }
        if (weights.length != (long) out * patch(in, kernel) || bias.length != out) {
            throw new IllegalArgumentException("a conv " + in + " -> " + out + " with kernel " + kernel + " needs "
                    + (long) out * patch(in, kernel) + " weights and " + out + " biases, got " + weights.length + " and " + bias.length);
        }
        if (requantizer == null) {
            throw new IllegalArgumentException("a conv layer's output is requantized to int8; it needs a requantizer");
        }
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("weight " + i + " is -128; int8 weights are symmetric in [-127, 127]");
            }
        }
        for (int o = 0; o < out; o++) {
            if (Math.abs(bias[o]) > QuantizedDense.MAX_BIAS) {
                throw new IllegalArgumentException("bias " + o + " (" + bias[o] + ") is beyond 2^38");
            }
        }
        weights = weights.clone();
        bias = bias.clone();
    }

    private static int patch(int in, int kernel) {
        return in * kernel * kernel;
    }

    /** Inputs under one kernel position: in·k·k. */
    public int patch() {
        return patch(in, kernel);
    }

    @Override
    public byte[] weights() {
        return weights.clone();
    }

    @Override
    public long[] bias() {
        return bias.clone();
    }

    public int outHeight(int height) {
        return height + 2 * padding - kernel + 1;
    }

    public int outWidth(int width) {
        return width + 2 * padding - kernel + 1;
    }

    /**
     * The accumulators, [out, outH, outW] row-major: acc = bias[c] + Σ_{ci,ky,kx} w[c, ci, ky, kx]·x[ci, oh+ky−pad,
     * ow+kx−pad] in exact integers, x being [in, height, width] int8 values.
     */
    public long[] accumulate(int[] x, int height, int width) {
        if (x.length != in * height * width) {
            throw new IllegalArgumentException("conv of " + in + " channels of " + height + "x" + width + " got " + x.length + " values");
        }
        int oh = outHeight(height);
        int ow = outWidth(width);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("kernel " + kernel + " does not fit a " + height + "x" + width + " input");
        }
        long[] acc = new long[out * oh * ow];
        int p = patch();
        for (int c = 0; c < out; c++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++) {
                    long sum = bias[c];
                    int e = c * p;
                    for (int ci = 0; ci < in; ci++) {
                        for (int ky = 0; ky < kernel; ky++) {
                            int iy = y + ky - padding;
                            for (int kx = 0; kx < kernel; kx++, e++) {
                                int ix = z + kx - padding;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    sum += weights[e] * x[(ci * height + iy) * width + ix];
                                }
                            }
                        }
                    }
                    acc[(c * oh + y) * ow + z] = sum;
                }
            }
        }
        return acc;
    }

    /** Max over each pool×pool window of [channels, h, w] int8 values (stride = pool). */
    public static int[] maxPool(int[] x, int channels, int h, int w, int pool) {
        int ph = h / pool;
        int pw = w / pool;
        int[] y = new int[channels * ph * pw];
        for (int c = 0; c < channels; c++) {
            for (int a = 0; a < ph; a++) {
                for (int b = 0; b < pw; b++) {
                    int best = Integer.MIN_VALUE;
                    for (int dy = 0; dy < pool; dy++) {
                        for (int dx = 0; dx < pool; dx++) {
                            best = Math.max(best, x[(c * h + a * pool + dy) * w + b * pool + dx]);
                        }
                    }
                    y[(c * ph + a) * pw + b] = best;
                }
            }
        }
        return y;
    }
}

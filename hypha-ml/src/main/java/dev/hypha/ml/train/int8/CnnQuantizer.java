package dev.hypha.ml.train.int8;

import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-training quantization of a float CNN to a {@link QuantizedCnn}, with {@link MlpQuantizer}'s rules: symmetric
 * per-layer int8 weights, input at scale 1/127, each requantized layer's output scale = (largest activation the float
 * model produces on the calibration images) / 127, bias at the accumulator's scale, 15-bit requantization multipliers,
 * the last layer's accumulators as the logits.
 *
 * <p>The network must be conv blocks ({@code conv2d}, optionally {@code relu}, optionally {@code maxpool}), then
 * {@code flatten}, then linear layers each optionally followed by {@code relu}; {@code dropout} (identity at inference)
 * may appear anywhere. That is the shape of examples/fashion-mnist-cnn.toml. Calibration runs the float layers in
 * plain double loops in index order (deterministic); its output is the integers.
 */
public final class CnnQuantizer {
    private CnnQuantizer() {}

    /** One conv block of the float network: its layer, parameters, ReLU and pooling. */
    private static final class Block {
        final Layer.Conv2d conv;
        final float[] w;
        final float[] b;
        boolean relu;
        int pool = 1;

        Block(Layer.Conv2d conv, float[] w, float[] b) {
            this.conv = conv;
            this.w = w;
            this.b = b;
        }
    }

    /**
     * Quantizes {@code network} (input [channels, height, width]) with activation scales taken from
     * {@code calibrationPixels} (whole images, one after another).
     *
     * @throws IllegalArgumentException naming the first layer that does not fit the supported shape
     */
    public static QuantizedCnn quantize(Network network, byte[] calibrationPixels) {
        int[] shape = network.inputShape();
        if (shape.length != 3) {
            throw new IllegalArgumentException("a CNN takes [channels, height, width] images, the network takes "
                    + java.util.Arrays.toString(shape));
        }
        List<Block> blocks = new ArrayList<>();
        List<Layer> head = new ArrayList<>();
        List<Tensor> all = network.parameters();
        int p = 0;
        boolean flattened = false;
        for (Layer layer : network.layers()) {
            if (flattened) {
                if (layer instanceof Layer.Linear) {
                    p += 2;
                }
                head.add(layer);
                continue;
            }
            switch (layer) {
                case Layer.Conv2d conv -> {
                    blocks.add(new Block(conv, all.get(p).data(), all.get(p + 1).data()));
                    p += 2;
                }
                case Layer.Relu ignored -> {
                    Block last = blocks.isEmpty() ? null : blocks.getLast();
                    if (last == null || last.relu || last.pool > 1) {
                        throw new IllegalArgumentException("relu must directly follow a conv2d layer for int8 quantization");
                    }
                    last.relu = true;
                }
                case Layer.MaxPool pool -> {
                    if (blocks.isEmpty() || blocks.getLast().pool > 1) {
                        throw new IllegalArgumentException("maxpool must follow a conv2d (and its relu) for int8 quantization");
                    }
                    blocks.getLast().pool = pool.size();
                }
                case Layer.Dropout ignored -> { } // identity at inference
                case Layer.Flatten ignored -> flattened = true;
                default -> throw new IllegalArgumentException("int8 CNN quantization supports conv2d, relu, maxpool, flatten, "
                        + "linear and dropout; '" + layer.describe() + "' is not one of them");
            }
        }
        if (blocks.isEmpty() || !flattened) {
            throw new IllegalArgumentException("a CNN for int8 quantization starts with conv2d blocks and flattens before its linear layers");
        }
        int inputSize = shape[0] * shape[1] * shape[2];
        if (calibrationPixels.length == 0 || calibrationPixels.length % inputSize != 0) {
            throw new IllegalArgumentException("calibration needs whole images of " + inputSize + " bytes, got "
                    + calibrationPixels.length + " bytes");
        }
        int images = calibrationPixels.length / inputSize;
        double[][] h = new double[images][inputSize];
        for (int s = 0; s < images; s++) {
            for (int i = 0; i < inputSize; i++) {
                h[s][i] = (calibrationPixels[s * inputSize + i] & 0xff) / 255.0;
            }
        }
        int rows = shape[1];
        int cols = shape[2];
        double inScale = 1.0 / 127;
        List<QuantizedConv> convs = new ArrayList<>();
        for (Block block : blocks) {
            Layer.Conv2d c = block.conv;
            double wScale = weightScale(block.w);
            double accScale = inScale * wScale;
            double[][] next = new double[images][];
            for (int s = 0; s < images; s++) {
                next[s] = floatConv(h[s], block.w, block.b, c, rows, cols, block.relu);
            }
            double outScale = activationScale(next);
            convs.add(new QuantizedConv(c.in(), c.out(), c.kernel(), c.padding(), block.pool, quantizeWeights(block.w, wScale),
                    quantizeBias(block.b, accScale), Requantizer.approximating(accScale / outScale, block.relu)));
            rows = rows + 2 * c.padding() - c.kernel() + 1;
            cols = cols + 2 * c.padding() - c.kernel() + 1;
            for (int s = 0; s < images; s++) {
                next[s] = floatPool(next[s], c.out(), rows, cols, block.pool);
            }
            rows /= block.pool;
            cols /= block.pool;
            h = next;
            inScale = outScale;
        }
        List<QuantizedDense> dense = MlpQuantizer.quantizeLinears(head, all.subList(p - 2 * countLinears(head), p), h, inScale);
        return new QuantizedCnn(shape[0], shape[1], shape[2], convs, dense);
    }

    private static int countLinears(List<Layer> head) {
        return (int) head.stream().filter(l -> l instanceof Layer.Linear).count();
    }

    static double weightScale(float[] w) {
        double maxW = 0;
        for (float v : w) {
            maxW = Math.max(maxW, Math.abs(v));
        }
        return maxW > 0 ? maxW / 127 : 1;
    }

    static byte[] quantizeWeights(float[] w, double wScale) {
        byte[] wq = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            wq[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / wScale)));
        }
        return wq;
    }

    static long[] quantizeBias(float[] b, double accScale) {
        long[] bq = new long[b.length];
        for (int o = 0; o < b.length; o++) {
            bq[o] = Math.round(b[o] / accScale);
        }
        return bq;
    }

    static double activationScale(double[][] activations) {
        double maxAct = 0;
        for (double[] row : activations) {
            for (double v : row) {
                maxAct = Math.max(maxAct, Math.abs(v));
            }
        }
        return maxAct > 0 ? maxAct / 127 : 1;
    }

    private static double[] floatConv(double[] x, float[] w, float[] b, Layer.Conv2d c, int height, int width, boolean relu) {
        int k = c.kernel();
        int pad = c.padding();
        int oh = height + 2 * pad - k + 1;
        int ow = width + 2 * pad - k + 1;
        int patch = c.in() * k * k;
        double[] y = new double[c.out() * oh * ow];
        for (int f = 0; f < c.out(); f++) {
            for (int a = 0; a < oh; a++) {
                for (int z = 0; z < ow; z++) {
                    double sum = b[f];
                    int e = f * patch;
                    for (int ci = 0; ci < c.in(); ci++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = a + ky - pad;
                            for (int kx = 0; kx < k; kx++, e++) {
                                int ix = z + kx - pad;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    sum += w[e] * x[(ci * height + iy) * width + ix];
                                }
                            }
                        }
                    }
                    y[(f * oh + a) * ow + z] = relu ? Math.max(0, sum) : sum;
                }
            }
        }
        return y;
    }

    private static double[] floatPool(double[] x, int channels, int h, int w, int pool) {
        if (pool == 1) {
            return x;
        }
        int ph = h / pool;
        int pw = w / pool;
        double[] y = new double[channels * ph * pw];
        for (int c = 0; c < channels; c++) {
            for (int a = 0; a < ph; a++) {
                for (int b = 0; b < pw; b++) {
                    double best = Double.NEGATIVE_INFINITY;
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

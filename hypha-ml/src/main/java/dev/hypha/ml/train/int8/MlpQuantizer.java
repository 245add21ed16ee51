package dev.hypha.ml.train.int8;

import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-training quantization of a float MLP (flatten, then linear layers each optionally followed by relu and dropout)
 * to a {@link QuantizedMlp}:
 *
 * <ul>
 *   <li>weights: symmetric per layer, scale s_w = max|W| / 127, w_q = round(W / s_w);
 *   <li>activations: scale 1/127 for the input pixels in [0, 1]; for each hidden layer, s_out = (largest activation the
 *       float model produces on the calibration images) / 127;
 *   <li>bias at the accumulator's scale s_in·s_w; requantization multiplier s_in·s_w / s_out at 15-bit precision;
 *   <li>the last layer keeps its accumulators as the logits (argmax is invariant to the positive scale).
 * </ul>
 *
 * Calibration runs the float layers in plain double loops in index order (deterministic); its output is the integers.
 */
public final class MlpQuantizer {
    private MlpQuantizer() {}

    /**
     * Quantizes {@code network} with activation scales taken from {@code calibrationPixels} (images of
     * {@code inputSize} bytes each, one after another).
     *
     * @throws IllegalArgumentException naming the first layer that is not part of an MLP
     */
    public static QuantizedMlp quantize(Network network, byte[] calibrationPixels) {
        List<Layer.Linear> linears = new ArrayList<>();
        List<float[][]> params = new ArrayList<>();
        List<Boolean> relus = new ArrayList<>();
        List<Tensor> all = network.parameters();
        int p = 0;
        for (Layer layer : network.layers()) {
            switch (layer) {
                case Layer.Flatten ignored -> {
                    if (!linears.isEmpty()) {
                        throw new IllegalArgumentException("flatten after a linear layer is not an MLP the int8 path supports");
                    }
                }
                case Layer.Linear linear -> {
                    linears.add(linear);
                    params.add(new float[][] {all.get(p).data(), all.get(p + 1).data()});
                    relus.add(false);
                    p += 2;
                }
                case Layer.Relu ignored -> {
                    if (linears.isEmpty() || relus.getLast()) {
                        throw new IllegalArgumentException("relu must follow a linear layer for int8 quantization");
                    }
                    relus.set(relus.size() - 1, true);
                }
                case Layer.Dropout ignored -> { } // identity at inference
                default -> throw new IllegalArgumentException("int8 quantization supports MLPs (flatten, linear, relu, "
                        + "dropout); '" + layer.describe() + "' is not one of them");
            }
        }
        if (linears.isEmpty()) {
            throw new IllegalArgumentException("the network has no linear layer to quantize");
        }
        if (relus.getLast()) {
            throw new IllegalArgumentException("the last linear layer gives the logits; a relu after it is not supported");
        }
        int inputSize = linears.getFirst().in();
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
        double inScale = 1.0 / 127;
        List<QuantizedDense> layers = new ArrayList<>();
        for (int l = 0; l < linears.size(); l++) {
            Layer.Linear linear = linears.get(l);
            float[] w = params.get(l)[0];
            float[] b = params.get(l)[1];
            boolean last = l == linears.size() - 1;
            double maxW = 0;
            for (float v : w) {
                maxW = Math.max(maxW, Math.abs(v));
            }
            double wScale = maxW > 0 ? maxW / 127 : 1;
            byte[] wq = new byte[w.length];
            for (int i = 0; i < w.length; i++) {
                wq[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / wScale)));
            }
            double accScale = inScale * wScale;
            long[] bq = new long[b.length];
            for (int o = 0; o < b.length; o++) {
                bq[o] = Math.round(b[o] / accScale);
            }
            double[][] next = floatLayer(h, w, b, linear.in(), linear.out(), relus.get(l));
            Requantizer requantizer = null;
            if (!last) {
                double maxAct = 0;
                for (double[] row : next) {
                    for (double v : row) {
                        maxAct = Math.max(maxAct, Math.abs(v));
                    }
                }
                double outScale = maxAct > 0 ? maxAct / 127 : 1;
                requantizer = Requantizer.approximating(accScale / outScale, relus.get(l));
                inScale = outScale;
            }
            layers.add(new QuantizedDense(linear.in(), linear.out(), wq, bq, requantizer));
            h = next;
        }
        return new QuantizedMlp(layers);
    }

    private static double[][] floatLayer(double[][] x, float[] w, float[] b, int in, int out, boolean relu) {
        double[][] y = new double[x.length][out];
        for (int s = 0; s < x.length; s++) {
            for (int o = 0; o < out; o++) {
                double sum = b[o];
                for (int i = 0; i < in; i++) {
                    sum += w[o * in + i] * x[s][i];
                }
                y[s][o] = relu ? Math.max(0, sum) : sum;
            }
        }
        return y;
    }
}

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
        List<Layer> layers = new ArrayList<>();
        boolean linearSeen = false;
        for (Layer layer : network.layers()) {
            if (layer instanceof Layer.Flatten) {
                if (linearSeen) {
                    throw new IllegalArgumentException("flatten after a linear layer is not an MLP the int8 path supports");
                }
            } else {
                linearSeen |= layer instanceof Layer.Linear;
                layers.add(layer);
            }
        }
        int inputSize = layers.stream().filter(l -> l instanceof Layer.Linear).map(l -> ((Layer.Linear) l).in()).findFirst()
                .orElse(1);
        checkLayers(layers);
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
        return new QuantizedMlp(quantizeLinears(layers, network.parameters(), h, 1.0 / 127));
    }

    /** Checks that {@code layers} are linear layers each optionally followed by relu, with dropout anywhere. */
    private static void checkLayers(List<Layer> layers) {
        boolean any = false;
        boolean relu = false;
        for (Layer layer : layers) {
            switch (layer) {
                case Layer.Linear ignored -> {
                    any = true;
                    relu = false;
                }
                case Layer.Relu ignored -> {
                    if (!any || relu) {
                        throw new IllegalArgumentException("relu must follow a linear layer for int8 quantization");
                    }
                    relu = true;
                }
                case Layer.Dropout ignored -> { } // identity at inference
                default -> throw new IllegalArgumentException("int8 quantization supports MLPs (flatten, linear, relu, "
                        + "dropout); '" + layer.describe() + "' is not one of them");
            }
        }
        if (!any) {
            throw new IllegalArgumentException("the network has no linear layer to quantize");
        }
        if (relu) {
            throw new IllegalArgumentException("the last linear layer gives the logits; a relu after it is not supported");
        }
    }

    /**
     * Quantizes a stack of linear layers (each optionally followed by relu; dropout anywhere) whose parameters are
     * {@code params} (weight, bias per linear layer, in order), given the float calibration activations {@code h} that
     * enter the first one at scale {@code inScale}. Shared with {@link CnnQuantizer} for a CNN's dense head.
     */
    static List<QuantizedDense> quantizeLinears(List<Layer> stack, List<Tensor> params, double[][] h, double inScale) {
        checkLayers(stack);
        List<Layer.Linear> linears = new ArrayList<>();
        List<Boolean> relus = new ArrayList<>();
        for (Layer layer : stack) {
            if (layer instanceof Layer.Linear linear) {
                linears.add(linear);
                relus.add(false);
            } else if (layer instanceof Layer.Relu) {
                relus.set(relus.size() - 1, true);
            }
        }
        List<QuantizedDense> layers = new ArrayList<>();
        for (int l = 0; l < linears.size(); l++) {
            Layer.Linear linear = linears.get(l);
            float[] w = params.get(2 * l).data();
            float[] b = params.get(2 * l + 1).data();
            boolean last = l == linears.size() - 1;
            double wScale = CnnQuantizer.weightScale(w);
            byte[] wq = CnnQuantizer.quantizeWeights(w, wScale);
            double accScale = inScale * wScale;
            long[] bq = CnnQuantizer.quantizeBias(b, accScale);
            double[][] next = floatLayer(h, w, b, linear.in(), linear.out(), relus.get(l));
            Requantizer requantizer = null;
            if (!last) {
                double outScale = CnnQuantizer.activationScale(next);
                requantizer = Requantizer.approximating(accScale / outScale, relus.get(l));
                inScale = outScale;
            }
            layers.add(new QuantizedDense(linear.in(), linear.out(), wq, bq, requantizer));
            h = next;
        }
        return layers;
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

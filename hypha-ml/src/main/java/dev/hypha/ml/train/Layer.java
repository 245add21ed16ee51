package dev.hypha.ml.train;

import java.util.List;

/**
 * One layer of a sequential network. Layers are data (what a training spec names); {@link Network} owns the
 * parameters. Each layer writes itself as one line of text ({@link #describe}) that {@link LayerSyntax} reads back, so
 * a spec and a stored model name the architecture the same way.
 */
public sealed interface Layer {

    /** A parameter the layer needs: its shape and the fan-in its initialisation is scaled by (0: initialised to zero). */
    record ParameterShape(String role, int[] shape, int fanIn) {}

    /** The per-sample output shape for a per-sample input shape; throws naming the mismatch when it does not fit. */
    int[] outputShape(int[] input);

    /** Parameters in a fixed order (weight before bias). */
    default List<ParameterShape> parameters() {
        return List.of();
    }

    /** Runs the layer; {@code parameters} are this layer's, in {@link #parameters} order. */
    Tensor forward(Forward f, Tensor x, List<Tensor> parameters);

    /** The one-line text form, e.g. {@code linear 784 256}. */
    String describe();

    record Linear(int in, int out) implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            int features = 1;
            for (int d : input) {
                features *= d;
            }
            if (input.length != 1 || features != in) {
                throw new IllegalArgumentException("'" + describe() + "' needs " + in + " features, the layer before gives "
                        + java.util.Arrays.toString(input) + (input.length > 1 ? " (add flatten)" : ""));
            }
            return new int[] {out};
        }

        @Override
        public List<ParameterShape> parameters() {
            return List.of(new ParameterShape("weight", new int[] {out, in}, in), new ParameterShape("bias", new int[] {out}, 0));
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Dense.linear(f, x, p.get(0), p.get(1));
        }

        @Override
        public String describe() {
            return "linear " + in + " " + out;
        }
    }

    record Conv2d(int in, int out, int kernel, int padding) implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            if (input.length != 3 || input[0] != in) {
                throw new IllegalArgumentException("'" + describe() + "' needs [" + in + ", height, width] inputs, the layer before gives "
                        + java.util.Arrays.toString(input));
            }
            int h = Conv.outputSize(input[1], kernel, padding);
            int w = Conv.outputSize(input[2], kernel, padding);
            if (h <= 0 || w <= 0) {
                throw new IllegalArgumentException("'" + describe() + "' does not fit a " + input[1] + "x" + input[2] + " input");
            }
            return new int[] {out, h, w};
        }

        @Override
        public List<ParameterShape> parameters() {
            int patch = in * kernel * kernel;
            return List.of(new ParameterShape("weight", new int[] {out, patch}, patch), new ParameterShape("bias", new int[] {out}, 0));
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Conv.conv2d(f, x, p.get(0), p.get(1), kernel, padding);
        }

        @Override
        public String describe() {
            return "conv2d " + in + " " + out + " " + kernel + " " + padding;
        }
    }

    record MaxPool(int size) implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            return pooled(input, size, describe());
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Pooling.max(f, x, size);
        }

        @Override
        public String describe() {
            return "maxpool " + size;
        }
    }

    record AvgPool(int size) implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            return pooled(input, size, describe());
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Pooling.average(f, x, size);
        }

        @Override
        public String describe() {
            return "avgpool " + size;
        }
    }

    record Relu() implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            return input;
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Activations.relu(f, x);
        }

        @Override
        public String describe() {
            return "relu";
        }
    }

    record Gelu() implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            return input;
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Activations.gelu(f, x);
        }

        @Override
        public String describe() {
            return "gelu";
        }
    }

    record Dropout(float probability) implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            return input;
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return Activations.dropout(f, x, probability);
        }

        @Override
        public String describe() {
            return "dropout " + probability;
        }
    }

    record Flatten() implements Layer {
        @Override
        public int[] outputShape(int[] input) {
            int n = 1;
            for (int d : input) {
                n *= d;
            }
            return new int[] {n};
        }

        @Override
        public Tensor forward(Forward f, Tensor x, List<Tensor> p) {
            return x.reshape(x.dim(0), x.size() / x.dim(0));
        }

        @Override
        public String describe() {
            return "flatten";
        }
    }

    private static int[] pooled(int[] input, int size, String name) {
        if (input.length != 3 || input[1] < size || input[2] < size) {
            throw new IllegalArgumentException("'" + name + "' needs [channels, height, width] inputs of at least " + size + "x" + size
                    + ", the layer before gives " + java.util.Arrays.toString(input));
        }
        return new int[] {input[0], input[1] / size, input[2] / size};
    }
}

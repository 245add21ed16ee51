package dev.hypha.ml.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sequential network: layers in order and their parameters, named {@code layers.<i>.weight} / {@code .bias}.
 * Construction checks that each layer fits the shape the previous one gives and bounds every size, since
 * architectures come from specs and model files.
 */
public final class Network {
    /** Largest parameter count or per-sample activation size accepted (2^28 floats = 1 GiB). */
    public static final long MAX_ELEMENTS = 1L << 28;

    private final List<Layer> layers;
    private final int[] inputShape;
    private final int[] outputShape;
    private final List<List<Tensor>> parameters;
    private final List<String> names;

    private Network(List<Layer> layers, int[] inputShape, List<List<Tensor>> parameters) {
        this.layers = List.copyOf(layers);
        this.inputShape = inputShape.clone();
        this.parameters = parameters;
        this.outputShape = checkShapes(layers, inputShape);
        this.names = parameterNames(layers);
    }

    /** The parameter names of a stack of layers, in order, without allocating the parameters. */
    public static List<String> parameterNames(List<Layer> layers) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Layer.ParameterShape p : layers.get(i).parameters()) {
                n.add("layers." + i + "." + p.role());
            }
        }
        return List.copyOf(n);
    }

    /** A network with freshly initialised parameters: He-uniform weights (bound √(6/fan-in)), zero biases. */
    public static Network initialize(List<Layer> layers, int[] inputShape, long seed) {
        checkShapes(layers, inputShape);
        List<List<Tensor>> params = new ArrayList<>();
        int index = 0;
        for (Layer layer : layers) {
            List<Tensor> own = new ArrayList<>();
            for (Layer.ParameterShape p : layer.parameters()) {
                float[] data = new float[count(p.shape())];
                if (p.fanIn() > 0) {
                    SplittableRandom random = Seeds.stream(seed, Seeds.INIT, index);
                    float bound = (float) Math.sqrt(6.0 / p.fanIn());
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                    }
                }
                own.add(Tensor.tracked(data, p.shape()));
                index++;
            }
            params.add(own);
        }
        return new Network(layers, inputShape, params);
    }

    /** A network over given parameter values (a loaded model), in {@link #parameterNames} order. */
    public static Network withParameters(List<Layer> layers, int[] inputShape, List<float[]> values) {
        checkShapes(layers, inputShape);
        List<List<Tensor>> params = new ArrayList<>();
        int index = 0;
        for (Layer layer : layers) {
            List<Tensor> own = new ArrayList<>();
            for (Layer.ParameterShape p : layer.parameters()) {
                if (index >= values.size() || values.get(index).length != count(p.shape())) {
                    throw new IllegalArgumentException("parameter " + index + " of '" + layer.describe() + "' needs "
                            + count(p.shape()) + " values" + (index < values.size() ? ", got " + values.get(index).length : ", none given"));
                }
                own.add(Tensor.tracked(values.get(index).clone(), p.shape()));
                index++;
            }
            params.add(own);
        }
        if (index != values.size()) {
            throw new IllegalArgumentException("the architecture has " + index + " parameter tensors, got " + values.size());
        }
        return new Network(layers, inputShape, params);
    }

    private static int[] checkShapes(List<Layer> layers, int[] inputShape) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        long total = 0;
        int[] shape = inputShape.clone();
        for (Layer layer : layers) {
            shape = layer.outputShape(shape);
            if (size(shape) > MAX_ELEMENTS) {
                throw new IllegalArgumentException("'" + layer.describe() + "' gives " + Arrays.toString(shape) + " per sample, above "
                        + MAX_ELEMENTS + " values");
            }
            for (Layer.ParameterShape p : layer.parameters()) {
                total += size(p.shape());
                if (total > MAX_ELEMENTS) {
                    throw new IllegalArgumentException("the network has more than " + MAX_ELEMENTS + " parameters");
                }
            }
        }
        return shape;
    }

    private static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > MAX_ELEMENTS) {
                return n;
            }
        }
        return n;
    }

    private static int count(int[] shape) {
        return (int) size(shape);
    }

    /** Runs every layer on a batch {@code x} of shape [batch, inputShape...]. */
    public Tensor forward(Forward f, Tensor x) {
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(f, h, parameters.get(i));
        }
        return h;
    }

    /** Every parameter, in name order. */
    public List<Tensor> parameters() {
        List<Tensor> all = new ArrayList<>();
        parameters.forEach(all::addAll);
        return all;
    }

    public List<String> parameterNames() {
        return names;
    }

    public List<Layer> layers() {
        return layers;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape.clone();
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : parameters()) {
            n += t.size();
        }
        return n;
    }
}

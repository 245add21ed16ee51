package dev.hypha.ml.train.export;

import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trained classifier as safetensors: every parameter under its model-file name with the shape other frameworks use
 * for the same layer (PyTorch's {@code nn.Linear} weight [out, in], {@code nn.Conv2d} weight [out, in, k, k], biases
 * [out]), so {@code layers.<i>.weight} is the state-dict key of layer i of an {@code nn.Sequential} with a
 * {@code layers.} prefix. The metadata carries what the tensors alone do not say: the layer lines, the input shape and
 * the pixel scaling.
 */
public final class ClassifierTensors {
    private ClassifierTensors() {}

    public static byte[] safetensors(Network network) {
        List<Safetensors.F32> tensors = new ArrayList<>();
        List<String> names = network.parameterNames();
        int p = 0;
        for (Layer layer : network.layers()) {
            for (Layer.ParameterShape shape : layer.parameters()) {
                long[] dims = switch (layer) {
                    case Layer.Conv2d c when shape.role().equals("weight") -> new long[] {c.out(), c.in(), c.kernel(), c.kernel()};
                    default -> Arrays.stream(shape.shape()).asLongStream().toArray();
                };
                tensors.add(new Safetensors.F32(names.get(p), dims, network.parameters().get(p).data()));
                p++;
            }
        }
        return Safetensors.encode(tensors, metadata(network));
    }

    static Map<String, String> metadata(Network network) {
        return Map.of("format", "hypha-classifier",
                "hypha.layers", String.join("\n", network.layers().stream().map(Layer::describe).toList()),
                "hypha.input_shape", String.join(",", Arrays.stream(network.inputShape()).mapToObj(Integer::toString).toList()),
                "hypha.input_scaling", "pixel byte / 255");
    }
}

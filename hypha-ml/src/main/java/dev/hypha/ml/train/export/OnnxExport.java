package dev.hypha.ml.train.export;

import com.google.protobuf.ByteString;
import dev.hypha.ml.onnx.OnnxProto.AttributeProto;
import dev.hypha.ml.onnx.OnnxProto.GraphProto;
import dev.hypha.ml.onnx.OnnxProto.ModelProto;
import dev.hypha.ml.onnx.OnnxProto.NodeProto;
import dev.hypha.ml.onnx.OnnxProto.OperatorSetIdProto;
import dev.hypha.ml.onnx.OnnxProto.StringStringEntryProto;
import dev.hypha.ml.onnx.OnnxProto.TensorProto;
import dev.hypha.ml.onnx.OnnxProto.TensorShapeProto;
import dev.hypha.ml.onnx.OnnxProto.TypeProto;
import dev.hypha.ml.onnx.OnnxProto.ValueInfoProto;
import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A trained classifier as an ONNX model (IR version 7, default-domain opset 13), built with the protobuf classes
 * generated from ONNX's own {@code onnx.proto}. Input {@code images}: float [batch, input shape...], pixels scaled to
 * [0, 1] as in training (byte / 255); output {@code logits}: float [batch, classes]. Parameters are initializers under
 * the model file's names ({@code layers.<i>.weight}). Each layer becomes the ONNX operator with the same arithmetic:
 * linear → Gemm (transB = 1, weights stay [out, in]); conv2d → Conv (weights [out, in, k, k], the row layout of our
 * im2col); maxpool / avgpool → MaxPool / AveragePool (window = stride = size, no padding, floor); flatten → Flatten
 * (axis 1); relu → Relu; gelu → the tanh form spelt out in Mul/Add/Tanh (opset 13 has no Gelu, and the exact-erf
 * Gelu of later opsets is another function); dropout → Identity (dropout is off at inference).
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** ONNX IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
    public static final long IR_VERSION = 7;
    public static final long OPSET = 13;
    public static final String INPUT = "images";
    public static final String OUTPUT = "logits";

    public static byte[] encode(Network network, String modelName, String producerVersion) {
        GraphBuilder g = new GraphBuilder(modelName);
        List<Layer> layers = network.layers();
        List<Tensor> params = network.parameters();
        List<String> names = network.parameterNames();
        int p = 0;
        String x = INPUT;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String out = i == layers.size() - 1 ? OUTPUT : "h" + i;
            switch (layer) {
                case Layer.Linear l -> {
                    String w = g.initializer(names.get(p), params.get(p++).data(), l.out(), l.in());
                    String b = g.initializer(names.get(p), params.get(p++).data(), l.out());
                    g.node("Gemm", "linear" + i, List.of(x, w, b), out, g.intAttr("transB", 1));
                }
                case Layer.Conv2d c -> {
                    String w = g.initializer(names.get(p), params.get(p++).data(), c.out(), c.in(), c.kernel(), c.kernel());
                    String b = g.initializer(names.get(p), params.get(p++).data(), c.out());
                    g.node("Conv", "conv" + i, List.of(x, w, b), out, g.intsAttr("kernel_shape", c.kernel(), c.kernel()),
                            g.intsAttr("pads", c.padding(), c.padding(), c.padding(), c.padding()), g.intsAttr("strides", 1, 1));
                }
                case Layer.MaxPool m -> g.node("MaxPool", "maxpool" + i, List.of(x), out,
                        g.intsAttr("kernel_shape", m.size(), m.size()), g.intsAttr("strides", m.size(), m.size()));
                case Layer.AvgPool a -> g.node("AveragePool", "avgpool" + i, List.of(x), out,
                        g.intsAttr("kernel_shape", a.size(), a.size()), g.intsAttr("strides", a.size(), a.size()));
                case Layer.Flatten f -> g.node("Flatten", "flatten" + i, List.of(x), out, g.intAttr("axis", 1));
                case Layer.Relu r -> g.node("Relu", "relu" + i, List.of(x), out);
                case Layer.Gelu ge -> gelu(g, i, x, out);
                case Layer.Dropout d -> g.node("Identity", "dropout" + i, List.of(x), out);
            }
            x = out;
        }
        int[] in = network.inputShape();
        int[] outShape = network.outputShape();
        GraphProto graph = g.graph.addInput(g.value(INPUT, in)).addOutput(g.value(OUTPUT, outShape)).build();
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("hypha")
                .setProducerVersion(producerVersion)
                .setDocString("Hypha classifier " + modelName + ": input images as float [batch, " + joined(in)
                        + "] scaled to [0, 1] (byte / 255), output logits [batch, " + joined(outShape) + "]")
                .setGraph(graph);
        model.addMetadataProps(entry("hypha.layers", String.join("\n", network.layers().stream().map(Layer::describe).toList())));
        model.addMetadataProps(entry("hypha.input_shape", joined(in)));
        return model.build().toByteArray();
    }

    /**
     * Reads an exported model back (the check after writing): it must parse as an ONNX ModelProto of our IR version and
     * opset whose graph ends in {@link #OUTPUT}.
     */
    public static ModelProto parse(byte[] bytes) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("the ONNX file does not parse: " + e.getMessage(), e);
        }
        if (model.getIrVersion() != IR_VERSION || model.getOpsetImportCount() != 1 || model.getOpsetImport(0).getVersion() != OPSET
                || model.getGraph().getOutputCount() != 1 || !model.getGraph().getOutput(0).getName().equals(OUTPUT)) {
            throw new IllegalStateException("the ONNX file read back is not the model written (IR, opset or output differ)");
        }
        return model;
    }

    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the form {@code Activations.gelu} computes. */
    private static void gelu(GraphBuilder g, int i, String x, String out) {
        String p = "gelu" + i + ".";
        String cubic = g.scalar(p + "c0", 0.044715f);
        String scale = g.scalar(p + "c1", (float) Math.sqrt(2 / Math.PI));
        String one = g.scalar(p + "one", 1f);
        String half = g.scalar(p + "half", 0.5f);
        g.node("Mul", p + "x2", List.of(x, x), p + "x2");
        g.node("Mul", p + "x3", List.of(p + "x2", x), p + "x3");
        g.node("Mul", p + "ax3", List.of(p + "x3", cubic), p + "ax3");
        g.node("Add", p + "inner", List.of(x, p + "ax3"), p + "inner");
        g.node("Mul", p + "scaled", List.of(p + "inner", scale), p + "scaled");
        g.node("Tanh", p + "tanh", List.of(p + "scaled"), p + "tanh");
        g.node("Add", p + "onePlus", List.of(p + "tanh", one), p + "onePlus");
        g.node("Mul", p + "xTimes", List.of(x, p + "onePlus"), p + "xTimes");
        g.node("Mul", p + "out", List.of(p + "xTimes", half), out);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static String joined(int[] shape) {
        return String.join(", ", Arrays.stream(shape).mapToObj(Integer::toString).toList());
    }

    /** The graph under construction: nodes in program order, initializers, typed inputs and outputs. */
    private static final class GraphBuilder {
        final GraphProto.Builder graph;

        GraphBuilder(String name) {
            graph = GraphProto.newBuilder().setName(name);
        }

        String initializer(String name, float[] values, int... dims) {
            ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN); // ONNX raw_data is little-endian
            raw.asFloatBuffer().put(values);
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .setRawData(ByteString.copyFrom(raw.array()));
            for (int d : dims) {
                t.addDims(d);
            }
            graph.addInitializer(t);
            return name;
        }

        String scalar(String name, float value) {
            return initializer(name, new float[] {value});
        }

        void node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
            for (AttributeProto a : attributes) {
                n.addAttribute(a);
            }
            graph.addNode(n);
        }

        AttributeProto intAttr(String name, long value) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
        }

        AttributeProto intsAttr(String name, long... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            return a.build();
        }

        /** A float tensor [batch, shape...] with a symbolic batch dimension. */
        ValueInfoProto value(String name, int[] shape) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            for (int d : shape) {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                    .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s)).build();
            return ValueInfoProto.newBuilder().setName(name).setType(type).build();
        }
    }
}

package dev.hypha.cli.model;

import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.WeightTensor;
import dev.hypha.ml.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Map;

/** A tiny random-weight llama GGUF (header and tensors; enough for the store commands). */
final class TinyModelFile {
    private TinyModelFile() {
    }

    static Path write(Path file, long seed) {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q8_0, 96, seed);
        GgufWriter writer = new GgufWriter();
        for (Map.Entry<String, Object> e : RandomModelFactory.metadata(spec).entrySet()) {
            switch (e.getValue()) {
                case String s -> writer.putString(e.getKey(), s);
                case Long l -> writer.putUInt32(e.getKey(), l);
                case Double d -> writer.putFloat32(e.getKey(), d.floatValue());
                default -> throw new IllegalArgumentException("unexpected metadata " + e);
            }
        }
        for (WeightTensor t : RandomModelFactory.tensors(spec).values()) {
            writer.addTensor(t.name(), t.type(), t.shape(), t.data());
        }
        writer.write(file);
        return file;
    }
}

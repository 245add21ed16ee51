package dev.hypha.ml.store;

import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.WeightTensor;
import dev.hypha.ml.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Map;

/** Writes tiny random-weight GGUF models (no tokenizer: the store reads only the header and tensor table). */
final class TinyGguf {
    private TinyGguf() {
    }

    static Path write(Path file, Architecture architecture, GgmlType type, long seed) {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(architecture, type, 96, seed);
        GgufWriter writer = new GgufWriter();
        for (Map.Entry<String, Object> e : RandomModelFactory.metadata(spec).entrySet()) {
            switch (e.getValue()) {
                case String s -> writer.putString(e.getKey(), s);
                case Long l -> writer.putUInt32(e.getKey(), l);
                case Double d -> writer.putFloat32(e.getKey(), d.floatValue());
                case Boolean b -> writer.putBool(e.getKey(), b);
                default -> throw new IllegalArgumentException("unexpected metadata " + e);
            }
        }
        for (WeightTensor t : RandomModelFactory.tensors(spec).values()) {
            writer.addTensor(t.name(), t.type(), t.shape(), t.data());
        }
        writer.write(file);
        return file;
    }

    static Path write(Path file) {
        return write(file, Architecture.LLAMA, GgmlType.Q8_0, 1);
    }
}

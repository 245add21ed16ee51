package dev.hypha.ml.llm;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufTensor;
import java.util.Optional;

/** A {@link ModelSource} over an open GGUF file; tensors are the file's memory-mapped slices (nothing copied). */
public final class GgufModelSource implements ModelSource {
    private final GgufFile file;

    public GgufModelSource(GgufFile file) {
        this.file = file;
    }

    public GgufFile file() {
        return file;
    }

    @Override
    public String architecture() {
        return file.architecture();
    }

    @Override
    public Optional<Long> integer(String key) {
        return file.integer(key);
    }

    @Override
    public Optional<Double> number(String key) {
        return file.number(key);
    }

    @Override
    public Optional<String> string(String key) {
        return file.string(key);
    }

    @Override
    public Optional<WeightTensor> tensor(String name) {
        return file.tensor(name).map(GgufModelSource::view);
    }

    private static WeightTensor view(GgufTensor t) {
        return new WeightTensor(t.name(), t.type(), t.shape(), t.data());
    }
}

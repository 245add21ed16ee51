package dev.hypha.ml.llm;

import java.util.Optional;

/**
 * What the loader needs from a model file: typed metadata lookups and named tensors. {@link GgufModelSource}
 * reads a GGUF file; {@link InMemoryModelSource} serves models built in memory.
 */
public interface ModelSource {
    /** {@code general.architecture}. */
    String architecture();

    /** An integer metadata value of any width. */
    Optional<Long> integer(String key);

    /** A float metadata value of any width (integers widened). */
    Optional<Double> number(String key);

    /** A string metadata value. */
    Optional<String> string(String key);

    /** The tensor with this name, if present. */
    Optional<WeightTensor> tensor(String name);

    /** The tensor with this name, or a clear error naming it. */
    default WeightTensor requireTensor(String name) {
        return tensor(name).orElseThrow(() -> new IllegalArgumentException(
                "model (architecture " + architecture() + ") has no tensor '" + name + "'"));
    }
}

package dev.hypha.ml.store;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the store records about a model file, read from its GGUF header and tensor table.
 *
 * @param architecture   {@code general.architecture}, e.g. "llama"
 * @param parameterCount total elements of all tensors
 * @param quantization   llama.cpp's name for the file type ({@code general.file_type}, e.g. "Q4_K_M"), or the tensor
 *                       type holding most of the weights when the file does not say
 * @param tensorTypes    number of tensors per tensor type, by type name (kept sorted by name)
 * @param contextLength  the trained context ({@code <arch>.context_length}), 0 when the file does not say
 */
public record ModelSummary(String architecture, long parameterCount, String quantization,
                           Map<String, Integer> tensorTypes, long contextLength) {

    public ModelSummary {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(quantization, "quantization");
        tensorTypes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(Map.copyOf(tensorTypes)));
        if (parameterCount < 0 || contextLength < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }
}

package dev.hypha.ml.llm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/** A model held in memory: metadata values (Long, Double, String, Boolean or arrays) and tensors, in insertion order. */
public final class InMemoryModelSource implements ModelSource {
    private final String architecture;
    private final SequencedMap<String, Object> metadata;
    private final SequencedMap<String, WeightTensor> tensors;

    public InMemoryModelSource(String architecture, Map<String, Object> metadata, Map<String, WeightTensor> tensors) {
        this.architecture = architecture;
        this.metadata = new LinkedHashMap<>(metadata);
        this.tensors = new LinkedHashMap<>(tensors);
    }

    /** All metadata, in insertion order. */
    public SequencedMap<String, Object> metadata() {
        return Collections.unmodifiableSequencedMap(metadata);
    }

    /** All tensors, in insertion order. */
    public SequencedMap<String, WeightTensor> tensors() {
        return Collections.unmodifiableSequencedMap(tensors);
    }

    @Override
    public String architecture() {
        return architecture;
    }

    @Override
    public Optional<Long> integer(String key) {
        return metadata.get(key) instanceof Number n && !(n instanceof Double || n instanceof Float)
                ? Optional.of(n.longValue()) : Optional.empty();
    }

    @Override
    public Optional<Double> number(String key) {
        return metadata.get(key) instanceof Number n ? Optional.of(n.doubleValue()) : Optional.empty();
    }

    @Override
    public Optional<String> string(String key) {
        return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    @Override
    public Optional<WeightTensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }
}

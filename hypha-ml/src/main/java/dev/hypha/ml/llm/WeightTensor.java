package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named tensor as the model loader sees it: type, GGUF shape ({@code shape[0]} is the contiguous axis) and
 * the bytes, usually a slice of a memory-mapped file.
 */
public record WeightTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
    public WeightTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (product of the shape). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}

package dev.hypha.ml.gguf;

import dev.hypha.ml.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file.
 *
 * @param name   tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type   element encoding
 * @param shape  dimensions, {@code shape[0]} innermost (the contiguous row length), as ggml's {@code ne}; 1 to 4 dims
 * @param offset byte offset of the data relative to the start of the file's data section
 * @param data   the encoded bytes ({@code type.bytesFor(elementCount())} of them): a read-only slice of the file's
 *               mapping, valid until the {@link GgufFile} is closed
 */
public record GgufTensor(String name, GgmlType type, long[] shape, long offset, MemorySegment data) {

    /** Number of elements (product of the dimensions). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Size in bytes of the encoded data. */
    public long byteSize() {
        return data.byteSize();
    }

    /** Row length (shape[0]) times the product of the other dims gives rows; this returns the number of rows. */
    public long rows() {
        return elementCount() / shape[0];
    }

    @Override
    public String toString() {
        return "GgufTensor[" + name + ", " + type + ", " + Arrays.toString(shape) + ", offset " + offset + "]";
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;

/**
 * A row-major weight matrix stored in a GGML type, viewed in place (usually a slice of a memory-mapped GGUF
 * file: nothing is copied). {@code cols} is GGUF's {@code ne[0]}, the contiguous axis; {@code rows} is {@code ne[1]}.
 *
 * @param name  the tensor's name, for error messages
 * @param type  element type
 * @param rows  number of rows (output features)
 * @param cols  elements per row (input features), a whole number of the type's blocks
 * @param data  exactly {@code rows * rowBytes()} bytes
 * @param interleaved the same weights repacked for the row-interleaved kernels ({@link #interleave}), or null
 */
public record WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, MemorySegment interleaved) {
    /** A matrix in its GGUF layout only. */
    public WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, null);
    }

    public WeightMatrix {
        TensorCodec.requireSupported(type, "tensor '" + name + "'");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor '" + name + "' must have positive dimensions, got " + rows + " x " + cols);
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' rows have " + cols + " elements, not a whole number of "
                    + type + " blocks of " + type.blockSize());
        }
        long expected = Math.multiplyExact(type.bytesFor(cols), (long) rows);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' holds " + data.byteSize() + " bytes but " + rows + " rows of "
                    + cols + " " + type + " elements need " + expected);
        }
    }

    /**
     * Whether {@link #interleave} repacks this type: Q4_0, Q4_K, Q6_K and Q8_0 into their own layouts; Q3_K and Q5_K (plus
     * its mins, {@link Q5_KMins}) into Q6_K's and Q5_0, IQ4_NL and MXFP4 into Q8_0's (exact, same bits as their one-row
     * kernels; 1.3x Q5_K's size in memory, about twice the others').
     */
    public static boolean interleaves(GgmlType type) {
        return switch (type) {
            case Q4_0, Q4_K, Q6_K, Q8_0, Q3_K, Q5_K, Q5_0, IQ4_NL, MXFP4 -> true;
            default -> false;
        };
    }

    /**
     * This matrix with its weights also repacked, in memory from {@code memory}, into the row-interleaved layout that
     * {@link MatMul} multiplies fastest ({@link InterleavedQ4_0}, {@link InterleavedQ4_K},
     * {@link InterleavedQ6_K}, {@link InterleavedQ8_0}); this matrix itself when
     * its type has no such layout or it is already repacked. {@link #data} stays for row lookups (embeddings).
     * Same results, same bits: only the speed differs.
     */
    public WeightMatrix interleave(SegmentAllocator memory) {
        if (interleaved != null || !interleaves(type)) {
            return this;
        }
        MemorySegment packed = switch (type) {
            case Q4_0 -> InterleavedQ4_0.pack(this, memory);
            case Q4_K -> InterleavedQ4_K.pack(this, memory);
            case Q6_K -> InterleavedQ6_K.pack(this, memory);
            case Q8_0 -> InterleavedQ8_0.pack(this, memory);
            case Q3_K -> InterleavedQ6_K.packLevels(this, memory, Q3_K::levels);
            case Q5_K -> Q5_KMins.pack(this, memory);
            case Q5_0 -> InterleavedQ8_0.packLevels(this, memory, Q5_0::levels);
            case IQ4_NL -> InterleavedQ8_0.packLevels(this, memory, IQ4_NL::levels);
            case MXFP4 -> InterleavedQ8_0.packLevels(this, memory, MXFP4::levels);
            default -> throw new IllegalStateException("no interleaved layout for " + type);
        };
        if (data.isMapped()) {
            // the pages just read for packing would otherwise count twice in resident memory; row lookups fault them back in
            data.unload();
        }
        return new WeightMatrix(name, type, rows, cols, data, packed);
    }

    /** Bytes per row. */
    public long rowBytes() {
        return type.bytesFor(cols);
    }

    /** Byte offset of row {@code r}. */
    public long rowOffset(int r) {
        return r * rowBytes();
    }

    /** Decodes row {@code r} into {@code out[outOff..outOff+cols)}. */
    public void dequantizeRow(int r, float[] out, int outOff) {
        if (r < 0 || r >= rows) {
            throw new IndexOutOfBoundsException("row " + r + " of tensor '" + name + "' with " + rows + " rows");
        }
        TensorCodec.dequantize(type, data, rowOffset(r), out, outOff, cols);
    }
}

package dev.hypha.ml.tensor;

/**
 * The tensor element types of the GGML/GGUF format that Hypha reads and writes.
 *
 * <p>Each type stores elements in blocks: {@link #blockSize()} elements occupy {@link #typeSize()} bytes.
 * The numeric {@link #id()} is the value stored in a GGUF tensor-info record (ggml.h {@code enum ggml_type}).
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 2 + 16),
    Q4_1(3, 32, 2 + 2 + 16),
    Q5_0(6, 32, 2 + 4 + 16),
    Q5_1(7, 32, 2 + 2 + 4 + 16),
    Q8_0(8, 32, 2 + 32),
    Q8_1(9, 32, 2 + 2 + 32),
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2),
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2),
    Q4_K(12, 256, 2 + 2 + 12 + 256 / 2),
    Q5_K(13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2),
    Q6_K(14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2),
    Q8_K(15, 256, 4 + 256 + 256 / 16 * 2),
    IQ4_NL(20, 32, 2 + 16),
    IQ4_XS(23, 256, 2 + 2 + 256 / 64 + 256 / 2),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2),
    MXFP4(39, 32, 1 + 16);

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The ggml type id as stored in GGUF files. */
    public int id() {
        return id;
    }

    /** Number of elements in one block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes taken by one block. */
    public int typeSize() {
        return typeSize;
    }

    /**
     * Bytes needed for {@code elements} elements of this type.
     *
     * @throws IllegalArgumentException if {@code elements} is negative or not a whole number of blocks
     * @throws ArithmeticException if the size overflows a long
     */
    public long bytesFor(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    name() + " stores elements in blocks of " + blockSize + "; " + elements + " is not a whole number of blocks");
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /** The type with the given GGUF id. */
    public static GgmlType fromId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ggml tensor type id " + id);
    }
}

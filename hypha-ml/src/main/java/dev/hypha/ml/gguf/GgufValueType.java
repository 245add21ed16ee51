package dev.hypha.ml.gguf;

/**
 * The metadata value types of GGUF ({@code enum gguf_type} in ggml's gguf.h), with their on-disk ids.
 *
 * <p>Fixed-size types report their {@link #size()} in bytes; {@link #STRING} and {@link #ARRAY} are variable-sized
 * and report {@code -1}. {@link #minSize()} is the least number of bytes one value of the type can occupy, which the
 * reader uses to reject element counts that cannot fit in the remaining file before allocating anything.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /** Bytes per value for fixed-size types, {@code -1} for {@link #STRING} and {@link #ARRAY}. */
    public int size() {
        return size;
    }

    /** The smallest encoding of one value: a string is at least its 8-byte length, an array its 4+8-byte header. */
    public int minSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    /** True for the integer types (signed or unsigned, any width). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with the given id, or {@code null} when the id is not a GGUF value type. */
    public static GgufValueType fromIdOrNull(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** Lower-case name as used in the GGUF spec ("uint32", "float32", ...), for messages. */
    public String specName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package dev.hypha.ml.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Zero-copy array element lists over the memory-mapped metadata of a GGUF file.
 *
 * <p>Why views rather than copies: an array header may claim up to (file size / element size) elements, and boxing
 * each into a record would need many times the file size in heap. A view costs O(1) heap for fixed-size elements
 * and one offset per {@link #STRING_CHECKPOINT} strings, so hostile files cannot exhaust memory.
 */
final class GgufArrayViews {
    /** One byte offset is remembered every this many strings; access scans at most this many lengths. */
    static final int STRING_CHECKPOINT = 16;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgufArrayViews() {}

    /** Base of the views: fixed element type and count. */
    abstract static sealed class View extends GgufValue.TypedList permits FixedView, StringView {
        final GgufValueType type;
        final int size;

        View(GgufValueType type, int size) {
            this.type = type;
            this.size = size;
        }

        @Override GgufValueType elementType() { return type; }

        @Override public int size() { return size; }
    }

    /** Elements of a fixed-size type laid out back to back in {@code data}. */
    static final class FixedView extends View {
        private final MemorySegment data;

        FixedView(GgufValueType type, int size, MemorySegment data) {
            super(type, size);
            this.data = data;
        }

        @Override public GgufValue get(int index) {
            Objects.checkIndex(index, size);
            return readFixed(data, (long) index * type.size(), type);
        }
    }

    /** Reads one fixed-size value at {@code offset}; the caller has checked the bounds. */
    static GgufValue readFixed(MemorySegment seg, long offset, GgufValueType type) {
        return switch (type) {
            case UINT8 -> new GgufValue.UInt8(Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, offset)));
            case INT8 -> new GgufValue.Int8(seg.get(ValueLayout.JAVA_BYTE, offset));
            case UINT16 -> new GgufValue.UInt16(Short.toUnsignedInt(seg.get(U16, offset)));
            case INT16 -> new GgufValue.Int16(seg.get(U16, offset));
            case UINT32 -> new GgufValue.UInt32(Integer.toUnsignedLong(seg.get(U32, offset)));
            case INT32 -> new GgufValue.Int32(seg.get(U32, offset));
            case FLOAT32 -> new GgufValue.Float32(seg.get(F32, offset));
            case BOOL -> new GgufValue.Bool(seg.get(ValueLayout.JAVA_BYTE, offset) != 0);
            case UINT64 -> new GgufValue.UInt64(seg.get(U64, offset));
            case INT64 -> new GgufValue.Int64(seg.get(U64, offset));
            case FLOAT64 -> new GgufValue.Float64(seg.get(F64, offset));
            case STRING, ARRAY -> throw new IllegalArgumentException(type + " is not fixed-size");
        };
    }

    /**
     * Length-prefixed strings back to back in {@code data}. The reader validated every length when it scanned the
     * array, so access cannot run past the slice.
     */
    static final class StringView extends View {
        private final MemorySegment data;
        private final long[] checkpoints; // byte offset of string i * STRING_CHECKPOINT

        StringView(int size, MemorySegment data, long[] checkpoints) {
            super(GgufValueType.STRING, size);
            this.data = data;
            this.checkpoints = checkpoints;
        }

        @Override public GgufValue get(int index) {
            return new GgufValue.Str(string(index));
        }

        String string(int index) {
            Objects.checkIndex(index, size);
            long pos = checkpoints[index / STRING_CHECKPOINT];
            for (int i = index % STRING_CHECKPOINT; i > 0; i--) {
                pos += 8 + data.get(U64, pos);
            }
            long len = data.get(U64, pos);
            return decode(data, pos + 8, len);
        }
    }

    /**
     * Decodes UTF-8; malformed sequences become U+FFFD (the format requires UTF-8, but some published vocabularies
     * carry stray bytes, and a tokenizer is better served by a replacement than by refusing the whole file).
     */
    static String decode(MemorySegment seg, long offset, long len) {
        byte[] bytes = seg.asSlice(offset, len).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

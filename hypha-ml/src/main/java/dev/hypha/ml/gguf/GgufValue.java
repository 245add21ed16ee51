package dev.hypha.ml.gguf;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * One GGUF metadata value: a record per GGUF value type, so a value keeps its exact on-disk type and writing what
 * was read reproduces the same bytes.
 *
 * <p>Unsigned types hold their value widened ({@link UInt8}, {@link UInt16}, {@link UInt32}) or as the raw 64 bits
 * ({@link UInt64}: values above {@code Long.MAX_VALUE} appear negative; use {@link Long#toUnsignedString}).
 *
 * <p>Arrays read from a file are views over the file's memory mapping (nothing is copied, so a hostile element count
 * cannot exhaust the heap); they can be read only while the {@link GgufFile} is open. Copy what must outlive it.
 */
public sealed interface GgufValue {

    /** The GGUF type of this value. */
    GgufValueType type();

    record UInt8(int value) implements GgufValue {
        public UInt8 {
            if (value < 0 || value > 0xFF) {
                throw new IllegalArgumentException("uint8 value out of range 0..255: " + value);
            }
        }
        public GgufValueType type() { return GgufValueType.UINT8; }
    }

    record Int8(byte value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT8; }
    }

    record UInt16(int value) implements GgufValue {
        public UInt16 {
            if (value < 0 || value > 0xFFFF) {
                throw new IllegalArgumentException("uint16 value out of range 0..65535: " + value);
            }
        }
        public GgufValueType type() { return GgufValueType.UINT16; }
    }

    record Int16(short value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT16; }
    }

    record UInt32(long value) implements GgufValue {
        public UInt32 {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("uint32 value out of range 0..4294967295: " + value);
            }
        }
        public GgufValueType type() { return GgufValueType.UINT32; }
    }

    record Int32(int value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT32; }
    }

    /** A uint64 held as its raw bits: values of 2^63 and above are negative here. */
    record UInt64(long value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.UINT64; }
    }

    record Int64(long value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT64; }
    }

    record Float32(float value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.FLOAT32; }
    }

    record Float64(double value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.FLOAT64; }
    }

    record Bool(boolean value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.BOOL; }
    }

    record Str(String value) implements GgufValue {
        public Str {
            Objects.requireNonNull(value, "string value");
        }
        public GgufValueType type() { return GgufValueType.STRING; }
    }

    /**
     * An array whose elements all have {@code elementType}. Nested arrays have element type {@link GgufValueType#ARRAY}
     * and each inner array carries its own element type.
     */
    record Array(GgufValueType elementType, List<GgufValue> elements) implements GgufValue {
        public Array {
            Objects.requireNonNull(elementType, "elementType");
            Objects.requireNonNull(elements, "elements");
            if (!(elements instanceof TypedList typed && typed.elementType() == elementType)) {
                // Foreign lists are checked and copied so the record is immutable and homogeneous.
                List<GgufValue> copy = new ArrayList<>(elements.size());
                for (int i = 0; i < elements.size(); i++) {
                    GgufValue e = Objects.requireNonNull(elements.get(i), "array element " + i);
                    if (e.type() != elementType) {
                        throw new IllegalArgumentException("array of " + elementType.specName() + " has element " + i
                                + " of type " + e.type().specName());
                    }
                    copy.add(e);
                }
                elements = List.copyOf(copy);
            }
        }

        public GgufValueType type() { return GgufValueType.ARRAY; }

        public int size() { return elements.size(); }

        /** A string array backed by a copy of {@code values}. */
        public static Array ofStrings(List<String> values) {
            String[] copy = values.toArray(String[]::new);
            for (int i = 0; i < copy.length; i++) {
                Objects.requireNonNull(copy[i], "string array element " + i);
            }
            return new Array(GgufValueType.STRING, new HeapList(GgufValueType.STRING, copy.length, i -> new Str(copy[i])));
        }

        /** A float32 array backed by a copy of {@code values}. */
        public static Array ofFloats(float[] values) {
            float[] copy = values.clone();
            return new Array(GgufValueType.FLOAT32, new HeapList(GgufValueType.FLOAT32, copy.length, i -> new Float32(copy[i])));
        }

        /** An int32 array backed by a copy of {@code values}. */
        public static Array ofInts(int[] values) {
            int[] copy = values.clone();
            return new Array(GgufValueType.INT32, new HeapList(GgufValueType.INT32, copy.length, i -> new Int32(copy[i])));
        }

        @Override
        public String toString() {
            int n = elements.size();
            StringBuilder sb = new StringBuilder("Array[").append(elementType.specName()).append(" x ").append(n).append(": ");
            for (int i = 0; i < Math.min(n, 8); i++) {
                sb.append(i == 0 ? "" : ", ").append(elements.get(i));
            }
            return sb.append(n > 8 ? ", ...]" : "]").toString();
        }
    }

    /** Lists that already know (and guarantee) their element type, so {@link Array} need not check and copy them. */
    abstract sealed class TypedList extends AbstractList<GgufValue> implements RandomAccess permits HeapList, GgufArrayViews.View {
        abstract GgufValueType elementType();
    }

    /** An immutable list computing elements from a primitive backing array on access. */
    final class HeapList extends TypedList {
        private final GgufValueType type;
        private final int size;
        private final java.util.function.IntFunction<GgufValue> element;

        HeapList(GgufValueType type, int size, java.util.function.IntFunction<GgufValue> element) {
            this.type = type;
            this.size = size;
            this.element = element;
        }

        @Override GgufValueType elementType() { return type; }

        @Override public GgufValue get(int index) {
            Objects.checkIndex(index, size);
            return element.apply(index);
        }

        @Override public int size() { return size; }
    }
}

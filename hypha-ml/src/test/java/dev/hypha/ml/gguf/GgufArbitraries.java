package dev.hypha.ml.gguf;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** jqwik generators for GGUF values of every type, arrays nested up to a depth. */
final class GgufArbitraries {
    private GgufArbitraries() {}

    static Arbitrary<GgufValue> values(int depth) {
        Arbitrary<GgufValue> scalar = scalars();
        if (depth == 0) {
            return scalar;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, scalar),
                net.jqwik.api.Tuple.of(2, arrays(depth)));
    }

    static Arbitrary<GgufValue> scalars() {
        return Arbitraries.of(GgufValueType.values()).filter(t -> t != GgufValueType.ARRAY).flatMap(GgufArbitraries::scalar);
    }

    static Arbitrary<GgufValue> scalar(GgufValueType type) {
        return switch (type) {
            case UINT8 -> Arbitraries.integers().between(0, 255).map(GgufValue.UInt8::new);
            case INT8 -> Arbitraries.bytes().map(GgufValue.Int8::new);
            case UINT16 -> Arbitraries.integers().between(0, 65535).map(GgufValue.UInt16::new);
            case INT16 -> Arbitraries.shorts().map(GgufValue.Int16::new);
            case UINT32 -> Arbitraries.longs().between(0, 0xFFFF_FFFFL).map(GgufValue.UInt32::new);
            case INT32 -> Arbitraries.integers().map(GgufValue.Int32::new);
            case FLOAT32 -> Arbitraries.oneOf(Arbitraries.floats(), Arbitraries.of(Float.NaN, Float.NEGATIVE_INFINITY, -0f))
                    .map(GgufValue.Float32::new);
            case BOOL -> Arbitraries.of(true, false).map(GgufValue.Bool::new);
            case STRING -> Arbitraries.strings().ofMaxLength(20).filter(GgufArbitraries::validUtf16).map(GgufValue.Str::new);
            case UINT64 -> Arbitraries.longs().map(GgufValue.UInt64::new);
            case INT64 -> Arbitraries.longs().map(GgufValue.Int64::new);
            case FLOAT64 -> Arbitraries.doubles().map(GgufValue.Float64::new);
            case ARRAY -> throw new IllegalArgumentException("not a scalar");
        };
    }

    static Arbitrary<GgufValue> arrays(int depth) {
        return Arbitraries.of(GgufValueType.values()).flatMap(type -> {
            Arbitrary<GgufValue> element = type == GgufValueType.ARRAY
                    ? (depth > 1 ? arrays(depth - 1) : Arbitraries.just(GgufValue.Array.ofInts(new int[] {1})))
                    : scalar(type);
            return element.list().ofMaxSize(6).map(list -> new GgufValue.Array(type, list));
        });
    }

    /** Strings without lone surrogates (those cannot survive UTF-8). */
    static boolean validUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}

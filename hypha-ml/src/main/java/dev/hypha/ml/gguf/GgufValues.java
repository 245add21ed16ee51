package dev.hypha.ml.gguf;

/** Small conversions between {@link GgufValue}s and Java numbers. */
final class GgufValues {
    private GgufValues() {}

    /** The integer value widened to long (uint64 as raw bits), or null for non-integers. */
    static Long asLong(GgufValue v) {
        return switch (v) {
            case GgufValue.UInt8(int x) -> (long) x;
            case GgufValue.Int8(byte x) -> (long) x;
            case GgufValue.UInt16(int x) -> (long) x;
            case GgufValue.Int16(short x) -> (long) x;
            case GgufValue.UInt32(long x) -> x;
            case GgufValue.Int32(int x) -> (long) x;
            case GgufValue.UInt64(long x) -> x;
            case GgufValue.Int64(long x) -> x;
            default -> null;
        };
    }
}

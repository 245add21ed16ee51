package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian, unaligned layouts for reading GGUF tensor data from memory segments. */
final class QuantLayouts {
    private QuantLayouts() {}

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static float half(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(SHORT_LE, off));
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static void putHalf(byte[] out, int off, float v) {
        short h = Numbers.floatToHalf(v);
        out[off] = (byte) h;
        out[off + 1] = (byte) (h >> 8);
    }

    /**
     * {@code pairs[k] = qs[2k] | qs[2k+1] << 16} as two 16-bit lanes for {@code k < n/2}: an int broadcast then
     * reinterpreted as shorts repeats the pair in every lane pair, which is what the row-interleaved kernels multiply.
     */
    static void pairUp(byte[] qs, int n, int[] pairs) {
        for (int k = 0; k < n / 2; k++) {
            pairs[k] = (qs[2 * k] & 0xFFFF) | (qs[2 * k + 1] << 16);
        }
    }

    /** The fp16 value at {@code off} of a heap copy of a block, widened to float. */
    static float halfAt(byte[] b, int off) {
        return Float.float16ToFloat((short) ((b[off] & 0xFF) | (b[off + 1] << 8)));
    }

    /** The little-endian int at {@code off} of a heap copy of a block. */
    static int intAt(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    static void putInt(byte[] out, int off, int v) {
        out[off] = (byte) v;
        out[off + 1] = (byte) (v >> 8);
        out[off + 2] = (byte) (v >> 16);
        out[off + 3] = (byte) (v >> 24);
    }
}

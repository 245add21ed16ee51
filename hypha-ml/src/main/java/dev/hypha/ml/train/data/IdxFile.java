package dev.hypha.ml.train.data;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.util.Arrays;

/**
 * An IDX file of unsigned bytes (the MNIST / Fashion-MNIST format): two zero bytes, the type byte 0x08, the number of
 * dimensions, each dimension as a big-endian 32-bit count, then the values.
 *
 * <p>Files come from outside, so nothing is trusted: the dimensions are bounded and their product must equal exactly
 * the bytes that follow the header, and every error names the file and the field.
 */
public record IdxFile(int[] dimensions, byte[] bytes, int dataOffset) {
    /** More dimensions than any image or label file has. */
    public static final int MAX_DIMENSIONS = 4;
    private static final int UNSIGNED_BYTE = 0x08;

    public static IdxFile parse(String source, byte[] bytes) {
        if (bytes.length < 4) {
            throw error(source, "header", "the file has " + bytes.length + " bytes, an IDX header needs at least 4");
        }
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw error(source, "magic", "an IDX file starts with two zero bytes, found 0x"
                    + String.format("%02x%02x", bytes[0] & 0xff, bytes[1] & 0xff) + " (is it still gzip-compressed?)");
        }
        if (bytes[2] != UNSIGNED_BYTE) {
            throw error(source, "type", "only unsigned-byte data (type 0x08) is supported, found 0x" + String.format("%02x", bytes[2] & 0xff));
        }
        int rank = bytes[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMENSIONS) {
            throw error(source, "dimension count", "must be between 1 and " + MAX_DIMENSIONS + ", found " + rank);
        }
        int header = 4 + 4 * rank;
        if (bytes.length < header) {
            throw error(source, "dimensions", "the header of " + rank + " dimensions needs " + header + " bytes, the file has " + bytes.length);
        }
        int[] dims = new int[rank];
        long product = 1;
        long available = bytes.length - header;
        for (int i = 0; i < rank; i++) {
            int o = 4 + 4 * i;
            long d = ((bytes[o] & 0xffL) << 24) | ((bytes[o + 1] & 0xff) << 16) | ((bytes[o + 2] & 0xff) << 8) | (bytes[o + 3] & 0xff);
            if (d == 0 || d > available) {
                throw error(source, "dimension " + i, "is " + d + ", which does not fit the " + available + " data bytes");
            }
            product *= d;
            if (product > available) {
                throw error(source, "dimensions", Arrays.toString(Arrays.copyOf(dims, i)) + " x " + d
                        + " needs more than the " + available + " data bytes in the file");
            }
            dims[i] = (int) d;
        }
        if (product != available) {
            throw error(source, "data", "the dimensions " + Arrays.toString(dims) + " need " + product + " bytes, the file holds "
                    + available + " after its header");
        }
        return new IdxFile(dims, bytes, header);
    }

    /** The value at flat index {@code i} (0..255). */
    public int value(long i) {
        return bytes[Math.toIntExact(dataOffset + i)] & 0xff;
    }

    /** The values, copied out of the file. */
    public byte[] values() {
        return Arrays.copyOfRange(bytes, dataOffset, bytes.length);
    }

    private static HyphaException error(String source, String field, String what) {
        return new HyphaException(ErrorCategory.INPUT, "IDX file " + source + ": " + field + ": " + what);
    }
}

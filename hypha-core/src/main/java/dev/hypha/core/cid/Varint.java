package dev.hypha.core.cid;

import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;

/**
 * Unsigned LEB128 varints as multiformats and protobuf use them. Written by hand: it is a dozen lines, and decoding
 * must be strict (minimal encoding only, bounded length) so that one value has exactly one byte string.
 */
public final class Varint {
    /** Multiformats caps varints at 9 bytes (63 bits); protobuf allows 10 for a full uint64, which Hypha never needs. */
    public static final int MAX_BYTES = 9;

    private Varint() {}

    /** Appends the varint form of a non-negative value. */
    public static void write(long value, ByteArrayOutputStream out) {
        if (value < 0) {
            throw new IllegalArgumentException("varints here are unsigned and below 2^63, got " + value);
        }
        while (value >= 0x80) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** The varint form of a non-negative value. */
    public static byte[] encode(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_BYTES);
        write(value, out);
        return out.toByteArray();
    }

    /** Number of bytes {@link #encode} produces for the value. */
    public static int size(long value) {
        int size = 1;
        while ((value >>>= 7) != 0) size++;
        return size;
    }

    /**
     * Reads one varint at the reader's position.
     *
     * @param what names the field in the error message
     */
    public static long read(ByteReader in, String what) {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (!in.hasMore()) {
                throw HyphaException.input("truncated varint in " + what);
            }
            int b = in.next();
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw HyphaException.input("non-minimal varint in " + what + " (a value must have one encoding)");
                }
                return value;
            }
        }
        throw HyphaException.input("varint in " + what + " is longer than " + MAX_BYTES + " bytes");
    }

    /** A cursor over a byte array, for the decoders in this package. */
    public static final class ByteReader {
        private final byte[] bytes;
        private int position;
        private final int end;

        public ByteReader(byte[] bytes) {
            this(bytes, 0, bytes.length);
        }

        public ByteReader(byte[] bytes, int offset, int end) {
            this.bytes = bytes;
            this.position = offset;
            this.end = end;
        }

        public boolean hasMore() {
            return position < end;
        }

        public int remaining() {
            return end - position;
        }

        public int position() {
            return position;
        }

        public int next() {
            if (position >= end) throw HyphaException.input("unexpected end of data");
            return bytes[position++] & 0xff;
        }

        /** The next {@code length} bytes; {@code what} names them in the error when fewer are left. */
        public byte[] take(long length, String what) {
            if (length < 0 || length > remaining()) {
                throw HyphaException.input(what + " claims " + length + " bytes but only " + remaining() + " remain");
            }
            byte[] out = new byte[(int) length];
            System.arraycopy(bytes, position, out, 0, (int) length);
            position += (int) length;
            return out;
        }
    }
}

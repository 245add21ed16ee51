package dev.hypha.core.cid;

import dev.hypha.core.errors.HyphaException;

/**
 * RFC 4648 base32, lower case, no padding: the multibase 'b' form of CIDs. Written by hand because the decoders in
 * reach (BouncyCastle, commons-codec) accept padding, upper case and stray trailing bits, and a content id must have
 * exactly one text form.
 */
public final class Base32 {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET[i]] = i;
    }

    private Base32() {}

    public static String encode(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        return out.toString();
    }

    /** Decodes strictly: lower-case alphabet only, no padding, unused trailing bits zero. */
    public static byte[] decode(String text) {
        int length = text.length();
        int remainderChars = length % 8;
        if (remainderChars == 1 || remainderChars == 3 || remainderChars == 6) {
            throw HyphaException.input("base32 text has an impossible length " + length);
        }
        byte[] out = new byte[length * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int index = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            int value = c < 128 ? VALUES[c] : -1;
            if (value < 0) {
                throw HyphaException.input("character '" + c + "' at position " + i
                        + " is not lower-case base32 (expected a-z or 2-7)");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out[index++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw HyphaException.input("base32 text has non-zero trailing bits (not the canonical encoding)");
        }
        return out;
    }
}

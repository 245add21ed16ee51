package dev.hypha.core.seal;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 256-bit key one sealed file is encrypted under. A new one is drawn for every file sealed, so a (key, chunk
 * index) nonce is never used twice; the key itself only ever travels wrapped to a recipient ({@link KeyWrap}).
 */
public final class DataKey {
    public static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private DataKey(byte[] key) {
        this.key = key;
    }

    /** A fresh random key. */
    public static DataKey random() {
        byte[] k = new byte[BYTES];
        RANDOM.nextBytes(k);
        return new DataKey(k);
    }

    /** The key with these 32 bytes (as unwrapped, or stored by its owner). */
    public static DataKey of(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("a data key is " + BYTES + " bytes, not " + key.length);
        }
        return new DataKey(key.clone());
    }

    /** A copy of the key's bytes. */
    public byte[] bytes() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataKey d && java.security.MessageDigest.isEqual(key, d.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "DataKey[hidden]";
    }
}

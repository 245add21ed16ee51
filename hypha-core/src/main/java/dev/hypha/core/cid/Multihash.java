package dev.hypha.core.cid;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A self-describing hash: function code and digest. Hypha uses sha2-256 only (as the unixfs-v1-2025 profile does), so
 * other functions are refused with a clear error instead of being carried along unverifiable.
 *
 * @param code   the multicodec hash function code (0x12 = sha2-256)
 * @param digest the digest bytes (32 for sha2-256)
 */
public record Multihash(long code, byte[] digest) {
    /** Multicodec code of sha2-256. */
    public static final long SHA2_256 = 0x12;

    public Multihash {
        if (code != SHA2_256) {
            throw unsupported(code);
        }
        if (digest == null || digest.length != 32) {
            throw HyphaException.input("a sha2-256 multihash has a 32-byte digest, got "
                    + (digest == null ? "none" : digest.length + " bytes"));
        }
        digest = digest.clone();
    }

    /** The sha2-256 multihash of some bytes. */
    public static Multihash sha256Of(byte[] data) {
        return new Multihash(SHA2_256, Hashes.sha256(data));
    }

    /** Reads {@code varint(code) varint(length) digest} at the reader's position. */
    static Multihash read(Varint.ByteReader in) {
        long code = Varint.read(in, "multihash function code");
        long length = Varint.read(in, "multihash digest length");
        if (code == SHA2_256 && length != 32) {
            throw HyphaException.input("sha2-256 multihash declares a " + length + "-byte digest (expected 32)");
        }
        if (code != SHA2_256) {
            throw unsupported(code);
        }
        return new Multihash(code, in.take(length, "multihash digest"));
    }

    private static HyphaException unsupported(long code) {
        return HyphaException.input("unsupported multihash function 0x" + Long.toHexString(code)
                + " (Hypha supports sha2-256, 0x12)");
    }

    /** Whether this is the hash of {@code data}. */
    public boolean matches(byte[] data) {
        return java.security.MessageDigest.isEqual(digest, Hashes.sha256(data));
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** {@code varint(code) varint(length) digest}. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(34);
        Varint.write(code, out);
        Varint.write(digest.length, out);
        out.writeBytes(digest);
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multihash other && code == other.code && Arrays.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(code) * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "sha2-256:" + Hex.encodeNoPrefix(digest);
    }
}

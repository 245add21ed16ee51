package dev.hypha.core.cid;

import dev.hypha.core.crypto.Hex;

/**
 * A file's identities from one pass over its bytes: the IPFS content id (what Hypha addresses it by) and the flat
 * SHA-256 of the whole file (what tools outside IPFS, such as model cards or sha256sum, quote).
 *
 * @param cid    the unixfs-v1-2025 content id
 * @param sha256 SHA-256 of the whole content
 * @param size   bytes of content
 */
public record ContentIdentity(ContentId cid, byte[] sha256, long size) {
    public ContentIdentity {
        java.util.Objects.requireNonNull(cid, "cid");
        if (sha256 == null || sha256.length != 32) throw new IllegalArgumentException("sha256 must be 32 bytes");
        if (size < 0) throw new IllegalArgumentException("size must not be negative");
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    /** The flat SHA-256 as 64 lower-case hex digits, as sha256sum prints it. */
    public String sha256Hex() {
        return Hex.encodeNoPrefix(sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentIdentity other && cid.equals(other.cid) && size == other.size
                && java.util.Arrays.equals(sha256, other.sha256);
    }

    @Override
    public int hashCode() {
        return cid.hashCode() * 31 + Long.hashCode(size);
    }

    @Override
    public String toString() {
        return cid + " sha256:" + sha256Hex() + " " + size + " bytes";
    }
}

package dev.hypha.core.cid;

import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;

/**
 * A CIDv1: content codec plus multihash, printed in multibase base32 ('b' prefix) as IPFS prints CIDv1, e.g.
 * {@code bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e} for the bytes "hello world". Only the codecs
 * and hash of the unixfs-v1-2025 profile are accepted (raw or dag-pb, sha2-256), so every id Hypha holds can be
 * verified against its bytes.
 *
 * @param codec     {@link #RAW} (a file chunk, or a whole small file) or {@link #DAG_PB} (a UnixFS node)
 * @param multihash sha2-256 of the block's bytes
 */
public record ContentId(long codec, Multihash multihash) implements Comparable<ContentId> {
    /** Multicodec code of raw bytes. */
    public static final long RAW = 0x55;
    /** Multicodec code of dag-pb (protobuf UnixFS nodes). */
    public static final long DAG_PB = 0x70;
    /** The multibase prefix of lower-case base32. */
    public static final char BASE32_PREFIX = 'b';

    public ContentId {
        if (codec != RAW && codec != DAG_PB) {
            throw HyphaException.input("unsupported CID codec 0x" + Long.toHexString(codec)
                    + " (Hypha content ids are raw 0x55 or dag-pb 0x70)");
        }
        java.util.Objects.requireNonNull(multihash, "multihash");
    }

    /** The id of a block with the given codec: its sha2-256. */
    public static ContentId of(long codec, byte[] block) {
        return new ContentId(codec, Multihash.sha256Of(block));
    }

    /** The id of a raw block (and of any file up to one chunk long). */
    public static ContentId raw(byte[] block) {
        return of(RAW, block);
    }

    /**
     * Parses the text form.
     *
     * @throws HyphaException (INPUT) naming what is wrong: empty text, another multibase, CIDv0, a truncated or
     *     malformed varint, an unsupported codec or hash, trailing bytes
     */
    public static ContentId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw HyphaException.input("missing content id (expected a CIDv1 in base32, like bafk...)");
        }
        if (text.startsWith("Qm") && text.length() == 46) {
            throw HyphaException.input("CIDv0 '" + text + "' is not supported (Hypha uses CIDv1 in base32, like bafy...; "
                    + "convert with `ipfs cid base32`)");
        }
        char prefix = text.charAt(0);
        if (prefix != BASE32_PREFIX) {
            throw HyphaException.input("content id '" + shorten(text) + "' uses multibase '" + prefix
                    + "' (expected base32, prefix 'b', like bafk...)");
        }
        byte[] bytes;
        try {
            bytes = Base32.decode(text.substring(1));
        } catch (HyphaException e) {
            throw HyphaException.input("content id '" + shorten(text) + "' is not valid base32: " + e.getMessage(), e);
        }
        try {
            return fromBytes(bytes);
        } catch (HyphaException e) {
            throw HyphaException.input("content id '" + shorten(text) + "' is malformed: " + e.getMessage(), e);
        }
    }

    /** Reads the binary form {@code varint(1) varint(codec) multihash}, which must be the whole array. */
    public static ContentId fromBytes(byte[] bytes) {
        Varint.ByteReader in = new Varint.ByteReader(bytes);
        ContentId cid = read(in);
        if (in.hasMore()) {
            throw HyphaException.input(in.remaining() + " unexpected bytes after the CID");
        }
        return cid;
    }

    /** Reads one binary CID at the reader's position (as embedded in a dag-pb link). */
    static ContentId read(Varint.ByteReader in) {
        if (!in.hasMore()) {
            throw HyphaException.input("empty CID");
        }
        long version = Varint.read(in, "CID version");
        if (version != 1) {
            throw HyphaException.input("CID version " + version + " is not supported (expected 1)");
        }
        long codec = Varint.read(in, "CID codec");
        if (codec != RAW && codec != DAG_PB) {
            throw HyphaException.input("unsupported CID codec 0x" + Long.toHexString(codec)
                    + " (Hypha content ids are raw 0x55 or dag-pb 0x70)");
        }
        return new ContentId(codec, Multihash.read(in));
    }

    /** Always 1. */
    public int version() {
        return 1;
    }

    /** The binary form {@code varint(1) varint(codec) multihash}. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(36);
        Varint.write(1, out);
        Varint.write(codec, out);
        out.writeBytes(multihash.bytes());
        return out.toByteArray();
    }

    /** Whether {@code block} is the block this id names (its sha2-256 matches). */
    public boolean matches(byte[] block) {
        return multihash.matches(block);
    }

    /** The text form: 'b' + base32 of {@link #bytes()}. */
    @Override
    public String toString() {
        return BASE32_PREFIX + Base32.encode(bytes());
    }

    @Override
    public int compareTo(ContentId other) {
        return toString().compareTo(other.toString());
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}

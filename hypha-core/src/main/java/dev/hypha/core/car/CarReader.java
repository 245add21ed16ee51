package dev.hypha.core.car;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a CARv1 stream from an untrusted source, one verified block at a time. Every length is checked against a bound
 * before anything is allocated (a header of at most {@link CarHeader#MAX_BYTES}, a block of at most {@link #MAX_BLOCK}
 * bytes, IPFS's own block limit), and every block is hashed and compared with the CID in front of it, so what {@link
 * #next} returns is what its CID names, whoever sent it.
 *
 * <p>The section framing is read by hand (the header's CBOR is Jackson's): it is an unsigned LEB128 length and a binary
 * CID, a few lines, and no maintained CAR reader is published on Maven Central (the Java IPFS libraries we know of,
 * java-cid and nabu, ship through JitPack or their own repositories and bring their own CID types).
 */
public final class CarReader {
    /** Largest block accepted: IPFS's 2 MiB limit (Hypha's leaves are 1 MiB). */
    public static final int MAX_BLOCK = 2 << 20;
    /** Largest binary CID accepted (a sha2-256 CIDv1 takes 36 bytes). */
    private static final int MAX_CID = 128;

    /** One section: a block and the id it was checked against. */
    public record Block(ContentId cid, byte[] bytes) {}

    private final InputStream in;
    private final List<byte[]> roots;
    private long bytesRead;

    private CarReader(InputStream in) throws IOException {
        this.in = Objects.requireNonNull(in, "in");
        long length = readVarint(true);
        if (length < 1 || length > CarHeader.MAX_BYTES) {
            throw HyphaException.input("CAR header of " + length + " bytes (expected 1 to " + CarHeader.MAX_BYTES + ")");
        }
        this.roots = CarHeader.decode(readFully((int) length, "the CAR header"));
    }

    /** Reads and checks the header of the CAR on {@code in}. */
    public static CarReader open(InputStream in) throws IOException {
        return new CarReader(in);
    }

    /** The roots the header names, as binary CIDs (a trustless client should not rely on them). */
    public List<byte[]> roots() {
        return roots.stream().map(byte[]::clone).toList();
    }

    /** Bytes consumed from the stream so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /**
     * The next block, verified against its CID; empty at the end of the stream.
     *
     * @throws HyphaException (INPUT) for a truncated section, a length out of bounds, a CID Hypha does not hold
     *     (CIDv0, another codec or hash), or a block whose sha2-256 differs from its CID
     */
    public Optional<Block> next() throws IOException {
        long length = readVarint(false);
        if (length < 0) return Optional.empty();
        if (length < 2 || length > MAX_BLOCK + MAX_CID) {
            throw HyphaException.input("CAR section of " + length + " bytes at byte " + bytesRead
                    + " (a block may hold at most " + MAX_BLOCK + " bytes)");
        }
        long start = bytesRead;
        ContentId cid = readCid(length);
        int blockLength = (int) (length - (bytesRead - start));
        byte[] block = readFully(blockLength, "block " + cid);
        if (!cid.matches(block)) {
            throw HyphaException.input("CAR block " + cid + " failed verification: its sha2-256 does not match the CID");
        }
        return Optional.of(new Block(cid, block));
    }

    private ContentId readCid(long sectionLength) throws IOException {
        ByteArrayOutputStream id = new ByteArrayOutputStream(40);
        long version = copyVarint(id);
        if (version == 0x12) {
            throw HyphaException.input("CAR holds a CIDv0 block; Hypha reads CIDv1 content (raw or dag-pb, sha2-256)");
        }
        copyVarint(id); // codec, checked by ContentId
        copyVarint(id); // multihash code, checked by ContentId
        long digestLength = copyVarint(id);
        if (digestLength > MAX_CID || id.size() + digestLength > sectionLength) {
            throw HyphaException.input("CAR section at byte " + bytesRead + " has a CID longer than its section");
        }
        id.writeBytes(readFully((int) digestLength, "a CID"));
        try {
            return ContentId.fromBytes(id.toByteArray());
        } catch (HyphaException e) {
            throw HyphaException.input("CAR holds a block whose CID Hypha cannot verify: " + e.getMessage(), e);
        }
    }

    private long copyVarint(ByteArrayOutputStream to) throws IOException {
        long value = readVarint(true);
        dev.hypha.core.cid.Varint.write(value, to);
        return value;
    }

    /** An unsigned LEB128 of at most 9 bytes; -1 at a clean end of stream when {@code required} is false. */
    private long readVarint(boolean required) throws IOException {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            int b = in.read();
            if (b < 0) {
                if (i == 0 && !required) return -1;
                throw HyphaException.input("CAR is truncated at byte " + bytesRead + " (inside a length)");
            }
            bytesRead++;
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        throw HyphaException.input("CAR has a length longer than 9 bytes at byte " + bytesRead);
    }

    private byte[] readFully(int length, String what) throws IOException {
        byte[] bytes = in.readNBytes(length);
        bytesRead += bytes.length;
        if (bytes.length < length) {
            throw HyphaException.input("CAR is truncated at byte " + bytesRead + " (inside " + what + ")",
                    new EOFException());
        }
        return bytes;
    }
}

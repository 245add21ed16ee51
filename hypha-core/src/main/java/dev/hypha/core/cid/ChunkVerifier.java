package dev.hypha.core.cid;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Rebuilds a file from untrusted blocks, checking every block against the id that names it before using it. A block
 * whose sha2-256 does not match, a node whose sizes do not add up, a tree deeper than any real file needs or a block
 * that is missing all stop the walk with an error naming the block; bytes already written to the output belong to
 * blocks that did verify.
 */
public final class ChunkVerifier {
    /**
     * Deepest tree accepted. A unixfs-v1-2025 tree of 1 MiB chunks and width 1024 is 4 levels deep at 1 PiB; small
     * test profiles go deeper, so the bound is generous, and it keeps hostile block graphs from exhausting the stack.
     */
    public static final int MAX_DEPTH = 64;

    private final BlockSource source;

    public ChunkVerifier(BlockSource source) {
        this.source = java.util.Objects.requireNonNull(source, "source");
    }

    /**
     * Verifies the whole file named {@code root} and writes its bytes to {@code out} in order.
     *
     * @return the number of file bytes written
     * @throws HyphaException NOT_FOUND for a missing block, INPUT for a block that fails verification
     */
    public long verifyAndWrite(ContentId root, OutputStream out) throws IOException {
        return verifyAndWrite(root, out, Long.MAX_VALUE);
    }

    /**
     * Like {@link #verifyAndWrite(ContentId, OutputStream)}, refusing before any descent a file whose root claims
     * more than {@code maxBytes}. Each node's claimed size is checked against its parent's before the walk enters it,
     * so at most the root's claimed size is ever written: a hostile DAG cannot make the walk unbounded.
     */
    public long verifyAndWrite(ContentId root, OutputStream out, long maxBytes) throws IOException {
        return walk(root, out, 0, -1, maxBytes);
    }

    /** Verifies the whole file without keeping its bytes; returns its size. */
    public long verify(ContentId root) {
        try {
            return walk(root, OutputStream.nullOutputStream(), 0, -1, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new IllegalStateException("the null stream never fails", e);
        }
    }

    /**
     * Checks one block against its id.
     *
     * @throws HyphaException (INPUT) naming the id when the block's hash differs
     */
    public static void verifyBlock(ContentId cid, byte[] block) {
        if (!cid.matches(block)) {
            throw HyphaException.input("block " + cid + " failed verification: its sha2-256 does not match the id");
        }
    }

    /** @param expected the size the parent declared for this subtree, or -1 at the root */
    private long walk(ContentId cid, OutputStream out, int depth, long expected, long maxBytes) throws IOException {
        if (depth > MAX_DEPTH) {
            throw HyphaException.input("DAG under " + cid + " is deeper than " + MAX_DEPTH + " levels");
        }
        byte[] block = source.get(cid).orElseThrow(() ->
                new HyphaException(ErrorCategory.NOT_FOUND, "block " + cid + " is missing"));
        verifyBlock(cid, block);
        if (cid.codec() == ContentId.RAW) {
            if (expected >= 0 && block.length != expected) {
                throw HyphaException.input("block " + cid + " holds " + block.length + " bytes but its parent says " + expected);
            }
            if (block.length > maxBytes) {
                throw HyphaException.input("file " + cid + " is " + block.length + " bytes, more than the allowed " + maxBytes);
            }
            out.write(block);
            return block.length;
        }
        DagPb.Node node;
        UnixFsData data;
        try {
            node = DagPb.decode(block);
            data = UnixFsData.decode(node.data());
        } catch (HyphaException e) {
            throw HyphaException.input("block " + cid + " is not a UnixFS file node: " + e.getMessage(), e);
        }
        List<DagPb.Link> links = node.links();
        if (links.size() != data.blockSizes().size()) {
            throw HyphaException.input("block " + cid + " has " + links.size() + " links but "
                    + data.blockSizes().size() + " block sizes");
        }
        long declared = 0;
        for (long size : data.blockSizes()) {
            declared = size < 0 || declared > Long.MAX_VALUE - size ? -1 : declared + size;
            if (declared < 0) throw HyphaException.input("block " + cid + " declares block sizes that overflow");
        }
        if (declared != data.fileSize()) {
            throw HyphaException.input("block " + cid + " says filesize " + data.fileSize() + " but its block sizes add up to " + declared);
        }
        if (expected >= 0 && data.fileSize() != expected) {
            throw HyphaException.input("block " + cid + " says filesize " + data.fileSize() + " but its parent says " + expected);
        }
        if (data.fileSize() > maxBytes) {
            throw HyphaException.input("file " + cid + " claims " + data.fileSize() + " bytes, more than the allowed " + maxBytes);
        }
        long total = 0;
        for (int i = 0; i < links.size(); i++) {
            total = Math.addExact(total, walk(links.get(i).hash(), out, depth + 1, data.blockSizes().get(i), maxBytes));
        }
        return total;
    }
}

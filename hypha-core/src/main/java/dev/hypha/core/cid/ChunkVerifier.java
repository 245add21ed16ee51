package dev.hypha.core.cid;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a file from untrusted blocks, checking every block against the id that names it before using it. A block
 * whose sha2-256 does not match, a node whose sizes do not add up, a tree deeper than any real file needs or a block
 * that is missing all stop the walk with an error naming the block; bytes already written to the output belong to
 * blocks that did verify.
 *
 * <p>The work is bounded by the bytes produced and the distinct blocks, never by how often a hostile DAG links a
 * block (6 distinct blocks linking each other 16 times per level once made 1.1 million fetches for a file of 0 bytes):
 * <ul>
 *   <li>every link must cover at least one byte (real importers never link an empty subtree), so a node has at most
 *       as many links as bytes and a walk visits at most {@code (MAX_DEPTH + 1) × bytes written + 1} blocks;</li>
 *   <li>verified blocks are kept (decoded, up to {@link #CACHE_BYTES} of block bytes per walk), so a block linked
 *       again (a file of repeated chunks links one leaf many times) is fetched and hashed once while it stays there;</li>
 *   <li>{@link #verify} keeps no bytes, so a subtree it has verified once is not walked again: its work is the
 *       distinct blocks and their links.</li>
 * </ul>
 */
public final class ChunkVerifier {
    /**
     * Deepest tree accepted. A unixfs-v1-2025 tree of 1 MiB chunks and width 1024 is 4 levels deep at 1 PiB; small
     * test profiles go deeper, so the bound is generous, and it keeps hostile block graphs from exhausting the stack.
     */
    public static final int MAX_DEPTH = 64;
    /** Block bytes of verified blocks kept per walk (8 full 1 MiB chunks, or thousands of parent nodes). */
    public static final long CACHE_BYTES = 8L << 20;

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
        return new Walk(out, true).walk(root, 0, -1, maxBytes).size();
    }

    /** Verifies the whole file without keeping its bytes; returns its size. */
    public long verify(ContentId root) {
        try {
            return new Walk(OutputStream.nullOutputStream(), false).walk(root, 0, -1, Long.MAX_VALUE).size();
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

    /** A block that verified: a leaf's bytes, or a parent's links and sizes (already checked to add up). */
    private sealed interface Verified {
        int weight();
    }

    private record Leaf(byte[] bytes) implements Verified {
        @Override
        public int weight() {
            return bytes.length;
        }
    }

    private record Parent(List<ContentId> children, List<Long> sizes, long fileSize, int weight) implements Verified {
    }

    /** What a verified subtree holds and how many levels it spans below its root. */
    private record Subtree(long size, int height) {
    }

    /** One walk's state: the cache of verified blocks and, when no bytes are kept, the verified subtrees. */
    private final class Walk {
        private final OutputStream out;
        private final boolean emit;
        private final LinkedHashMap<ContentId, Verified> cache = new LinkedHashMap<>(16, 0.75f, true);
        private final Map<ContentId, Subtree> verifiedParents = new HashMap<>();
        private long cachedBytes;

        Walk(OutputStream out, boolean emit) {
            this.out = out;
            this.emit = emit;
        }

        /** @param expected the size the parent declared for this subtree, or -1 at the root */
        Subtree walk(ContentId cid, int depth, long expected, long maxBytes) throws IOException {
            if (depth > MAX_DEPTH) {
                throw HyphaException.input("DAG under " + cid + " is deeper than " + MAX_DEPTH + " levels");
            }
            Subtree known = verifiedParents.get(cid);
            if (known != null) {
                checkParentSize(cid, known.size(), expected, maxBytes);
                if (depth + known.height() > MAX_DEPTH) {
                    throw HyphaException.input("DAG under " + cid + " is deeper than " + MAX_DEPTH + " levels");
                }
                return known;
            }
            return switch (load(cid)) {
                case Leaf leaf -> {
                    byte[] block = leaf.bytes();
                    if (expected >= 0 && block.length != expected) {
                        throw HyphaException.input("block " + cid + " holds " + block.length + " bytes but its parent says " + expected);
                    }
                    if (block.length > maxBytes) {
                        throw HyphaException.input("file " + cid + " is " + block.length + " bytes, more than the allowed " + maxBytes);
                    }
                    if (emit) out.write(block);
                    yield new Subtree(block.length, 0);
                }
                case Parent parent -> {
                    checkParentSize(cid, parent.fileSize(), expected, maxBytes);
                    long total = 0;
                    int height = 0;
                    for (int i = 0; i < parent.children().size(); i++) {
                        Subtree child = walk(parent.children().get(i), depth + 1, parent.sizes().get(i), maxBytes);
                        total = Math.addExact(total, child.size());
                        height = Math.max(height, child.height() + 1);
                    }
                    Subtree subtree = new Subtree(total, height);
                    if (!emit) verifiedParents.put(cid, subtree);
                    yield subtree;
                }
            };
        }

        private static void checkParentSize(ContentId cid, long fileSize, long expected, long maxBytes) {
            if (expected >= 0 && fileSize != expected) {
                throw HyphaException.input("block " + cid + " says filesize " + fileSize + " but its parent says " + expected);
            }
            if (fileSize > maxBytes) {
                throw HyphaException.input("file " + cid + " claims " + fileSize + " bytes, more than the allowed " + maxBytes);
            }
        }

        /** The verified block, from the cache or fetched, hashed and decoded now. */
        private Verified load(ContentId cid) {
            Verified cached = cache.get(cid);
            if (cached != null) return cached;
            byte[] block = source.get(cid).orElseThrow(() ->
                    new HyphaException(ErrorCategory.NOT_FOUND, "block " + cid + " is missing"));
            verifyBlock(cid, block);
            Verified verified = cid.codec() == ContentId.RAW ? new Leaf(block) : decodeParent(cid, block);
            cache.put(cid, verified);
            cachedBytes += verified.weight();
            Iterator<Verified> eldest = cache.values().iterator();
            while (cachedBytes > CACHE_BYTES && eldest.hasNext()) {
                cachedBytes -= eldest.next().weight();
                eldest.remove();
            }
            return verified;
        }
    }

    /** Decodes a parent node and checks what it says about itself: one size per link, each ≥ 1, adding up. */
    private static Parent decodeParent(ContentId cid, byte[] block) {
        DagPb.Node node;
        UnixFsData data;
        try {
            node = DagPb.decode(block);
            data = UnixFsData.decode(node.data());
        } catch (HyphaException e) {
            throw HyphaException.input("block " + cid + " is not a UnixFS file node: " + e.getMessage(), e);
        }
        List<DagPb.Link> links = node.links();
        List<Long> sizes = data.blockSizes();
        if (links.size() != sizes.size()) {
            throw HyphaException.input("block " + cid + " has " + links.size() + " links but "
                    + sizes.size() + " block sizes");
        }
        long declared = 0;
        for (int i = 0; i < sizes.size(); i++) {
            long size = sizes.get(i);
            if (size == 0) {
                throw HyphaException.input("block " + cid + " links a subtree of 0 bytes (link " + i + " of "
                        + sizes.size() + "); every link of a UnixFS file node covers at least one byte");
            }
            declared = size < 0 || declared > Long.MAX_VALUE - size ? -1 : declared + size;
            if (declared < 0) throw HyphaException.input("block " + cid + " declares block sizes that overflow");
        }
        if (declared != data.fileSize()) {
            throw HyphaException.input("block " + cid + " says filesize " + data.fileSize() + " but its block sizes add up to " + declared);
        }
        List<ContentId> children = new ArrayList<>(links.size());
        for (DagPb.Link link : links) children.add(link.hash());
        return new Parent(List.copyOf(children), sizes, data.fileSize(), block.length);
    }
}

package dev.hypha.core.cid;

import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream into a UnixFS file DAG exactly as IPFS's {@code unixfs-v1-2025} profile (IPIP-0499) does:
 * CIDv1, sha2-256, fixed-size chunks of 1 MiB as raw leaves, a balanced tree of dag-pb parents with at most 1024
 * links each; a file of one chunk (0 bytes included) is just its raw leaf.
 *
 * <p>The tree shape follows the reference importer's balanced layout: leaves are grouped in runs of {@code width},
 * each run becomes a parent, and the parents are grouped again until one node is left, so a lone trailing child still
 * gets its own parent. This class builds that tree level by level while reading, holding one chunk plus at most
 * {@code width} small entries per level, so memory stays flat for files of any size.
 *
 * <p>Chunk size and width are constructor parameters so tests can check deep trees with small inputs; only
 * {@link #PROFILE} gives ids that match other IPFS tools.
 */
public final class UnixFsImporter {
    /** unixfs-v1-2025 chunk size: 1 MiB. */
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    /** unixfs-v1-2025 links per parent. */
    public static final int DEFAULT_WIDTH = 1024;
    /** The importer for the unixfs-v1-2025 profile. */
    public static final UnixFsImporter PROFILE = new UnixFsImporter(DEFAULT_CHUNK_SIZE, DEFAULT_WIDTH);

    private final int chunkSize;
    private final int width;

    /**
     * @param chunkSize bytes per leaf, at least 1
     * @param width     links per parent, at least 2
     */
    public UnixFsImporter(int chunkSize, int width) {
        if (chunkSize < 1) throw new IllegalArgumentException("chunk size must be at least 1 byte, got " + chunkSize);
        if (width < 2) throw new IllegalArgumentException("width must be at least 2 links, got " + width);
        this.chunkSize = chunkSize;
        this.width = width;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int width() {
        return width;
    }

    /** A node already built: its id, the file bytes below it, and the serialized bytes of its whole subtree (Tsize). */
    private record Built(ContentId cid, long contentSize, long treeSize) {}

    /**
     * Reads the stream to its end (without closing it) and hands every block to {@code sink}.
     *
     * @throws IOException when reading fails
     */
    public ImportResult importFrom(InputStream in, BlockSink sink) throws IOException {
        Levels levels = new Levels(sink);
        byte[] chunk = new byte[chunkSize];
        long fileSize = 0;
        Built firstLeaf = null;
        long leaves = 0;
        while (true) {
            int filled = in.readNBytes(chunk, 0, chunkSize);
            if (filled == 0 && leaves > 0) break;
            byte[] block = filled == chunkSize ? chunk.clone() : java.util.Arrays.copyOf(chunk, filled);
            ContentId cid = ContentId.raw(block);
            sink.put(cid, block);
            levels.blocks++;
            Built leaf = new Built(cid, filled, filled);
            fileSize = Math.addExact(fileSize, filled);
            leaves++;
            if (leaves == 1) {
                firstLeaf = leaf; // held back: if it stays the only chunk, it is the whole file
            } else {
                if (leaves == 2) levels.add(0, firstLeaf);
                levels.add(0, leaf);
            }
            if (filled < chunkSize) break;
        }
        if (leaves == 1) {
            return new ImportResult(firstLeaf.cid(), fileSize, levels.blocks);
        }
        return new ImportResult(levels.finish().cid(), fileSize, levels.blocks);
    }

    /** The pending nodes of each tree level; a level's full run of {@code width} becomes one node of the next level. */
    private final class Levels {
        private final BlockSink sink;
        private final List<List<Built>> pending = new ArrayList<>();
        private final List<Long> added = new ArrayList<>();
        long blocks;

        Levels(BlockSink sink) {
            this.sink = sink;
        }

        void add(int level, Built node) {
            while (pending.size() <= level) {
                pending.add(new ArrayList<>(width));
                added.add(0L);
            }
            pending.get(level).add(node);
            added.set(level, added.get(level) + 1);
            if (pending.get(level).size() == width) {
                Built parent = parentOf(pending.get(level));
                pending.get(level).clear();
                add(level + 1, parent);
            }
        }

        /** Closes the partial runs bottom-up, as the reference layout does once the input ends. */
        Built finish() {
            for (int level = 0; ; level++) {
                List<Built> run = pending.get(level);
                if (level > 0 && added.get(level) == 1) {
                    return run.getFirst(); // the level with a single node holds the root
                }
                if (!run.isEmpty()) {
                    Built parent = parentOf(run);
                    run.clear();
                    add(level + 1, parent);
                }
            }
        }

        private Built parentOf(List<Built> children) {
            List<DagPb.Link> links = new ArrayList<>(children.size());
            List<Long> sizes = new ArrayList<>(children.size());
            long contentSize = 0;
            long childTrees = 0;
            for (Built child : children) {
                links.add(new DagPb.Link(child.cid(), "", child.treeSize()));
                sizes.add(child.contentSize());
                contentSize = Math.addExact(contentSize, child.contentSize());
                childTrees = Math.addExact(childTrees, child.treeSize());
            }
            byte[] block = DagPb.encode(new DagPb.Node(links, new UnixFsData(contentSize, sizes).encode()));
            ContentId cid = ContentId.of(ContentId.DAG_PB, block);
            sink.put(cid, block);
            blocks++;
            return new Built(cid, contentSize, Math.addExact(block.length, childTrees));
        }
    }

    /** Wraps an I/O failure for callers that want unchecked errors. */
    static HyphaException readFailure(String what, IOException e) {
        return HyphaException.io("cannot read " + what + ": " + e.getMessage(), e);
    }
}

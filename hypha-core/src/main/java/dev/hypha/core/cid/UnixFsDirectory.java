package dev.hypha.core.cid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A basic (unsharded) UnixFS directory node as the unixfs-v1-2025 profile writes it: a dag-pb block whose links name
 * each child (sorted by the bytes of their UTF-8 names, as the dag-pb spec requires and Go and JavaScript importers
 * do) with the child's cumulative size, and {@code Data} = {@code Type=Directory}. Its content id is what {@code ipfs
 * add -r} gives the same tree. Sharded (HAMT) directories are not written: a directory whose block would pass the
 * profile's 256 KiB threshold is refused by {@link #of}, so an id computed here is never one IPFS would compute
 * differently.
 */
public final class UnixFsDirectory {
    /** UnixFS DataType.Directory: the whole Data message of a basic directory. */
    private static final byte[] DIRECTORY_DATA = {0x08, 0x01};
    /** unixfs-v1-2025: directories whose links' estimated size passes this are HAMT-sharded (we refuse them). */
    public static final int MAX_BLOCK = 256 * 1024;

    private UnixFsDirectory() {}

    /** One child: its name in the directory, its content id, and its cumulative size (all its blocks' bytes). */
    public record Entry(String name, ContentId cid, long cumulativeSize) {
        public Entry {
            if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("a directory entry's name must be one non-empty path segment, was "
                        + name);
            }
            if (cid == null) throw new IllegalArgumentException("cid is required");
            if (cumulativeSize < 0) throw new IllegalArgumentException("cumulative size must not be negative");
        }
    }

    /** A built directory: its block, content id, and cumulative size (block bytes plus every child's). */
    public record Built(ContentId cid, byte[] block, long cumulativeSize) {
        public Built {
            block = block.clone();
        }

        @Override
        public byte[] block() {
            return block.clone();
        }
    }

    /**
     * Builds the directory holding {@code entries} (in any order).
     *
     * @throws IllegalArgumentException for duplicate names, or a directory too large for one unsharded block
     */
    public static Built of(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(e -> e.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        Set<String> names = new HashSet<>();
        List<DagPb.Link> links = new ArrayList<>(sorted.size());
        long childBytes = 0;
        long estimate = 0;
        for (Entry e : sorted) {
            if (!names.add(e.name())) throw new IllegalArgumentException("duplicate directory entry " + e.name());
            links.add(new DagPb.Link(e.cid(), e.name(), e.cumulativeSize()));
            childBytes = Math.addExact(childBytes, e.cumulativeSize());
            // the profile's size estimate: name bytes plus CID bytes of every link
            estimate += e.name().getBytes(StandardCharsets.UTF_8).length + e.cid().bytes().length;
        }
        if (estimate > MAX_BLOCK) {
            throw new IllegalArgumentException("a directory of " + entries.size() + " entries would be HAMT-sharded "
                    + "(over " + MAX_BLOCK + " bytes of links); split it into subdirectories");
        }
        byte[] block = DagPb.encode(new DagPb.Node(links, DIRECTORY_DATA));
        return new Built(ContentId.of(ContentId.DAG_PB, block), block, Math.addExact(childBytes, block.length));
    }
}

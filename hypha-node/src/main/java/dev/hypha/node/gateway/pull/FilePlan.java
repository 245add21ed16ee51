package dev.hypha.node.gateway.pull;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.DagPb;
import dev.hypha.core.cid.UnixFsData;
import dev.hypha.core.cid.UnixFsImporter;
import dev.hypha.core.errors.HyphaException;
import java.util.ArrayList;
import java.util.List;

/**
 * The leaves of a file, in order, with where each belongs: what is left to fetch once the parents (a few kilobytes per
 * gigabyte) are known. The DAG is hostile input even though every block is hash-checked (the content id itself may
 * name a lying DAG), so it must have the shape of the unixfs-v1-2025 profile, the only shape whose id the final check
 * can reproduce: leaves of exactly 1 MiB except the last, at most 1024 links per parent, sizes that add up at every
 * node, a bounded depth and a bounded total. That bounds the work too: at most one leaf per MiB the root claims, and
 * the root's claim is checked against the limit before anything below it is fetched.
 */
final class FilePlan {
    /** Leaf size of the profile. */
    static final int CHUNK = UnixFsImporter.DEFAULT_CHUNK_SIZE;
    /** Links per parent in the profile. */
    static final int WIDTH = UnixFsImporter.DEFAULT_WIDTH;
    /** Largest parent block accepted: 1024 links of a 36-byte id with sizes fit in well under this. */
    static final int MAX_PARENT = 256 << 10;
    /** Deepest tree accepted: width 1024 and 1 MiB chunks reach 1 EiB at depth 5. */
    static final int MAX_DEPTH = 6;

    /** One leaf: its position among the leaves, its id, and the file bytes it holds. */
    record Leaf(int index, ContentId cid, long offset, int length) {}

    /** Gets a verified parent block from some provider. */
    @FunctionalInterface
    interface Parents {
        byte[] get(ContentId cid, int maxBytes);
    }

    private final ContentId root;
    private final List<Leaf> leaves;
    private final long size;

    private FilePlan(ContentId root, List<Leaf> leaves, long size) {
        this.root = root;
        this.leaves = List.copyOf(leaves);
        this.size = size;
    }

    ContentId root() {
        return root;
    }

    List<Leaf> leaves() {
        return leaves;
    }

    long size() {
        return size;
    }

    /**
     * Walks the DAG under {@code root} (whose verified block is {@code rootBlock}), fetching parents as it goes.
     *
     * @throws PullException 502 naming the block when the DAG is not a well-formed file of the profile, 413-like 507
     *                       when it claims more than {@code maxSize}
     */
    static FilePlan walk(ContentId root, byte[] rootBlock, Parents parents, long maxSize) {
        Walk walk = new Walk(root, parents, maxSize);
        if (root.codec() == ContentId.RAW) {
            walk.leaf(root, rootBlock.length);
        } else {
            walk.parent(root, rootBlock, 0, -1);
        }
        return new FilePlan(root, walk.leaves, walk.offset);
    }

    private static final class Walk {
        private final ContentId root;
        private final Parents parents;
        private final long maxSize;
        private final List<Leaf> leaves = new ArrayList<>();
        private long offset;

        Walk(ContentId root, Parents parents, long maxSize) {
            this.root = root;
            this.parents = parents;
            this.maxSize = maxSize;
        }

        void parent(ContentId cid, byte[] block, int depth, long expected) {
            if (depth > MAX_DEPTH) {
                throw malformed(cid, "is deeper than " + MAX_DEPTH + " levels below the root");
            }
            UnixFsData data;
            List<DagPb.Link> links;
            try {
                DagPb.Node node = DagPb.decode(block);
                links = node.links();
                data = UnixFsData.decode(node.data());
            } catch (HyphaException e) {
                throw malformed(cid, "is not a UnixFS file node: " + e.getMessage());
            }
            List<Long> sizes = data.blockSizes();
            if (expected < 0 && data.fileSize() > maxSize) {
                throw new PullException(507, "model " + root + " is " + data.fileSize() + " bytes, more than the "
                        + maxSize + " this gateway accepts");
            }
            if (expected >= 0 && data.fileSize() != expected) {
                throw malformed(cid, "says it holds " + data.fileSize() + " bytes but its parent says " + expected);
            }
            if (links.isEmpty() || links.size() != sizes.size()) {
                throw malformed(cid, "has " + links.size() + " links but " + sizes.size() + " block sizes");
            }
            if (links.size() > WIDTH) {
                throw malformed(cid, "has " + links.size() + " links, more than the profile's " + WIDTH);
            }
            long sum = 0;
            for (long s : sizes) {
                if (s < 1) throw malformed(cid, "links a subtree of " + s + " bytes");
                sum = s > Long.MAX_VALUE - sum ? -1 : sum + s;
                if (sum < 0) throw malformed(cid, "declares block sizes that overflow");
            }
            if (sum != data.fileSize()) {
                throw malformed(cid, "says it holds " + data.fileSize() + " bytes but its block sizes add up to " + sum);
            }
            for (int i = 0; i < links.size(); i++) {
                ContentId child = links.get(i).hash();
                long childSize = sizes.get(i);
                if (child.codec() == ContentId.RAW) {
                    if (childSize > CHUNK) {
                        throw malformed(cid, "links a leaf of " + childSize + " bytes; leaves hold at most " + CHUNK);
                    }
                    leaf(child, (int) childSize);
                } else if (child.codec() == ContentId.DAG_PB) {
                    parent(child, parents.get(child, MAX_PARENT), depth + 1, childSize);
                } else {
                    throw malformed(cid, "links " + child + ", which is neither a raw leaf nor a dag-pb node");
                }
            }
        }

        void leaf(ContentId cid, int length) {
            if (length > CHUNK) {
                throw malformed(cid, "is a leaf of " + length + " bytes; leaves hold at most " + CHUNK);
            }
            if (!leaves.isEmpty() && leaves.getLast().length() != CHUNK) {
                throw malformed(cid, "follows a leaf of " + leaves.getLast().length() + " bytes; only the last leaf "
                        + "of a file may hold less than " + CHUNK);
            }
            if (offset + length > maxSize) {
                throw new PullException(507, "model " + root + " holds more than the " + maxSize
                        + " bytes this gateway accepts");
            }
            leaves.add(new Leaf(leaves.size(), cid, offset, length));
            offset += length;
        }

        private PullException malformed(ContentId block, String what) {
            return PullException.badPeers("the content " + root + " is not a well-formed file: block " + block + " "
                    + what);
        }
    }
}

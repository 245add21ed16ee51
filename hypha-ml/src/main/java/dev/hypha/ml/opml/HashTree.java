package dev.hypha.ml.opml;

import dev.hypha.ml.train.verify.MerkleTree;
import java.util.ArrayList;
import java.util.List;

/**
 * A keccak Merkle tree over leaf hashes given as they are, so a padding leaf can be the zero hash anywhere (the trace
 * pads operations inside a position, not only at the end). Node and leaf hashing are {@link MerkleTree}'s, which is
 * what the contracts check; level 0 is the root, the leaves are level {@link #depth()}.
 */
public final class HashTree {
    private final List<byte[][]> levels;

    /** The tree over {@code leafHashes}, whose count must be a power of two. */
    public HashTree(byte[][] leafHashes) {
        if (leafHashes.length == 0 || Integer.bitCount(leafHashes.length) != 1) {
            throw new IllegalArgumentException("leaf count " + leafHashes.length + " is not a power of two");
        }
        List<byte[][]> bottomUp = new ArrayList<>();
        byte[][] row = leafHashes.clone();
        bottomUp.add(row);
        while (row.length > 1) {
            byte[][] up = new byte[row.length / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = MerkleTree.nodeHash(row[2 * i], row[2 * i + 1]);
            }
            bottomUp.add(up);
            row = up;
        }
        this.levels = List.copyOf(bottomUp.reversed());
    }

    public byte[] root() {
        return levels.get(0)[0].clone();
    }

    public int depth() {
        return levels.size() - 1;
    }

    /** Node {@code index} of {@code level} (0 = root). */
    public byte[] node(int level, long index) {
        if (level < 0 || level > depth()) {
            throw new IllegalArgumentException("level " + level + " is outside 0.." + depth());
        }
        byte[][] row = levels.get(level);
        if (index < 0 || index >= row.length) {
            throw new IllegalArgumentException("node " + index + " is outside level " + level);
        }
        return row[(int) index].clone();
    }

    /** Sibling hashes from leaf {@code index} up to the root, bottom first (the contracts' proof order). */
    public List<byte[]> proof(long index) {
        node(depth(), index);
        List<byte[]> siblings = new ArrayList<>(depth());
        long i = index;
        for (int level = depth(); level > 0; level--) {
            siblings.add(node(level, i ^ 1));
            i >>= 1;
        }
        return siblings;
    }
}

package dev.hypha.ml.train.verify;

import dev.hypha.core.crypto.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A binary keccak-256 Merkle tree over leaf byte strings, laid out exactly as {@code TrainingVerifier.sol} checks it:
 * leaf hash = keccak256(0x00 ‖ leaf), inner node = keccak256(0x01 ‖ left ‖ right) (the prefixes keep a leaf from ever
 * passing for an inner node), the leaf row padded with 32 zero bytes to the next power of two, so the tree's depth
 * is fixed by the leaf count alone. Level 0 is the root; node (level, i) has children (level + 1, 2i) and
 * (level + 1, 2i + 1); the leaves are level {@link #depth()}.
 *
 * <p>Written here rather than taken from a library: the on-chain layout (prefixes, padding, level numbering) has to
 * match the contract byte for byte, and the whole tree is thirty lines.
 */
public final class MerkleTree {
    /** The hash of a padding leaf. */
    public static final byte[] EMPTY = new byte[32];

    private final List<byte[][]> levels; // levels.get(0) = the root row, levels.get(depth) = the leaf hashes
    private final int leafCount;

    private MerkleTree(List<byte[][]> levels, int leafCount) {
        this.levels = levels;
        this.leafCount = leafCount;
    }

    /** The tree over {@code leaves} (at least one). */
    public static MerkleTree of(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
        }
        int width = Integer.highestOneBit(leaves.size());
        if (width < leaves.size()) {
            width <<= 1;
        }
        byte[][] row = new byte[width][];
        for (int i = 0; i < width; i++) {
            row[i] = i < leaves.size() ? leafHash(leaves.get(i)) : EMPTY;
        }
        List<byte[][]> bottomUp = new ArrayList<>();
        bottomUp.add(row);
        while (row.length > 1) {
            byte[][] up = new byte[row.length / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = nodeHash(row[2 * i], row[2 * i + 1]);
            }
            bottomUp.add(up);
            row = up;
        }
        return new MerkleTree(List.copyOf(bottomUp.reversed()), leaves.size());
    }

    public static byte[] leafHash(byte[] leaf) {
        byte[] b = new byte[leaf.length + 1];
        System.arraycopy(leaf, 0, b, 1, leaf.length);
        return Hashes.keccak256(b);
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        byte[] b = new byte[65];
        b[0] = 1;
        System.arraycopy(left, 0, b, 1, 32);
        System.arraycopy(right, 0, b, 33, 32);
        return Hashes.keccak256(b);
    }

    public byte[] root() {
        return levels.get(0)[0].clone();
    }

    /** Levels below the root (0 for a single leaf). */
    public int depth() {
        return levels.size() - 1;
    }

    public int leafCount() {
        return leafCount;
    }

    /** The hash of node {@code index} at {@code level} (0 = root, {@link #depth()} = leaves). */
    public byte[] node(int level, long index) {
        if (level < 0 || level > depth()) {
            throw new IllegalArgumentException("level " + level + " is outside 0.." + depth());
        }
        byte[][] row = levels.get(level);
        if (index < 0 || index >= row.length) {
            throw new IllegalArgumentException("node " + index + " is outside level " + level + "'s " + row.length + " nodes");
        }
        return row[(int) index].clone();
    }

    /** The sibling hashes from leaf {@code index} up to the root (bottom first). */
    public List<byte[]> proof(long index) {
        node(depth(), index);
        List<byte[]> siblings = new ArrayList<>();
        long i = index;
        for (int level = depth(); level > 0; level--) {
            siblings.add(node(level, i ^ 1));
            i >>= 1;
        }
        return siblings;
    }

    /** Whether {@code proof} (bottom first) leads from {@code leafHash} at {@code index} to {@code root}. */
    public static boolean verify(byte[] root, byte[] leafHash, long index, List<byte[]> proof) {
        byte[] h = leafHash;
        long i = index;
        for (byte[] sibling : proof) {
            h = (i & 1) == 0 ? nodeHash(h, sibling) : nodeHash(sibling, h);
            i >>= 1;
        }
        return i == 0 && Arrays.equals(h, root);
    }
}

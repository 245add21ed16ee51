package dev.hypha.zk.pcs;

import dev.hypha.core.crypto.Hashes;
import java.util.Arrays;

/**
 * A binary Keccak-256 Merkle tree over a power-of-two number of leaves, as a Solidity verifier recomputes it:
 * leaf = keccak256(0x00 ‖ data), node = keccak256(0x01 ‖ left ‖ right). The prefixes keep a node from passing as a
 * leaf; the verifier also fixes the path length, so no proof can end at another depth.
 */
public final class MerkleTree {
    private static final byte LEAF = 0x00;
    private static final byte NODE = 0x01;

    /** layers[0] are the leaf digests, layers[depth] = {root}. */
    private final byte[][][] layers;

    private MerkleTree(byte[][][] layers) {
        this.layers = layers;
    }

    /** A tree over already-hashed leaves (see {@link #hashLeaf}); the count must be a power of two. */
    public static MerkleTree ofLeafDigests(byte[][] leaves) {
        if (leaves.length == 0 || Integer.bitCount(leaves.length) != 1) {
            throw new IllegalArgumentException("a Merkle tree needs a power-of-two number of leaves, got " + leaves.length);
        }
        int depth = Integer.numberOfTrailingZeros(leaves.length);
        byte[][][] layers = new byte[depth + 1][][];
        layers[0] = leaves.clone();
        for (int level = 1; level <= depth; level++) {
            byte[][] below = layers[level - 1];
            byte[][] here = new byte[below.length / 2][];
            for (int i = 0; i < here.length; i++) {
                here[i] = hashNode(below[2 * i], below[2 * i + 1]);
            }
            layers[level] = here;
        }
        return new MerkleTree(layers);
    }

    public static byte[] hashLeaf(byte[] data) {
        byte[] in = new byte[data.length + 1];
        in[0] = LEAF;
        System.arraycopy(data, 0, in, 1, data.length);
        return Hashes.keccak256(in);
    }

    static byte[] hashNode(byte[] left, byte[] right) {
        byte[] in = new byte[65];
        in[0] = NODE;
        System.arraycopy(left, 0, in, 1, 32);
        System.arraycopy(right, 0, in, 33, 32);
        return Hashes.keccak256(in);
    }

    public byte[] root() {
        return layers[layers.length - 1][0].clone();
    }

    public int depth() {
        return layers.length - 1;
    }

    /** The sibling digests from the leaf's level up to just below the root. */
    public byte[][] path(int index) {
        byte[][] path = new byte[depth()][];
        int i = index;
        for (int level = 0; level < depth(); level++) {
            path[level] = layers[level][i ^ 1].clone();
            i >>>= 1;
        }
        return path;
    }

    /**
     * The 2^capLevel nodes capLevel levels below the root (a Merkle cap): an opening sends them once, and every path
     * then stops below them ({@link #verifyToCap}), saving capLevel siblings per query.
     */
    public byte[][] cap(int capLevel) {
        if (capLevel < 0 || capLevel > depth()) {
            throw new IllegalArgumentException("a cap level is 0 to " + depth() + ", got " + capLevel);
        }
        byte[][] layer = layers[depth() - capLevel];
        byte[][] out = new byte[layer.length][];
        for (int i = 0; i < layer.length; i++) {
            out[i] = layer[i].clone();
        }
        return out;
    }

    /** The root over a cap of a power-of-two number of nodes. */
    public static byte[] rootOfCap(byte[][] cap) {
        byte[][] level = cap;
        while (level.length > 1) {
            byte[][] up = new byte[level.length / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = hashNode(level[2 * i], level[2 * i + 1]);
            }
            level = up;
        }
        return level[0];
    }

    /**
     * Whether {@code leafDigest} sits at {@code index} under the cap node it leads to, given the path's siblings up to
     * just below the cap (the first depth − capLevel of {@link #path}).
     */
    public static boolean verifyToCap(byte[][] cap, int index, byte[] leafDigest, byte[][] path) {
        byte[] h = leafDigest;
        int i = index;
        for (byte[] sibling : path) {
            h = (i & 1) == 0 ? hashNode(h, sibling) : hashNode(sibling, h);
            i >>>= 1;
        }
        return i >= 0 && i < cap.length && Arrays.equals(h, cap[i]);
    }

    /** Whether {@code leafDigest} sits at {@code index} under {@code root}, given its authentication path. */
    public static boolean verify(byte[] root, int index, byte[] leafDigest, byte[][] path) {
        byte[] h = leafDigest;
        int i = index;
        for (byte[] sibling : path) {
            h = (i & 1) == 0 ? hashNode(h, sibling) : hashNode(sibling, h);
            i >>>= 1;
        }
        return i == 0 && Arrays.equals(h, root);
    }
}

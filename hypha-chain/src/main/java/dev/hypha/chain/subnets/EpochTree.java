package dev.hypha.chain.subnets;

import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;

/**
 * The position-bound Merkle tree SubnetEpochs builds over a post's leaves: leaf i at index i of a 2^depth tree padded
 * with zero hashes, inner node = keccak256(left ‖ right). Written by hand (a dozen lines) because the contract's
 * layout binds each leaf to its index, which the sorted-pair trees of common libraries do not.
 */
public final class EpochTree {
    private final List<byte[][]> levels = new ArrayList<>();

    public EpochTree(List<SubnetLeaf> leaves) {
        int depth = depthOf(leaves.size());
        byte[][] level = new byte[1 << depth][];
        for (int i = 0; i < level.length; i++) level[i] = i < leaves.size() ? leaves.get(i).hash() : new byte[32];
        levels.add(level);
        while (level.length > 1) {
            byte[][] up = new byte[level.length / 2][];
            for (int i = 0; i < up.length; i++) up[i] = node(level[2 * i], level[2 * i + 1]);
            levels.add(up);
            level = up;
        }
    }

    public static int depthOf(int n) {
        int d = 0;
        while ((1 << d) < n) d++;
        return d;
    }

    public byte[] root() {
        return levels.isEmpty() || levels.getFirst().length == 0 ? new byte[32] : levels.getLast()[0];
    }

    /** Siblings of leaf {@code index}, bottom-up. */
    public List<byte[]> proof(int index) {
        List<byte[]> proof = new ArrayList<>();
        for (int d = 0; d + 1 < levels.size(); d++) {
            proof.add(levels.get(d)[index ^ 1]);
            index >>= 1;
        }
        return proof;
    }

    private static byte[] node(byte[] left, byte[] right) {
        byte[] both = new byte[64];
        System.arraycopy(left, 0, both, 0, 32);
        System.arraycopy(right, 0, both, 32, 32);
        return Hash.sha3(both);
    }
}

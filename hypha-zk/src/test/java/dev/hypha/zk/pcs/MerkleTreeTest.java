package dev.hypha.zk.pcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    static MerkleTree tree(int n) {
        byte[][] leaves = new byte[n][];
        for (int i = 0; i < n; i++) {
            leaves[i] = MerkleTree.hashLeaf(new byte[] {(byte) i});
        }
        return MerkleTree.ofLeafDigests(leaves);
    }

    @Test
    void everyLeafVerifiesAtItsIndexOnly() {
        MerkleTree t = tree(8);
        for (int i = 0; i < 8; i++) {
            byte[] leaf = MerkleTree.hashLeaf(new byte[] {(byte) i});
            assertThat(MerkleTree.verify(t.root(), i, leaf, t.path(i))).isTrue();
            assertThat(MerkleTree.verify(t.root(), i ^ 1, leaf, t.path(i))).isFalse();
            assertThat(MerkleTree.verify(t.root(), i + 8, leaf, t.path(i))).isFalse();
        }
    }

    @Test
    void aChangedSiblingOrLeafFails() {
        MerkleTree t = tree(16);
        byte[][] path = t.path(5);
        path[2][0] ^= 1;
        assertThat(MerkleTree.verify(t.root(), 5, MerkleTree.hashLeaf(new byte[] {5}), path)).isFalse();
        assertThat(MerkleTree.verify(t.root(), 5, MerkleTree.hashLeaf(new byte[] {6}), t.path(5))).isFalse();
    }

    @Test
    void aSingleLeafIsItsOwnRoot() {
        MerkleTree t = tree(1);
        assertThat(t.root()).isEqualTo(MerkleTree.hashLeaf(new byte[] {0}));
        assertThat(t.path(0)).isEmpty();
        assertThatThrownBy(() -> tree(3)).hasMessageContaining("power-of-two");
    }

    @org.junit.jupiter.api.Test
    void aCapHashesToTheRootAndPathsStopBelowIt() {
        byte[][] leaves = new byte[16][];
        for (int i = 0; i < 16; i++) {
            leaves[i] = MerkleTree.hashLeaf(new byte[] {(byte) i});
        }
        MerkleTree t = MerkleTree.ofLeafDigests(leaves);
        for (int level = 0; level <= 4; level++) {
            byte[][] cap = t.cap(level);
            assertThat(cap.length).isEqualTo(1 << level);
            assertThat(MerkleTree.rootOfCap(cap)).isEqualTo(t.root());
            for (int i = 0; i < 16; i++) {
                byte[][] path = java.util.Arrays.copyOf(t.path(i), 4 - level);
                assertThat(MerkleTree.verifyToCap(cap, i, leaves[i], path)).isTrue();
                assertThat(MerkleTree.verifyToCap(cap, i ^ 1, leaves[i], path)).isFalse();
                assertThat(MerkleTree.verifyToCap(cap, i, leaves[i ^ 1], path)).isFalse();
            }
        }
    }
}

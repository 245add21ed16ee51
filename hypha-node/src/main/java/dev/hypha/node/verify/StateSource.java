package dev.hypha.node.verify;

import dev.hypha.ml.train.verify.MerkleTree;

/** A party's training states in a dispute: the Merkle tree of the state it claims after {@code step} steps. */
@FunctionalInterface
public interface StateSource {
    MerkleTree tree(long step);
}

package dev.hypha.node.verify;

import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.ml.train.verify.MerkleTree;

/**
 * A party's move in the current round of a TrainingVerifier dispute, from the states it holds: while bisecting, its
 * root at the middle step; while descending, the two children of its node (level, nodeIndex) in its tree of the
 * state at {@code hi}. The contract checks the children hash to the node the party holds, so only the party's own
 * tree can answer.
 */
public final class DisputeMoves {
    private DisputeMoves() {}

    /** A move: {@code a} and {@code b} as {@code TrainingVerifier.move} takes them. */
    public record Move(byte[] a, byte[] b) {}

    public static Move next(VerifierDispute d, StateSource states) {
        if (d.phase() == DisputePhase.BISECT) {
            return new Move(states.tree(d.midStep()).root(), new byte[32]);
        }
        if (d.phase() != DisputePhase.DESCEND) {
            throw new IllegalArgumentException("dispute on order " + d.orderId() + " is in phase " + d.phase()
                    + ", where nobody moves");
        }
        MerkleTree t = states.tree(d.hi());
        if (t.depth() != d.depth()) {
            throw new IllegalStateException("the state at step " + d.hi() + " has a tree of depth " + t.depth()
                    + ", the lease's commitments " + d.depth());
        }
        int below = d.level() + 1;
        return new Move(t.node(below, 2 * d.nodeIndex()), t.node(below, 2 * d.nodeIndex() + 1));
    }
}

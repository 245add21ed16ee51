package dev.hypha.node.verify.opml;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.chain.opml.OpmlDispute;
import dev.hypha.chain.opml.OpmlWitness;
import dev.hypha.ml.opml.IntLmWeights;
import dev.hypha.ml.opml.Operation;
import dev.hypha.ml.opml.Trace;
import java.math.BigInteger;
import java.util.List;

/**
 * One side of an OpmlVerifier dispute, playing from the trace it stands by: while descending it reveals its node's
 * children, at the bottom it reveals its leaf's output, and once both outputs are public it resolves with the
 * operation's inputs from its own trace (proven against its own root: below the disputed leaf both trees agree) and
 * the weight row of the first element where the two outputs differ. Each {@link #step} does at most one transaction,
 * so two players (or a player and a silent party) interleave as the chain allows.
 */
public final class OpmlPlayer {
    private final OpmlVerifierClient client;
    private final BigInteger disputeId;
    private final long openedAt;
    private final Trace trace;
    private final IntLmWeights weights;
    private final boolean isProvider;

    /**
     * @param openedAt the block the dispute opened in (or an earlier one): where the other side's reveal is looked for
     */
    public OpmlPlayer(OpmlVerifierClient client, BigInteger disputeId, long openedAt, Trace trace, IntLmWeights weights,
            boolean isProvider) {
        this.client = client;
        this.disputeId = disputeId;
        this.openedAt = openedAt;
        this.trace = trace;
        this.weights = weights;
        this.isProvider = isProvider;
    }

    public BigInteger disputeId() {
        return disputeId;
    }

    /** The block the dispute opened in (as given). */
    public long openedAt() {
        return openedAt;
    }

    /**
     * Does this side's next move if it has one.
     *
     * @return true when a transaction was sent
     */
    public boolean step() {
        OpmlDispute d = client.dispute(disputeId);
        boolean moved = isProvider ? d.providerMoved() : d.challengerMoved();
        switch (d.phase()) {
            case DESCEND -> {
                if (moved) {
                    return false;
                }
                int below = d.level() + 1;
                client.move(disputeId, trace.node(below, 2 * d.nodeIndex()), trace.node(below, 2 * d.nodeIndex() + 1));
                return true;
            }
            case REVEAL -> {
                if (moved) {
                    return false;
                }
                byte[] out = trace.outputAt(d.nodeIndex());
                if (out == null) {
                    return false; // our leaf is padding where the model has an operation: nothing to reveal
                }
                client.reveal(disputeId, out);
                return true;
            }
            case RESOLVE -> {
                try {
                    client.resolve(disputeId, witness(d));
                    return true;
                } catch (ChainException refused) {
                    // The contract refuses a witness whose inputs are not in the dispute's trees or whose tokens are not
                    // the receipt's: a trace that is not of this computation. The other side or the timeout decides.
                    return false;
                }
            }
            default -> {
                return false;
            }
        }
    }

    /** The witness for the disputed leaf from this side's trace. */
    OpmlWitness witness(OpmlDispute d) {
        byte[] providerOut = client.revealed(disputeId, d.provider(), openedAt);
        byte[] challengerOut = client.revealed(disputeId, d.challenger(), openedAt);
        long leaf = d.nodeIndex();
        Operation op = Operation.at(leaf, trace.positions());
        int element = firstDifference(providerOut, challengerOut, op.elementWidth());
        byte[] prompt = trace.prompt();
        byte[] output = trace.output();
        int token = op.position() < prompt.length ? prompt[op.position()] & 0xFF
                : output[op.position() - prompt.length] & 0xFF;
        int row = op.weightRow(element, token);
        return new OpmlWitness(providerOut, challengerOut, input(op.inputA()), proof(op.inputA()), input(op.inputB()),
                proof(op.inputB()), isProvider, row < 0 ? new byte[0] : weights.row(row),
                row < 0 ? List.of() : weights.proof(row), prompt, output);
    }

    private byte[] input(long index) {
        return index < 0 ? new byte[0] : trace.outputAt(index);
    }

    private List<byte[]> proof(long index) {
        return index < 0 ? List.of() : trace.proof(index);
    }

    static int firstDifference(byte[] a, byte[] b, int width) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i / width;
            }
        }
        return 0;
    }
}

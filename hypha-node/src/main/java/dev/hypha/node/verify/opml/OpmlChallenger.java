package dev.hypha.node.verify.opml;

import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.ml.opml.Trace;
import java.util.Arrays;

/**
 * Checks a provider's receipt by re-running the model it names and acts on what it finds: nothing when the trace
 * and output are right, an immediate proof when the provider's own trace contradicts its output (its root is the
 * one we computed, so we know its SAMPLE leaves), and otherwise a bonded challenge with a {@link OpmlPlayer} to play.
 */
public final class OpmlChallenger {
    /** What a check found. */
    public sealed interface Verdict {
        /** The receipt's root and output are what the model gives. */
        record Honest() implements Verdict {}

        /** The trace proves the output wrong; the provider was slashed at {@code position}. */
        record MismatchProven(int position) implements Verdict {}

        /** The roots differ: a dispute was opened and is played by {@code player}. */
        record Disputed(OpmlPlayer player) implements Verdict {}
    }

    private final OpmlVerifierClient client;
    private final IntLm model;

    /** A challenger that knows {@code model} (it can only check receipts naming this model's root). */
    public OpmlChallenger(OpmlVerifierClient client, IntLm model) {
        this.client = client;
        this.model = model;
    }

    public Verdict check(OpmlAnswer answer) {
        var r = answer.receipt();
        if (!Arrays.equals(r.modelRoot(), model.weights().root())) {
            throw new IllegalArgumentException("the receipt names model " + hex(r.modelRoot())
                    + ", this challenger runs " + hex(model.weights().root()));
        }
        if (!Arrays.equals(r.promptHash(), Hashes.keccak256(answer.prompt()))
                || !Arrays.equals(r.outputHash(), Hashes.keccak256(answer.output()))) {
            throw new IllegalArgumentException("the answer's tokens are not the ones its receipt commits to");
        }
        Trace ours = model.trace(answer.prompt(), answer.output(), r.seed());
        if (Arrays.equals(ours.root(), r.traceRoot())) {
            int mismatch = ours.firstOutputMismatch();
            if (mismatch < 0) {
                return new Verdict.Honest();
            }
            long leaf = Trace.sampleLeaf(mismatch);
            client.proveOutputMismatch(r, answer.signature(), answer.prompt(), answer.output(), mismatch,
                    ours.outputAt(leaf), ours.proof(leaf));
            return new Verdict.MismatchProven(mismatch);
        }
        OpmlVerifierClient.Challenged opened = client.challenge(r, answer.signature(), answer.prompt(), answer.output(),
                ours.root());
        return new Verdict.Disputed(new OpmlPlayer(client, opened.disputeId(), opened.block(), ours, model.weights(),
                false));
    }

    private static String hex(byte[] b) {
        return org.web3j.utils.Numeric.toHexString(b);
    }
}

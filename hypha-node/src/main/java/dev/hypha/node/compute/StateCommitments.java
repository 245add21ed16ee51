package dev.hypha.node.compute;

import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.StateCommitment;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.train.run.Checkpoints;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.MerkleTree;
import dev.hypha.ml.train.verify.StateLeaves;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A provider's training-state commitments on chain: the root of the initial state when a job starts, then the root
 * of every checkpoint ({@link StateLeaves}, bound to the lease's spec digest), through TrainingVerifier, so verifiers
 * can replay any segment and dispute a wrong one. A restarted provider skips what it committed already (the contract
 * takes each step once, in order), and nothing is committed for a lease that has closed (the job stops on its own).
 * Classifier and LoRA jobs alike report their initial state ({@link #started}), whose shape their checkpoints are
 * read against ({@link Checkpoints}): a fine-tune's adapter and moments are committed as a classifier's weights are.
 * A failed commitment fails the job: training on without commitments would earn a lease nobody can verify.
 */
public final class StateCommitments implements CheckpointListener {
    private final TrainingVerifierClient verifier;
    private final ComputeMarketClient market;
    private final ContentStore store;
    private final Consumer<String> log;
    /** The shape of each job's states (from its initial state), to read its checkpoints. */
    private final Map<BigInteger, Checkpoints.Shape> jobs = new ConcurrentHashMap<>();

    /** @param log where each commitment is reported (the job's log) */
    public StateCommitments(TrainingVerifierClient verifier, ComputeMarketClient market, ContentStore store,
                            Consumer<String> log) {
        this.market = Objects.requireNonNull(market, "market");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.store = Objects.requireNonNull(store, "store");
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public void started(BigInteger orderId, ContentId spec, RunState initial) {
        jobs.put(orderId, Checkpoints.Shape.of(initial));
        commitIfNew(orderId, spec, initial);
    }

    @Override
    public void checkpointed(BigInteger orderId, ContentId spec, long stepsDone, ContentId checkpoint) {
        Checkpoints.Shape shape = jobs.get(orderId);
        if (shape == null) {
            return; // no initial state was reported: a job that commits nothing
        }
        RunState state = Checkpoints.state(checkpoint.toString(), store.get(checkpoint), shape);
        if (state.step() != stepsDone) {
            throw new IllegalStateException("checkpoint " + checkpoint + " holds step " + state.step() + ", not " + stepsDone);
        }
        commitIfNew(orderId, spec, state);
    }

    private void commitIfNew(BigInteger orderId, ContentId spec, RunState state) {
        if (market.order(orderId).state() != OrderState.LEASED) {
            return; // closed (cancelled, overdrawn): there is nothing left to verify, and the job is stopping
        }
        long n = verifier.commitmentCount(orderId);
        if (n > 0) {
            StateCommitment last = verifier.commitment(orderId, n - 1);
            if (last.step() >= state.step()) {
                return; // committed before a restart
            }
        }
        MerkleTree tree = StateLeaves.tree(spec.multihash().digest(), state);
        try {
            verifier.commit(orderId, state.step(), tree.root(), tree.depth());
        } catch (RuntimeException e) {
            if (market.order(orderId).state() != OrderState.LEASED) {
                return; // the lease closed between the check and the commitment
            }
            throw e;
        }
        log.accept("order " + orderId + ": committed the state root at step " + state.step() + " on chain");
    }
}

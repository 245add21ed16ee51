package dev.hypha.node.verify;

import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.DevCheat;
import dev.hypha.node.compute.JobLimits;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An honest provider's states in a dispute: re-executed from its own checkpoint at the commitment before the disputed
 * one (or from the initial state), with the spec and dataset from its own store. Training is deterministic, so these
 * are exactly what it committed (a dev-only cheater reproduces its {@link DevCheat} the same way). One {@link SegmentStates} per dispute, kept while the dispute is followed.
 */
public final class ProviderStates implements Function<VerifierDispute, StateSource>, AutoCloseable {
    private final CheckpointIndex index;
    private final ContentStore store;
    private final ComputeMarketClient market;
    private final TrainingVerifierClient verifier;
    private final Parallel parallel;
    private final FloatMatMul gemm;
    private final DevCheat cheat;
    private final Map<String, SegmentStates> segments = new HashMap<>();

    /** @param threads threads re-execution uses (any count gives the same bits) */
    public ProviderStates(CheckpointIndex index, ContentStore store, ComputeMarketClient market, TrainingVerifierClient verifier,
                          int threads) {
        this(index, store, market, verifier, threads, DevCheat.NONE);
    }

    /**
     * @param cheat DEVELOPMENT AND TEST ONLY: the cheat this provider's jobs made, reproduced so its answers match what
     *              it committed ({@link DevCheat#NONE}: honest re-execution)
     */
    public ProviderStates(CheckpointIndex index, ContentStore store, ComputeMarketClient market, TrainingVerifierClient verifier,
                          int threads, DevCheat cheat) {
        this.cheat = java.util.Objects.requireNonNull(cheat, "cheat");
        this.index = index;
        this.store = store;
        this.market = market;
        this.verifier = verifier;
        this.parallel = new Parallel(threads);
        this.gemm = new FloatMatMul(parallel);
    }

    @Override
    public synchronized StateSource apply(VerifierDispute d) {
        String key = d.orderId() + "/" + d.commitmentIndex();
        SegmentStates s = segments.get(key);
        if (s == null) {
            LeaseJob job = LeaseJob.load(market.order(d.orderId()).spec(), store, Optional.empty(), JobLimits.DEFAULT);
            var replayer = job.replayer(gemm);
            RunState start = replayer.initial();
            if (d.commitmentIndex() > 0) {
                long step = verifier.commitment(d.orderId(), d.commitmentIndex() - 1).step();
                CheckpointIndex.Lease lease = index.lease(d.orderId()).orElseThrow(() -> new IllegalStateException(
                        "no checkpoints recorded for order " + d.orderId()));
                if (step > 0) {
                    ContentId cp = lease.checkpoints().get(step);
                    if (cp == null) {
                        throw new IllegalStateException("no checkpoint of order " + d.orderId() + " at step " + step);
                    }
                    start = replayer.checkpoint(cp.toString(), store.get(cp));
                }
            }
            s = new SegmentStates((from, to) -> cheat.replay(replayer, from, to), job.specDigest(), start);
            segments.put(key, s);
        }
        return s;
    }

    @Override
    public void close() {
        parallel.close();
    }
}

package dev.hypha.node.compute;

import dev.hypha.core.cid.ContentId;
import java.math.BigInteger;

/**
 * Called on the job's thread each time a provider's job stores a checkpoint: the seam verification hooks into
 * (committing a state root on chain every k steps, keeping the checkpoint for replays). The checkpoint is already
 * durable in the provider's content store under {@code checkpoint} when this runs; an exception stops the job as FAILED.
 */
@FunctionalInterface
public interface CheckpointListener {
    /**
     * @param orderId   the lease
     * @param spec      the job spec's content id
     * @param stepsDone steps the checkpoint holds
     * @param checkpoint the checkpoint's content id (a {@code ModelFile} with optimizer state)
     */
    void checkpointed(BigInteger orderId, ContentId spec, long stepsDone, ContentId checkpoint);

    /**
     * Called before a classifier job's first step (also when it resumes) with the state every run of the spec starts
     * from, so step 0 can be committed too.
     */
    default void started(BigInteger orderId, ContentId spec, dev.hypha.ml.train.run.RunState initial) {
    }

    CheckpointListener NONE = (orderId, spec, stepsDone, checkpoint) -> {};
}

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
     * @param checkpoint the checkpoint's content id (a {@code ModelFile} with optimizer state, or a LoRA checkpoint)
     */
    void checkpointed(BigInteger orderId, ContentId spec, long stepsDone, ContentId checkpoint);

    /**
     * Called before a job's first step (also when it resumes) with the state every run of the spec starts from
     * (a classifier's initial weights, a LoRA fine-tune's seeded adapter), so step 0 can be committed too; it also
     * gives the shape a checkpoint of the job is read against ({@link dev.hypha.ml.train.run.Checkpoints}).
     */
    default void started(BigInteger orderId, ContentId spec, dev.hypha.ml.train.run.RunState initial) {
    }

    CheckpointListener NONE = (orderId, spec, stepsDone, checkpoint) -> {};

    /**
     * Calls {@code first}, then {@code then}, for every event: a provider records and publishes a checkpoint before it
     * commits the checkpoint's root, so a verifier that sees the commitment can fetch the state.
     */
    static CheckpointListener inOrder(CheckpointListener first, CheckpointListener then) {
        return new CheckpointListener() {
            @Override
            public void checkpointed(BigInteger orderId, ContentId spec, long stepsDone, ContentId checkpoint) {
                first.checkpointed(orderId, spec, stepsDone, checkpoint);
                then.checkpointed(orderId, spec, stepsDone, checkpoint);
            }

            @Override
            public void started(BigInteger orderId, ContentId spec, dev.hypha.ml.train.run.RunState initial) {
                first.started(orderId, spec, initial);
                then.started(orderId, spec, initial);
            }
        };
    }
}

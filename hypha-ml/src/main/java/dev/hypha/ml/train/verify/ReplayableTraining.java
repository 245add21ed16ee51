package dev.hypha.ml.train.verify;

import dev.hypha.ml.train.run.RunState;

/**
 * A training job a verifier can re-execute: the state every run of it starts from, and the state after any step
 * reached from any earlier state. The seam between verification ({@link Replayer}, {@link StateLeaves}, the on-chain
 * game) and the kinds of training: a classifier ({@link ClassifierReplay}) and a LoRA fine-tune ({@link LoraReplay}).
 * Implementations must be deterministic: the same state and step give the same bits on any thread count or machine.
 */
public interface ReplayableTraining {
    /** Steps the job runs. */
    long steps();

    /** The state at step 0. */
    RunState initial();

    /**
     * Re-executes from {@code from} (at most {@link #steps()}) up to step {@code toStep} (checked by the caller). A step
     * that diverges (loss not finite) does not stop it: the state it gives, NaN included, is the result, so its root
     * mismatches the provider's claim and the segment is disputed like any other wrong one.
     */
    RunState replay(RunState from, long toStep);

    /** A checkpoint of this job read back ({@code name} is for errors); the caller checks its root. */
    RunState checkpoint(String name, byte[] bytes);
}

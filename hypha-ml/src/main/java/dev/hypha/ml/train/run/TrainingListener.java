package dev.hypha.ml.train.run;

import dev.hypha.core.cid.ContentId;

/** What a training run reports as it goes (the CLI turns it into a progress line; tests use it to stop a run). */
public interface TrainingListener {
    /** Called after step {@code step} (0-based) of {@code total}, with that step's mean batch loss. */
    void stepDone(long step, long total, int batch, float loss);

    /** Called after the update of step {@code step} with the parameters as they are now (determinism probes hash them). */
    default void parametersUpdated(long step, java.util.List<dev.hypha.ml.train.Tensor> parameters) {}

    /** A checkpoint after {@code stepsDone} steps was stored under {@code id}. */
    default void checkpointed(long stepsDone, ContentId id) {}

    /**
     * Whether the trainer should also store the final state (weights and optimizer state, a checkpoint of the last
     * step) and report it through {@link #finalState}. Off by default: a local run needs only the model; a compute
     * provider turns it on because the final state's root must be committed, or made-up final weights would go unchecked.
     */
    default boolean keepsFinalState() {
        return false;
    }

    /** The final state (after every step), stored as a checkpoint under {@code id}; never the resume point. */
    default void finalState(long stepsDone, ContentId id) {}

    /**
     * The state step 0 starts from (before any resume), reported by runs whose caller cannot build it itself (a LoRA
     * fine-tune: the seeded adapter and zero moments), so a compute provider can commit its root.
     */
    default void initialState(RunState initial) {}

    /** The run continues from a checkpoint after {@code stepsDone} steps. */
    default void resumed(long stepsDone, ContentId id) {}

    TrainingListener NONE = (step, total, batch, loss) -> {};
}

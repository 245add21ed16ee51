package dev.hypha.ml.train.run;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Optimizer;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.store.ContentStore;
import java.util.List;
import java.util.Optional;

/**
 * Runs a training spec to the end, resuming from the newest checkpoint under its checkpoint reference if one exists
 * (by default the spec's content id, so {@code hypha train} run twice continues; a compute lease names its own
 * reference, so a lease never continues from another lease's files).
 *
 * <p>Everything a step does is a function of (spec, step, weights, optimizer state): batches come from
 * {@link BatchOrder}, dropout masks from {@link Seeds} with the step as index, the learning rate from the schedule.
 * A checkpoint therefore holds only weights, optimizer state and the step count, and a run resumed from it is
 * bit-identical to one that never stopped.
 */
public final class Trainer {
    /** Reference kind of a spec's newest checkpoint (named by the spec's content id). */
    public static final String CHECKPOINTS = "checkpoints";
    /** Reference kind of trained models (named by the spec's name). */
    public static final String MODELS = "models";

    private final TrainSpec spec;
    private final ContentId specId;
    private final ImageSplit data;
    private final ContentStore store;
    private final FloatMatMul gemm;
    private final String checkpointRef;

    public Trainer(TrainSpec spec, ContentId specId, ImageSplit data, ContentStore store, FloatMatMul gemm) {
        this(spec, specId, data, store, gemm, specId.toString());
    }

    /**
     * @param checkpointRef the name under {@code refs/checkpoints/} this run resumes from and writes its checkpoints to
     *                      (a store reference name: lowercase letters, digits, '.', '_', '-')
     */
    public Trainer(TrainSpec spec, ContentId specId, ImageSplit data, ContentStore store, FloatMatMul gemm,
                   String checkpointRef) {
        this.checkpointRef = java.util.Objects.requireNonNull(checkpointRef, "checkpointRef");
        this.spec = spec;
        this.specId = specId;
        this.data = data;
        this.store = store;
        this.gemm = gemm;
    }

    /** The outcome: the stored model's id, its weights' digest and the last step's loss. */
    public record Result(ContentId model, String weightsDigest, float lastLoss, long stepsRun) {}

    public Result run(TrainingListener listener) {
        TrainingRun run;
        Optional<ContentId> checkpoint = store.ref(CHECKPOINTS, checkpointRef);
        if (checkpoint.isPresent()) {
            ModelFile.Contents c = ModelFile.decode(checkpoint.get().toString(), store.get(checkpoint.get()));
            if (!c.specId().equals(specId.toString())) {
                throw new HyphaException(ErrorCategory.INPUT, "checkpoint " + checkpoint.get() + " belongs to spec " + c.specId()
                        + ", not " + specId);
            }
            run = TrainingRun.resume(spec, data, gemm, RunState.fromCheckpoint(c), "checkpoint " + checkpoint.get());
            listener.resumed(c.step(), checkpoint.get());
        } else {
            run = TrainingRun.start(spec, data, gemm, store);
        }
        long start = run.stepsDone();
        Network network = run.network();
        Optimizer optimizer = run.optimizer();
        List<Tensor> params = network.parameters();
        float loss = Float.NaN;
        while (run.stepsDone() < spec.steps()) {
            long step = run.stepsDone();
            loss = run.step();
            listener.parametersUpdated(step, params);
            listener.stepDone(step, spec.steps(), spec.batch(), loss);
            long done = step + 1;
            if (spec.checkpointEvery() > 0 && done % spec.checkpointEvery() == 0 && done < spec.steps()) {
                ContentId id = store.put(ModelFile.encode(network, done, specId.toString(), optimizer.stateNames(), optimizer.state()));
                store.setRef(CHECKPOINTS, checkpointRef, id);
                listener.checkpointed(done, id);
            }
        }
        if (listener.keepsFinalState()) {
            // Stored but not made the spec's checkpoint ref: a later run of the spec resumes from the last regular one.
            ContentId last = store.put(ModelFile.encode(network, spec.steps(), specId.toString(), optimizer.stateNames(),
                    optimizer.state()));
            listener.finalState(spec.steps(), last);
        }
        ContentId model = store.put(ModelFile.encode(network, spec.steps(), specId.toString(), List.of(), List.of()));
        store.setRef(MODELS, spec.name(), model);
        return new Result(model, ModelFile.weightsDigest(network), loss, spec.steps() - start);
    }
}

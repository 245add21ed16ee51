package dev.hypha.ml.train.verify;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.Checkpoints;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainingRun;
import dev.hypha.ml.train.store.ContentStore;

/** A classifier's training ({@link TrainingRun} over a spec and its dataset split) as a replayable job. */
public final class ClassifierReplay implements ReplayableTraining {
    private final TrainSpec spec;
    private final ImageSplit data;
    private final FloatMatMul gemm;
    private final ContentStore store;
    private RunState initial;

    /** A spec whose weights start from its seed. */
    public ClassifierReplay(TrainSpec spec, ImageSplit data, FloatMatMul gemm) {
        this(spec, data, gemm, null);
    }

    /** Any spec: one with an {@code init} model reads it from {@code store} (a DiLoCo round's lease). */
    public ClassifierReplay(TrainSpec spec, ImageSplit data, FloatMatMul gemm, ContentStore store) {
        this.spec = spec;
        this.data = data;
        this.gemm = gemm;
        this.store = store;
    }

    @Override
    public long steps() {
        return spec.steps();
    }

    @Override
    public synchronized RunState initial() {
        if (initial == null) {
            initial = (store == null ? TrainingRun.start(spec, data, gemm) : TrainingRun.start(spec, data, gemm, store)).state();
        }
        return initial;
    }

    @Override
    public RunState replay(RunState from, long toStep) {
        TrainingRun run = TrainingRun.resume(spec, data, gemm, from, "the state at step " + from.step());
        while (run.stepsDone() < toStep) {
            run.replayStep(); // a diverging step yields its state to compare, never stops the audit
        }
        return run.state();
    }

    @Override
    public RunState checkpoint(String name, byte[] bytes) {
        return Checkpoints.state(name, bytes, Checkpoints.Shape.of(initial()));
    }
}

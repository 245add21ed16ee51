package dev.hypha.ml.train.verify;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.Checkpoints;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainingRun;

/** A classifier's training ({@link TrainingRun} over a spec and its dataset split) as a replayable job. */
public final class ClassifierReplay implements ReplayableTraining {
    private final TrainSpec spec;
    private final ImageSplit data;
    private final FloatMatMul gemm;
    private RunState initial;

    public ClassifierReplay(TrainSpec spec, ImageSplit data, FloatMatMul gemm) {
        this.spec = spec;
        this.data = data;
        this.gemm = gemm;
    }

    @Override
    public long steps() {
        return spec.steps();
    }

    @Override
    public synchronized RunState initial() {
        if (initial == null) {
            initial = TrainingRun.start(spec, data, gemm).state();
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

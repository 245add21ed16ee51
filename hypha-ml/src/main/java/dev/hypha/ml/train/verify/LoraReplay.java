package dev.hypha.ml.train.verify;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.run.Checkpoints;
import dev.hypha.ml.train.run.LoraFinetune;
import dev.hypha.ml.train.run.LoraRun;
import dev.hypha.ml.train.run.RunState;

/**
 * A LoRA fine-tune ({@link LoraRun} over a frozen base and the data's tokens) as a replayable job: its state is the
 * adapter's A and B and the AdamW moments, so the same leaves, roots and dispute game serve it as a classifier's.
 */
public final class LoraReplay implements ReplayableTraining {
    private final LoraRun.Inputs inputs;
    private final LoraFinetune.Options options;
    private final FloatMatMul gemm;
    private RunState initial;

    public LoraReplay(LoraRun.Inputs inputs, LoraFinetune.Options options, FloatMatMul gemm) {
        this.inputs = inputs;
        this.options = options;
        this.gemm = gemm;
    }

    @Override
    public long steps() {
        return options.steps();
    }

    @Override
    public synchronized RunState initial() {
        if (initial == null) {
            initial = LoraRun.start(inputs, options, gemm).state();
        }
        return initial;
    }

    @Override
    public RunState replay(RunState from, long toStep) {
        LoraRun run = LoraRun.resume(inputs, options, gemm, from);
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

package dev.hypha.node.verify;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test-only providers that fake work (never a production flag): each gives the states a provider claims after every
 * step, cheating inside one segment, then (except made-up weights, which end the job) training honestly again from
 * the state it claimed, its cheapest way on.
 */
enum Cheat {
    /** Honest: the states training gives. */
    NONE,
    /** Leaves out the segment's last step but claims the segment's end step count. */
    SKIP_STEP,
    /** Trains the segment on data the job does not name. */
    OTHER_DATA,
    /** Adds 1e-4 to one weight after the segment's second step. */
    NOISE,
    /** Claims random weights for the final segment, which it never trains. */
    MADE_UP_WEIGHTS,
    /**
     * Claims (and serves as its checkpoint) a state at the segment's start whose next step diverges (NaN parameters;
     * its root is the commitment's, so a verifier takes it as the segment's anchor), then claims honest training on.
     */
    DIVERGE;

    /** The claimed state after each step (index = step) of a job of {@code steps} steps, cheating in [begin, end). */
    List<RunState> states(TrainSpec spec, ImageSplit data, ImageSplit otherData, FloatMatMul gemm, long begin, long end,
                          long salt) {
        List<RunState> out = new ArrayList<>();
        TrainingRun run = TrainingRun.start(spec, data, gemm);
        out.add(run.state());
        while (run.stepsDone() < begin) {
            run.step();
            out.add(run.state());
        }
        switch (this) {
            case NONE -> { }
            case DIVERGE -> out.set((int) begin, diverging(run.state()));
            case SKIP_STEP -> {
                while (run.stepsDone() < end - 1) {
                    run.step();
                    out.add(run.state());
                }
                run = TrainingRun.resume(spec, data, gemm, run.state().withStep(end), "cheat");
                out.add(run.state());
            }
            case OTHER_DATA -> {
                TrainingRun other = TrainingRun.resume(spec, otherData, gemm, run.state(), "cheat");
                while (other.stepsDone() < end) {
                    other.step();
                    out.add(other.state());
                }
                run = TrainingRun.resume(spec, data, gemm, other.state(), "cheat");
            }
            case NOISE -> {
                while (run.stepsDone() < end) {
                    run.step();
                    RunState s = run.state();
                    if (s.step() == begin + 2) {
                        List<float[]> p = s.parameters();
                        p.get(0)[new SplittableRandom(salt).nextInt(p.get(0).length)] += 1e-4f;
                        s = new RunState(s.step(), p, s.optimizerState());
                        run = TrainingRun.resume(spec, data, gemm, s, "cheat");
                    }
                    out.add(s);
                }
            }
            case MADE_UP_WEIGHTS -> {
                SplittableRandom r = new SplittableRandom(salt);
                RunState shape = run.state();
                for (long s = begin + 1; s <= spec.steps(); s++) {
                    out.add(randomLike(shape, s, r));
                }
                return out;
            }
        }
        while (run.stepsDone() < spec.steps()) {
            run.step();
            out.add(run.state());
        }
        return out;
    }

    /** The step whose execution the claims first get wrong (the one a dispute must end on: lo = this, hi = this + 1). */
    long firstWrongStep(long begin, long end) {
        return switch (this) {
            case NONE -> throw new IllegalStateException("an honest run has no wrong step");
            case SKIP_STEP -> end - 1;
            case OTHER_DATA, MADE_UP_WEIGHTS, DIVERGE -> begin;
            case NOISE -> begin + 1;
        };
    }

    /** {@code s} with every parameter NaN: the next step's loss is NaN whatever the batch. */
    static RunState diverging(RunState s) {
        List<float[]> p = s.parameters();
        p.forEach(a -> java.util.Arrays.fill(a, Float.NaN));
        return new RunState(s.step(), p, s.optimizerState());
    }

    private static RunState randomLike(RunState shape, long step, SplittableRandom r) {
        List<float[]> p = new ArrayList<>();
        for (float[] a : shape.parametersView()) {
            float[] b = new float[a.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (r.nextDouble() - 0.5) * 0.2f;
            }
            p.add(b);
        }
        List<float[]> o = shape.optimizerStateView().stream().map(a -> new float[a.length]).toList();
        return new RunState(step, p, o);
    }
}

package dev.hypha.ml.train.verify;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The ways a provider can fake work, each applied inside one segment (then, except for made-up weights, which end the
 * job, the provider trains honestly again from the state it claimed, which is its cheapest way to go on). Each
 * produces the provider's claimed state after every step and knows the first step whose execution it got wrong.
 */
enum Cheat {
    /** Does not run the segment's last step but claims the segment's end step count. */
    SKIP_STEP,
    /** Trains the segment on data the job does not name. */
    OTHER_DATA,
    /** Adds noise of 1e-4 to one weight after the segment's second step. */
    NOISE,
    /** Claims made-up weights for the final segment (it never trained it). */
    MADE_UP_WEIGHTS;

    /** The provider's claimed states, index = step, cheating in segment {@code segment} (1-based). */
    List<RunState> states(TinyJob job, FloatMatMul gemm, int segment, long salt) {
        int begin = (segment - 1) * TinyJob.EVERY;
        int end = segment * TinyJob.EVERY;
        List<RunState> honest = job.honestStates(gemm);
        List<RunState> out = new ArrayList<>(honest.subList(0, begin + 1));
        switch (this) {
            case SKIP_STEP -> {
                TrainingRun run = TrainingRun.resume(job.spec, job.data, gemm, out.getLast(), "cheat");
                while (run.stepsDone() < end - 1) {
                    run.step();
                    out.add(run.state());
                }
                out.add(run.state().withStep(end));
            }
            case OTHER_DATA -> {
                TrainingRun run = TrainingRun.resume(job.spec, job.otherData, gemm, out.getLast(), "cheat");
                while (run.stepsDone() < end) {
                    run.step();
                    out.add(run.state());
                }
            }
            case NOISE -> {
                TrainingRun run = TrainingRun.resume(job.spec, job.data, gemm, out.getLast(), "cheat");
                while (run.stepsDone() < end) {
                    run.step();
                    RunState s = run.state();
                    if (s.step() == begin + 2) {
                        List<float[]> p = s.parameters();
                        SplittableRandom r = new SplittableRandom(salt);
                        p.get(0)[r.nextInt(p.get(0).length)] += 1e-4f;
                        s = new RunState(s.step(), p, s.optimizerState());
                        run = TrainingRun.resume(job.spec, job.data, gemm, s, "cheat");
                    }
                    out.add(s);
                }
            }
            case MADE_UP_WEIGHTS -> {
                SplittableRandom r = new SplittableRandom(salt);
                for (int s = begin + 1; s <= end; s++) {
                    out.add(randomLike(honest.get(s), r));
                }
                return out;
            }
        }
        // honest again from the claimed state
        TrainingRun run = TrainingRun.resume(job.spec, job.data, gemm, out.getLast(), "cheat");
        while (run.stepsDone() < TinyJob.STEPS) {
            run.step();
            out.add(run.state());
        }
        return out;
    }

    /** The step whose re-execution first disagrees with the claims (the one a dispute should end on). */
    long firstWrongStep(int segment) {
        int begin = (segment - 1) * TinyJob.EVERY;
        return switch (this) {
            case SKIP_STEP -> begin + TinyJob.EVERY - 1;
            case OTHER_DATA, MADE_UP_WEIGHTS -> begin;
            case NOISE -> begin + 1;
        };
    }

    /** Which segment this cheat may be applied to. */
    boolean fits(int segment) {
        return this != MADE_UP_WEIGHTS || segment == TinyJob.SEGMENTS;
    }

    private static RunState randomLike(RunState shape, SplittableRandom r) {
        List<float[]> p = shape.parameters();
        for (float[] a : p) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextDouble() - 0.5) * 0.2f;
            }
        }
        return new RunState(shape.step(), p, shape.optimizerState());
    }
}

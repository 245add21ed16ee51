package dev.hypha.node.compute;

import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.verify.Replayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * DEVELOPMENT AND TEST ONLY: how a deliberately dishonest compute provider fakes a training job (a classifier or a LoRA fine-tune: the first parameter is its first weight, or its first adapter matrix A), so verification,
 * disputes and slashing can be tried end to end on a local chain ({@code hypha localnet --cheating-providers M},
 * {@code hypha compute offer --dev-cheat noise}, both refused on any other chain). A cheat is a fixed, deterministic
 * change to the training states, made where the job trains and reproduced where the provider defends its roots in a
 * dispute ({@link #replay}), so the cheater plays its disputes consistently, as a real cheater would, and loses them
 * on the merits (the referees re-execute the one disputed step), not by silence.
 */
public enum DevCheat {
    /** Honest. */
    NONE,
    /**
     * Adds {@value #NOISE_AMOUNT} to the first weight right after the job's first step, then trains on from there: every
     * root from step 1 on is of states honest training never reaches; the first wrong step is step 0.
     */
    NOISE;

    /** The steps done when the state is tampered with. */
    public static final long AT_STEPS_DONE = 1;
    /** What {@link #NOISE} adds to the first weight (large enough to survive float rounding at any magnitude used). */
    public static final float NOISE_AMOUNT = 1e-3f;

    /** The cheat named {@code text} on the command line ("noise"), or an error naming the choices. */
    public static DevCheat parse(String text) {
        for (DevCheat c : values()) {
            if (c != NONE && c.name().toLowerCase(Locale.ROOT).equals(text.strip().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cheat '" + text + "' (there is: noise)");
    }

    /**
     * Called by a training run after the update of step {@code step} (0-based) with the live parameters: the cheat
     * changes them in place, and the run trains on from the changed state.
     */
    public void afterStep(long step, List<Tensor> parameters) {
        if (this == NOISE && step + 1 == AT_STEPS_DONE) {
            parameters.getFirst().data()[0] += NOISE_AMOUNT;
        }
    }

    /** The state a provider cheating this way claims after {@code toStep} steps, re-executed from its claim at {@code from}. */
    public RunState replay(Replayer replayer, RunState from, long toStep) {
        if (this == NONE || from.step() >= AT_STEPS_DONE || toStep < AT_STEPS_DONE) {
            return replayer.replay(from, toStep);
        }
        RunState at = tamper(replayer.replay(from, AT_STEPS_DONE));
        return toStep == at.step() ? at : replayer.replay(at, toStep);
    }

    private RunState tamper(RunState honest) {
        List<float[]> p = new ArrayList<>(honest.parameters());
        float[] first = p.getFirst().clone();
        first[0] += NOISE_AMOUNT;
        p.set(0, first);
        return new RunState(honest.step(), p, honest.optimizerState());
    }
}

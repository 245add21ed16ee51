package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatMatMul;
import java.util.SplittableRandom;

/**
 * What one forward pass runs with: the GEMM (and its threads), the tape that records backward steps (null when no
 * gradient is wanted, as in evaluation), whether layers behave as in training (dropout), and the seeded random source
 * of this step's dropout masks.
 */
public record Forward(FloatMatMul gemm, Tape tape, boolean training, SplittableRandom random) {

    /** An evaluation pass: nothing recorded, dropout off. */
    public static Forward evaluation(FloatMatMul gemm) {
        return new Forward(gemm, null, false, null);
    }

    /** A training pass recording on {@code tape}, dropout masks drawn from {@code random}. */
    public static Forward training(FloatMatMul gemm, Tape tape, SplittableRandom random) {
        return new Forward(gemm, tape, true, random);
    }

    /** True when an operation on {@code inputs} must track a gradient and record its backward step. */
    boolean records(Tensor... inputs) {
        if (tape == null) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.tracksGradient()) {
                return true;
            }
        }
        return false;
    }

    /** The output tensor of an operation: tracked when it records, else a constant. */
    Tensor output(boolean tracked, float[] data, int... shape) {
        return tracked ? Tensor.tracked(data, shape) : Tensor.constant(data, shape);
    }
}

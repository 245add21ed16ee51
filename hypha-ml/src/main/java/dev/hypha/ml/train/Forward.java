package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatMatMul;
import java.util.SplittableRandom;

/**
 * What one forward pass runs with: the GEMM (and its threads), the tape that records backward steps (null when no
 * gradient is wanted, as in evaluation), whether layers behave as in training (dropout), and the seeded random source
 * of this step's dropout masks, and where working arrays come from (a {@link Workspace} reused across steps, or fresh
 * arrays when null).
 */
public record Forward(FloatMatMul gemm, Tape tape, boolean training, SplittableRandom random, Workspace workspace) {

    /** An evaluation pass: nothing recorded, dropout off. */
    public static Forward evaluation(FloatMatMul gemm) {
        return new Forward(gemm, null, false, null, null);
    }

    /** A zeroed working array: from the workspace when there is one. */
    float[] floats(int n) {
        return workspace == null ? new float[n] : workspace.floats(n);
    }

    /** The transpose of a row-major matrix, into a working array. */
    float[] transpose(float[] src, int rows, int cols) {
        float[] out = floats(rows * cols);
        FloatMatMul.transpose(src, rows, cols, out);
        return out;
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
        return tracked ? Tensor.tracked(data, floats(data.length), shape) : Tensor.constant(data, shape);
    }
}

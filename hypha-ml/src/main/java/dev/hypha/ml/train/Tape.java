package dev.hypha.ml.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Reverse-mode automatic differentiation as a tape: every operation that produces a tracked tensor appends the step
 * that pushes the output's gradient back to its inputs; {@link #backward} runs the steps newest first.
 *
 * <p>A tape rather than a graph walk: the order of the backward steps is exactly the reverse of the forward order,
 * fixed by the program, so gradients that meet at one tensor are always added in the same order (no hash ordering,
 * no topological sort with ties).
 */
public final class Tape {
    private final List<Runnable> steps = new ArrayList<>();

    /** Records a backward step (called by operations whose output tracks a gradient). */
    public void record(Runnable backwardStep) {
        steps.add(backwardStep);
    }

    /** The number of recorded steps. */
    public int size() {
        return steps.size();
    }

    /**
     * Back-propagates from a scalar {@code loss}: its gradient is set to 1 and every recorded step runs, newest first.
     * Gradients accumulate into the tensors' gradient arrays, so callers zero the parameters' gradients first.
     */
    public void backward(Tensor loss) {
        if (loss.size() != 1 || !loss.tracksGradient()) {
            throw new IllegalArgumentException("backward needs a scalar that tracks a gradient, got a tensor of " + loss.size()
                    + " elements" + (loss.tracksGradient() ? "" : " without gradient"));
        }
        loss.grad()[0] = 1f;
        for (int i = steps.size() - 1; i >= 0; i--) {
            steps.get(i).run();
        }
        steps.clear();
    }
}

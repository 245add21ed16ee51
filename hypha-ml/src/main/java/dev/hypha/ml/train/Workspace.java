package dev.hypha.ml.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Working arrays reused from one training step to the next. A step asks for arrays in the same order every time
 * (the program's order), so the i-th request of a step gets the array the i-th request of the previous step got,
 * zeroed, and a training loop allocates its activations, gradients and im2col buffers once.
 *
 * <p>Why: a CNN step needs about 60 MB of arrays that all stay live until the backward pass ends; allocated anew each
 * step they were promoted out of the young generation and grew the heap to 6 GB before a full collection.
 */
public final class Workspace {
    private final List<float[]> arrays = new ArrayList<>();
    private int next;

    /** Starts a step: arrays handed out before may be handed out again. */
    public void reset() {
        next = 0;
    }

    /** A zeroed array of {@code n} floats, valid until the next {@link #reset}. */
    public float[] floats(int n) {
        if (next < arrays.size() && arrays.get(next).length == n) {
            float[] reused = arrays.get(next++);
            Arrays.fill(reused, 0f);
            return reused;
        }
        float[] fresh = new float[n];
        if (next < arrays.size()) {
            arrays.set(next, fresh);
        } else {
            arrays.add(fresh);
        }
        next++;
        return fresh;
    }
}

package dev.hypha.ml.train.run;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the next training step depends on, besides the spec and the dataset: the number of steps done, the
 * parameters and the optimizer state (in {@code Network.parameterNames} and {@code Optimizer.state} order). The
 * data order, dropout masks and learning rate are functions of (spec, step), so they need no field of their own.
 * Holds its own copies: changing a run after taking its state never changes the state.
 */
public record RunState(long step, List<float[]> parameters, List<float[]> optimizerState) {
    public RunState {
        if (step < 0) {
            throw new IllegalArgumentException("step " + step + " is negative");
        }
        parameters = deepCopy(parameters);
        optimizerState = deepCopy(optimizerState);
    }

    /**
     * The state a stored checkpoint ({@link ModelFile} with optimizer state, as {@link Trainer} writes every
     * {@code checkpoint_every} steps) holds: what a provider commits the root of, and what a verifier replays from.
     */
    public static RunState fromCheckpoint(ModelFile.Contents checkpoint) {
        List<float[]> weights = checkpoint.network().parameters().stream().map(dev.hypha.ml.train.Tensor::data).toList();
        return new RunState(checkpoint.step(), weights, checkpoint.optimizerState());
    }

    /** The same arrays under another step count (what a provider that skipped steps would claim). */
    public RunState withStep(long newStep) {
        return new RunState(newStep, parameters, optimizerState);
    }

    private static List<float[]> deepCopy(List<float[]> arrays) {
        List<float[]> out = new ArrayList<>(arrays.size());
        for (float[] a : arrays) {
            out.add(a.clone());
        }
        return List.copyOf(out);
    }

    /** The arrays are copied on the way in; hand out copies too so the record stays immutable. */
    @Override
    public List<float[]> parameters() {
        return deepCopy(parameters);
    }

    @Override
    public List<float[]> optimizerState() {
        return deepCopy(optimizerState);
    }

    /** Read-only view without copying (the caller promises not to write; used for hashing). */
    public List<float[]> parametersView() {
        return parameters;
    }

    /** Read-only view without copying (the caller promises not to write; used for hashing). */
    public List<float[]> optimizerStateView() {
        return optimizerState;
    }
}

package dev.hypha.ml.train.run;

/**
 * Reads a stored training checkpoint back as the {@link RunState} whose root is committed, whatever kind of job wrote
 * it: a classifier's {@link ModelFile} (GGUF) or a LoRA fine-tune's {@link LoraCheckpoint}. The format is told by the
 * file's magic; a LoRA checkpoint's arrays are read against the shape of the job's initial state.
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** The array lengths of a job's state (parameters, then optimizer state): all a checkpoint is read against. */
    public record Shape(int[] parameters, int[] optimizer) {
        public Shape {
            parameters = parameters.clone();
            optimizer = optimizer.clone();
        }

        public static Shape of(RunState state) {
            return new Shape(state.parametersView().stream().mapToInt(a -> a.length).toArray(),
                    state.optimizerStateView().stream().mapToInt(a -> a.length).toArray());
        }

        int[] parameterLengths() {
            return parameters.clone();
        }

        int[] optimizerLengths() {
            return optimizer.clone();
        }
    }

    /**
     * @param name  what to call the checkpoint in errors (its content id)
     * @param like  the shape of the job's states (its initial state's)
     * @throws IllegalArgumentException when the bytes are neither kind, or do not fit the job's shape
     */
    public static RunState state(String name, byte[] bytes, Shape like) {
        if (LoraCheckpoint.isLoraCheckpoint(bytes)) {
            return LoraCheckpoint.decode(name, bytes, like);
        }
        return RunState.fromCheckpoint(ModelFile.decode(name, bytes));
    }
}

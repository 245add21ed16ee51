package dev.hypha.ml.llm;

/** Thrown when tokens would not fit the session's context; nothing is processed and the cache is unchanged. */
public final class ContextOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int position;
    private final int requested;
    private final int contextSize;

    public ContextOverflowException(int position, int requested, int contextSize) {
        super(requested + " more tokens do not fit: " + position + " tokens are already in the context of " + contextSize
                + " (shorten the prompt, lower max tokens, or open the session with a larger context)");
        this.position = position;
        this.requested = requested;
        this.contextSize = contextSize;
    }

    public int position() {
        return position;
    }

    public int requested() {
        return requested;
    }

    public int contextSize() {
        return contextSize;
    }
}

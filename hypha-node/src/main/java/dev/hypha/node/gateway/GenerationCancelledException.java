package dev.hypha.node.gateway;

/** The reader of a streamed answer went away; thrown through the engine's loop to stop generating at once. */
public final class GenerationCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GenerationCancelledException(String why, Throwable cause) {
        super(why, cause);
    }
}

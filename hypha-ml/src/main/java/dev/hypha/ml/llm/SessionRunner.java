package dev.hypha.ml.llm;

/**
 * How a {@link Generator} feeds tokens to its session: directly ({@link #DIRECT}), or through a
 * {@link ContinuousBatcher} stream that runs this session's steps together with other sessions' steps. Either way the
 * logits have the same bits.
 */
@FunctionalInterface
public interface SessionRunner {
    /** The session itself, on the caller's thread. */
    SessionRunner DIRECT = Session::process;

    /**
     * Appends {@code tokens} to {@code session} and returns the logits predicting the token after the last one.
     *
     * @throws ContextOverflowException if the tokens do not fit (nothing is processed then)
     */
    float[] process(Session session, int[] tokens);
}

package dev.hypha.ml.llm;

/**
 * Restricts which tokens the {@link Generator} may pick (structured output, e.g. JSON): before each draw it masks the
 * tokens that would break the structure, after it learns the token chosen. One constraint serves one generation.
 */
public interface TokenConstraint {

    /** Sets the logit of every token not allowed next to negative infinity; at least one token must stay allowed. */
    void mask(float[] logits);

    /** The token chosen (always one {@link #mask} allowed). */
    void accept(int token);

    /** No constraint. */
    TokenConstraint NONE = new TokenConstraint() {
        @Override
        public void mask(float[] logits) {
        }

        @Override
        public void accept(int token) {
        }
    };

    /**
     * Masks, in place, every token {@code allowed} refuses (tokens already masked stay so), for constraints that judge one
     * token at a time.
     *
     * @param what what the allowed tokens must continue, for the error when none can
     * @throws IllegalStateException when no token is left: the constraint cannot be met from here
     */
    static void maskRefused(float[] logits, java.util.function.IntPredicate allowed, String what) {
        boolean any = false;
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            if (allowed.test(t)) {
                any = true;
            } else {
                logits[t] = Float.NEGATIVE_INFINITY;
            }
        }
        if (!any) {
            throw new IllegalStateException("no token of the vocabulary can continue " + what);
        }
    }
}

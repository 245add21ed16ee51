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
}

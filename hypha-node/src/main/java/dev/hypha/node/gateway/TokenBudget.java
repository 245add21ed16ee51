package dev.hypha.node.gateway;

/**
 * The most a generation can consume, known before it runs.
 *
 * @param promptTokens  tokens of the rendered prompt
 * @param maxNewTokens  the most tokens it may generate (its limit, capped by the context left after the prompt)
 */
public record TokenBudget(int promptTokens, int maxNewTokens) {
    public TokenBudget {
        if (promptTokens < 1 || maxNewTokens < 1) {
            throw new IllegalArgumentException("a budget needs at least one prompt and one new token, got "
                    + promptTokens + " and " + maxNewTokens);
        }
    }
}

package dev.hypha.node.provider;

import dev.hypha.node.gateway.TokenBudget;
import java.math.BigInteger;
import java.util.Objects;

/**
 * What a provider charges, in the payment token's smallest units per million tokens. Amounts round up to a whole
 * unit, so a request is never free because it is short.
 *
 * @param inputPerMillion  price of a million prompt tokens
 * @param outputPerMillion price of a million generated tokens
 */
public record Prices(BigInteger inputPerMillion, BigInteger outputPerMillion) {
    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

    public Prices {
        if (Objects.requireNonNull(inputPerMillion, "inputPerMillion").signum() < 0
                || Objects.requireNonNull(outputPerMillion, "outputPerMillion").signum() < 0) {
            throw new IllegalArgumentException("prices must be >= 0, were " + inputPerMillion + " and " + outputPerMillion);
        }
    }

    /** The most a request can cost: all its prompt tokens and every token it may generate. */
    public BigInteger maximum(TokenBudget budget) {
        return cost(budget.promptTokens(), budget.maxNewTokens());
    }

    /** What {@code tokensIn} prompt and {@code tokensOut} generated tokens cost, rounded up. */
    public BigInteger cost(long tokensIn, long tokensOut) {
        if (tokensIn < 0 || tokensOut < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, were " + tokensIn + " and " + tokensOut);
        }
        BigInteger micro = BigInteger.valueOf(tokensIn).multiply(inputPerMillion)
                .add(BigInteger.valueOf(tokensOut).multiply(outputPerMillion));
        BigInteger[] qr = micro.divideAndRemainder(MILLION);
        return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    }
}

package dev.hypha.chain.agents;

import java.math.BigInteger;

/**
 * ERC-8004's {@code getSummary} over chosen raters: how many feedbacks counted and their payment-weighted mean.
 *
 * @param count         feedbacks counted
 * @param value         the weighted mean, with {@code valueDecimals} decimals
 * @param valueDecimals 18 (ReputationRegistry's summary precision)
 */
public record ReputationSummary(long count, BigInteger value, int valueDecimals) {}

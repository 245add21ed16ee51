package dev.hypha.chain.agents;

import dev.hypha.chain.ChainErrors;
import java.math.BigInteger;

/**
 * An agent account's limit for one token: at most {@code periodLimit} per fixed window of {@code periodSeconds}, and
 * at most {@code maxPerCall} in one payment (both in the token's smallest units, below 2^128).
 */
public record SpendingLimit(BigInteger periodLimit, BigInteger maxPerCall, long periodSeconds) {
    private static final BigInteger UINT128_MAX = BigInteger.TWO.pow(128).subtract(BigInteger.ONE);

    public SpendingLimit {
        if (periodLimit == null || periodLimit.signum() < 0 || periodLimit.compareTo(UINT128_MAX) > 0
                || maxPerCall == null || maxPerCall.signum() < 0 || maxPerCall.compareTo(UINT128_MAX) > 0) {
            throw ChainErrors.input("spending limits must be between 0 and 2^128-1");
        }
        if (periodSeconds <= 0) {
            throw ChainErrors.input("a spending period must be at least one second, was " + periodSeconds);
        }
    }
}

package dev.hypha.chain.assets;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/**
 * A data pool as DataPools stores it.
 *
 * @param contributionsEnd  last second contributions are accepted (unix seconds, chain time)
 * @param scoringEnd        last second scores are accepted; claims start after it
 * @param minValidatorStake VALIDATOR stake that makes any account a validator (0: named validators only)
 * @param totalScore        sum of the contributions' (mean) scores
 */
public record DataPool(long id, Address owner, long contributionsEnd, long scoringEnd, Address token,
                       BigInteger minValidatorStake, BigInteger deposited, BigInteger claimed, BigInteger totalScore,
                       long contributions) {}

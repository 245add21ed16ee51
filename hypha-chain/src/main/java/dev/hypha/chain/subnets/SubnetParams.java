package dev.hypha.chain.subnets;

import java.math.BigInteger;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;

/**
 * A subnet's hyper-parameters as SubnetRegistry stores them (Bittensor's names and units).
 *
 * @param kappa consensus quantile, u16 proportion (32767 = 0.5)
 * @param bondsPenalty β, u16 proportion (65535: bonds follow clipped weights)
 * @param bondsMovingAverage millionths; the bonds EMA coefficient is 1 − it/1e6
 * @param activityCutoff blocks after its last commit a validator still counts as active
 * @param minBurn registration price floor (wei)
 * @param maxBurn registration price ceiling (wei)
 */
public record SubnetParams(long tempo, int maxUids, int maxValidators, long immunityPeriod, int kappa, int bondsPenalty,
        long bondsMovingAverage, long weightsRateLimit, long commitRevealInterval, long activityCutoff, BigInteger minBurn,
        BigInteger maxBurn) {

    private static final BigInteger HYP = BigInteger.TEN.pow(18);

    /** Bittensor's defaults where they fit a local chain: tempo 360 → 20 blocks, 256 UIDs, 64 validators. */
    public static SubnetParams localDefaults() {
        return new SubnetParams(20, 256, 64, 40, 32_767, 65_535, 900_000, 2, 4, 5_000, HYP, HYP.multiply(BigInteger.valueOf(100)));
    }

    public StaticStruct toStruct() {
        return new StaticStruct(new Uint64(tempo), new Uint16(maxUids), new Uint16(maxValidators), new Uint64(immunityPeriod),
                new Uint16(kappa), new Uint16(bondsPenalty), new Uint64(bondsMovingAverage), new Uint64(weightsRateLimit),
                new Uint64(commitRevealInterval), new Uint64(activityCutoff), new Uint256(minBurn), new Uint256(maxBurn));
    }
}

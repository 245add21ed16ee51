package dev.hypha.chain.deploy;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * Parameters of a Hypha deployment.
 *
 * @param hypCap HyphaToken's supply cap (wei units of HYP)
 * @param hypInitialSupply HYP minted to the deployer at deployment
 * @param unbondingPeriodSeconds Staking's unbonding period
 * @param minProviderStake ProviderRegistry's minimum provider stake (wei units of HYP)
 * @param admin governance address (DEFAULT_ADMIN_ROLE everywhere); empty means the deployer
 * @param slashSink where slashed stake goes; empty means the deployer
 */
public record DeployParams(BigInteger hypCap, BigInteger hypInitialSupply, long unbondingPeriodSeconds,
                           BigInteger minProviderStake, Optional<String> admin, Optional<String> slashSink) {
    /** 10^18: one HYP in its smallest units. */
    public static final BigInteger HYP = BigInteger.TEN.pow(18);
    /** Seven days, the default unbonding period for public networks. */
    public static final long SEVEN_DAYS = 7L * 24 * 3600;
    /** Staking's upper bound on the unbonding period (365 days). */
    public static final long MAX_UNBONDING_SECONDS = 365L * 24 * 3600;

    public DeployParams {
        Objects.requireNonNull(hypCap, "hypCap");
        Objects.requireNonNull(hypInitialSupply, "hypInitialSupply");
        Objects.requireNonNull(minProviderStake, "minProviderStake");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(slashSink, "slashSink");
        if (hypCap.signum() <= 0) {
            throw new IllegalArgumentException("HYP cap must be > 0, was " + hypCap);
        }
        if (hypInitialSupply.signum() < 0 || hypInitialSupply.compareTo(hypCap) > 0) {
            throw new IllegalArgumentException("initial HYP supply must be between 0 and the cap " + hypCap + ", was " + hypInitialSupply);
        }
        if (unbondingPeriodSeconds < 0 || unbondingPeriodSeconds > MAX_UNBONDING_SECONDS) {
            throw new IllegalArgumentException("unbonding period must be 0.." + MAX_UNBONDING_SECONDS + " s, was " + unbondingPeriodSeconds);
        }
        if (minProviderStake.signum() < 0) {
            throw new IllegalArgumentException("minimum provider stake must be >= 0, was " + minProviderStake);
        }
    }

    /**
     * Defaults for a public network: cap 1e9 HYP, 100M HYP (10 %) to the deployer (the rest is
     * left for emissions by MINTER_ROLE), 7-day unbonding, 1000 HYP minimum provider stake.
     */
    public static DeployParams defaults() {
        return new DeployParams(HYP.multiply(BigInteger.valueOf(1_000_000_000L)), HYP.multiply(BigInteger.valueOf(100_000_000L)),
                SEVEN_DAYS, HYP.multiply(BigInteger.valueOf(1_000)), Optional.empty(), Optional.empty());
    }

    /** Like {@link #defaults()} but with a 60 s unbonding period, for local devnets. */
    public static DeployParams devnet() {
        return defaults().withUnbondingPeriod(60);
    }

    /** A copy with another unbonding period. */
    public DeployParams withUnbondingPeriod(long seconds) {
        return new DeployParams(hypCap, hypInitialSupply, seconds, minProviderStake, admin, slashSink);
    }

    /** A copy with another minimum provider stake. */
    public DeployParams withMinProviderStake(BigInteger minStake) {
        return new DeployParams(hypCap, hypInitialSupply, unbondingPeriodSeconds, minStake, admin, slashSink);
    }
}

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
 * @param governanceDelaySeconds how long every governance action waits: HyphaTimelock's delay, and the delay before a
 *     new default admin may accept a handover; longer than the unbonding period, so stakers can leave before a change
 *     they reject takes effect
 * @param governor the account that proposes (and may cancel) governance actions on the timelock; empty means the
 *     deployer. It holds no role on the other contracts: the timelock is their admin.
 * @param slashSink where slashed stake goes; empty means the timelock (so moving it out is a delayed governance action)
 */
public record DeployParams(BigInteger hypCap, BigInteger hypInitialSupply, long unbondingPeriodSeconds,
                           BigInteger minProviderStake, long governanceDelaySeconds, Optional<String> governor,
                           Optional<String> slashSink) {
    /** 10^18: one HYP in its smallest units. */
    public static final BigInteger HYP = BigInteger.TEN.pow(18);
    /** One day in seconds: the contracts' floor on the unbonding period and the governance delay outside 31337. */
    public static final long ONE_DAY = 24L * 3600;
    /** Seven days, the default unbonding period for public networks. */
    public static final long SEVEN_DAYS = 7 * ONE_DAY;
    /** Eight days, the default governance delay for public networks: the unbonding period plus a day to react. */
    public static final long EIGHT_DAYS = 8 * ONE_DAY;
    /** Staking's upper bound on the unbonding period (365 days). */
    public static final long MAX_UNBONDING_SECONDS = 365L * 24 * 3600;
    /** The local development chain (anvil's default), the only chain where periods and delays under a day are allowed. */
    public static final long LOCAL_CHAIN_ID = 31337;

    public DeployParams {
        Objects.requireNonNull(hypCap, "hypCap");
        Objects.requireNonNull(hypInitialSupply, "hypInitialSupply");
        Objects.requireNonNull(minProviderStake, "minProviderStake");
        Objects.requireNonNull(governor, "governor");
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
        // uint48 in the contracts (admin handover delay); far beyond any sensible delay anyway.
        if (governanceDelaySeconds < 0 || governanceDelaySeconds > MAX_UNBONDING_SECONDS * 2) {
            throw new IllegalArgumentException("governance delay must be 0.." + MAX_UNBONDING_SECONDS * 2 + " s, was "
                    + governanceDelaySeconds);
        }
        if (governanceDelaySeconds <= unbondingPeriodSeconds) {
            throw new IllegalArgumentException("governance delay (" + governanceDelaySeconds + " s) must be longer than the "
                    + "unbonding period (" + unbondingPeriodSeconds + " s), so stakers can leave before a governance change "
                    + "they reject takes effect");
        }
    }

    /**
     * Defaults for a public network: cap 1e9 HYP, 100M HYP (10 %) to the deployer (the rest is left for emissions by
     * MINTER_ROLE), 7-day unbonding, 1000 HYP minimum provider stake, 8-day governance delay.
     */
    public static DeployParams defaults() {
        return new DeployParams(HYP.multiply(BigInteger.valueOf(1_000_000_000L)), HYP.multiply(BigInteger.valueOf(100_000_000L)),
                SEVEN_DAYS, HYP.multiply(BigInteger.valueOf(1_000)), EIGHT_DAYS, Optional.empty(), Optional.empty());
    }

    /**
     * Like {@link #defaults()} but with a 60 s unbonding period and a 120 s governance delay, for local devnets (chain
     * 31337, the only chain whose contracts accept periods under a day).
     */
    public static DeployParams devnet() {
        return defaults().withUnbondingPeriod(60).withGovernanceDelay(120);
    }

    /** A copy with another unbonding period. */
    public DeployParams withUnbondingPeriod(long seconds) {
        return new DeployParams(hypCap, hypInitialSupply, seconds, minProviderStake, governanceDelaySeconds, governor, slashSink);
    }

    /** A copy with another minimum provider stake. */
    public DeployParams withMinProviderStake(BigInteger minStake) {
        return new DeployParams(hypCap, hypInitialSupply, unbondingPeriodSeconds, minStake, governanceDelaySeconds, governor,
                slashSink);
    }

    /** A copy with another governance delay. */
    public DeployParams withGovernanceDelay(long seconds) {
        return new DeployParams(hypCap, hypInitialSupply, unbondingPeriodSeconds, minProviderStake, seconds, governor, slashSink);
    }

    /** A copy with another governor (the timelock's proposer). */
    public DeployParams withGovernor(String address) {
        return new DeployParams(hypCap, hypInitialSupply, unbondingPeriodSeconds, minProviderStake, governanceDelaySeconds,
                Optional.of(address), slashSink);
    }
}

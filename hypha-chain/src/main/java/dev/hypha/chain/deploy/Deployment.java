package dev.hypha.chain.deploy;

import dev.hypha.chain.ChainErrors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where Hypha's contracts live on one chain.
 *
 * @param chainId the chain id
 * @param deployer the account that deployed them
 * @param contracts contract name to record, in deployment order
 * @param unbondingPeriodSeconds Staking's unbonding period at deployment
 * @param minProviderStake ProviderRegistry's minimum stake at deployment (decimal string of wei)
 * @param governor the account that proposes governance actions on HyphaTimelock (the admin of the other contracts);
 *     empty in files written before governance was recorded
 * @param governanceDelaySeconds HyphaTimelock's delay at deployment (also the admin handover delay)
 */
public record Deployment(long chainId, String deployer, Map<String, DeployedContract> contracts,
                         long unbondingPeriodSeconds, String minProviderStake, String governor,
                         long governanceDelaySeconds) {
    public Deployment {
        Objects.requireNonNull(deployer, "deployer");
        Objects.requireNonNull(minProviderStake, "minProviderStake");
        governor = governor == null ? "" : governor; // files written before governance was recorded
        contracts = Collections.unmodifiableMap(new LinkedHashMap<>(contracts));
    }

    /** The address of a contract by name, e.g. {@code address("Staking")}. */
    public String address(String contract) {
        DeployedContract c = contracts.get(contract);
        if (c == null) {
            throw ChainErrors.chain("deployment on chain " + chainId + " has no " + contract + " (it has " + contracts.keySet() + ")");
        }
        return c.address();
    }

    /** The earliest block any of the contracts was created in (where an indexer should start). */
    public long deployBlock() {
        return contracts.values().stream().mapToLong(DeployedContract::block).min().orElse(0);
    }
}

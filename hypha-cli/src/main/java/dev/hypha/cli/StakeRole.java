package dev.hypha.cli;

import dev.hypha.chain.deploy.StakingClient;

/** The roles one can stake HYP for, as typed on the command line ({@code --role provider}). */
enum StakeRole {
    provider(StakingClient.PROVIDER_ROLE),
    validator(StakingClient.VALIDATOR_ROLE);

    private final byte[] id;

    StakeRole(byte[] id) {
        this.id = id;
    }

    /** The role's id in the Staking contract: keccak256 of its upper-case name. */
    byte[] id() {
        return id.clone();
    }
}

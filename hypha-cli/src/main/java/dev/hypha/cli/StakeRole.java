package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;

/** The roles one can stake HYP for, as typed on the command line ({@code --role provider}). */
enum StakeRole {
    provider(HyphaContracts.PROVIDER_ROLE),
    validator(HyphaContracts.VALIDATOR_ROLE);

    private final byte[] id;

    StakeRole(byte[] id) {
        this.id = id;
    }

    /** The role's id in the Staking contract: keccak256 of its upper-case name. */
    byte[] id() {
        return id.clone();
    }
}

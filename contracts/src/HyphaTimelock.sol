// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title HyphaTimelock
/// @notice Hypha's governance: the default admin of HyphaToken, Staking and ProviderRegistry, and the default slash
/// sink. Every role grant and parameter change is an operation that a proposer schedules, that waits at least
/// `getMinDelay()` (visible to everyone as a CallScheduled event, so stakers can leave before a change they reject
/// takes effect), and that anyone may then execute. The timelock administers itself: changing its proposers or its
/// delay is itself a delayed operation.
/// @dev An OpenZeppelin TimelockController with a floor on the delay: at least MIN_DELAY on every chain but the
/// local development chain (31337), where `hypha up` uses seconds so the devnet stays usable. The constructor
/// refuses a shorter delay; `getMinDelay` never reports (and `schedule` never accepts) less than the floor.
contract HyphaTimelock is TimelockController {
    /// @notice Lower bound on the delay on every chain but the local development chain.
    uint256 public constant MIN_DELAY = 1 days;
    /// @notice Chain id of the local development chain (anvil's default, `hypha up`), where any delay is allowed.
    uint256 public constant LOCAL_CHAIN_ID = 31337;

    /// @notice The delay is below MIN_DELAY (allowed only on the local development chain).
    error DelayTooShort(uint256 delay, uint256 min);

    /// @param minDelay seconds every operation waits (>= MIN_DELAY except on the local chain)
    /// @param proposers accounts that schedule and cancel operations (governance's multisig)
    /// @param executors accounts that execute ready operations; [address(0)] lets anyone execute
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {
        _checkDelay(minDelay);
    }

    /// @notice The delay every operation waits: what was set, but never less than MIN_DELAY outside the local
    /// chain (TimelockController's `updateDelay` cannot be narrowed, so a shorter delay set later is raised here).
    /// @return seconds
    function getMinDelay() public view override returns (uint256) {
        uint256 delay = super.getMinDelay();
        if (block.chainid != LOCAL_CHAIN_ID && delay < MIN_DELAY) return MIN_DELAY;
        return delay;
    }

    function _checkDelay(uint256 delay) private view {
        if (delay < MIN_DELAY && block.chainid != LOCAL_CHAIN_ID) revert DelayTooShort(delay, MIN_DELAY);
    }
}

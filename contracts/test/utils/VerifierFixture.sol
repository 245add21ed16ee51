// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CoordinatorFixture} from "./CoordinatorFixture.sol";
import {TrainingStates} from "./TrainingStates.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {ComputeMarket} from "../../src/ComputeMarket.sol";
import {TrainingVerifier} from "../../src/TrainingVerifier.sol";

/// @notice ComputeMarket and TrainingVerifier among HYP, Staking and ProviderRegistry, wired as `hypha deploy` wires
/// them (the market binds the verifier, Staking grants it FAULT_PROOF_ROLE), with helpers for leases, verifiers'
/// stake and a dispute's moves by a party holding a TrainingStates view.
abstract contract VerifierFixture is CoordinatorFixture {
    using TrainingStates for TrainingStates.View;

    bytes32 internal constant SPEC = keccak256("tiny.toml");
    uint256 internal constant BOND = 100 ether;
    uint256 internal constant SLASH = 500 ether;
    uint256 internal constant MIN_VERIFIER_STAKE = 1_000 ether;
    uint64 internal constant CHALLENGE_WINDOW = 1 days;
    uint64 internal constant MOVE_TIMEOUT = 1 hours;
    uint64 internal constant VOTE_WINDOW = 2 hours;
    uint32 internal constant QUORUM = 2;
    uint256 internal constant LEASE_DEPOSIT = 10_000e6;

    PaymentToken internal usd;
    ComputeMarket internal market;
    TrainingVerifier internal verifier;

    function _deployVerifier() internal {
        _deployRegistry();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        market = new ComputeMarket(registry, IERC20(address(usd)));
        verifier = new TrainingVerifier(
            market, staking, BOND, SLASH, MIN_VERIFIER_STAKE, CHALLENGE_WINDOW, MOVE_TIMEOUT, VOTE_WINDOW, QUORUM
        );
        market.bindVerifier(address(verifier));
        bytes32 role = staking.FAULT_PROOF_ROLE();
        vm.prank(admin);
        staking.grantRole(role, address(verifier));
    }

    /// @dev Gives `who` `amount` VALIDATOR stake and `bonds` HYP approved to the verifier.
    function _stakeVerifier(address who, uint256 amount, uint256 bonds) internal {
        vm.assertTrue(hyp.transfer(who, amount + bonds));
        bytes32 role = staking.VALIDATOR();
        vm.startPrank(who);
        hyp.approve(address(staking), amount);
        staking.stake(role, amount);
        hyp.approve(address(verifier), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev A registered provider's lease: the tenant orders at 36 hUSD/h and accepts the provider's bid.
    function _lease(address tenant, address provider) internal returns (uint256 id) {
        ComputeMarket.Resources memory needs = ComputeMarket.Resources({cores: 1, memoryMiB: 512, accelerators: 0});
        usd.mint(tenant, LEASE_DEPOSIT);
        vm.startPrank(tenant);
        usd.approve(address(market), LEASE_DEPOSIT);
        id = market.createOrder(SPEC, needs, 36e6, LEASE_DEPOSIT, 1 hours, address(0));
        vm.stopPrank();
        vm.prank(provider);
        market.bid(id, 36e6, needs, "", 0);
        vm.prank(tenant);
        market.acceptBid(id, 0);
    }

    /// @dev `provider` commits its view's roots at steps 0, every, 2·every, ..., n·every.
    function _commitAll(uint256 id, address provider, TrainingStates.View memory v, uint64 every, uint64 n) internal {
        for (uint64 i = 0; i <= n; ++i) {
            vm.prank(provider);
            verifier.commit(id, i * every, v.root(i * every), TrainingStates.DEPTH);
        }
    }

    /// @dev `party`'s move in the current round of `disputeId`, computed from its view.
    function _move(uint256 disputeId, address party, TrainingStates.View memory v) internal {
        TrainingVerifier.Dispute memory d = verifier.getDispute(disputeId);
        bytes32 a;
        bytes32 b;
        if (d.phase == TrainingVerifier.Phase.Bisect) {
            a = v.root(verifier.midStep(disputeId));
        } else {
            a = v.node(d.hi, d.level + 1, 2 * d.nodeIndex);
            b = v.node(d.hi, d.level + 1, 2 * d.nodeIndex + 1);
        }
        vm.prank(party);
        verifier.move(disputeId, a, b);
    }

    /// @dev Both parties move from their views until the dispute reaches the vote.
    function _playToVote(
        uint256 disputeId,
        address provider,
        TrainingStates.View memory pv,
        address challenger,
        TrainingStates.View memory cv
    ) internal {
        while (verifier.getDispute(disputeId).phase != TrainingVerifier.Phase.Vote) {
            _move(disputeId, provider, pv);
            _move(disputeId, challenger, cv);
        }
    }

    /// @dev What an honest referee votes: the true leaf at the dispute's leaf of the state after `hi`.
    function _truth(uint256 disputeId) internal view returns (bytes32) {
        TrainingVerifier.Dispute memory d = verifier.getDispute(disputeId);
        return TrainingStates.honest().leafHash(d.hi, d.nodeIndex);
    }
}

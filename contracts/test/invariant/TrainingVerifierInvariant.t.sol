// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {VerifierFixture} from "../utils/VerifierFixture.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {ComputeMarket} from "../../src/ComputeMarket.sol";
import {TrainingVerifier} from "../../src/TrainingVerifier.sol";
import {TrainingVerifierHandler} from "./handlers/TrainingVerifierHandler.sol";

/// @notice Whatever mix of commitments, honest and lying challenges, dishonest moves and silences, byzantine votes,
/// resolutions and time travel: bonds are conserved (the verifier holds exactly the open disputes' bonds, every bond
/// taken in was paid out once or is still held), an honest side never loses a game it plays (with honest referees in
/// the majority), the honest verifier and referees are never slashed, and the market's escrow stays whole: deposits =
/// paid + held + refunded, the market holds the escrow plus what was paid but not released, each provider holds exactly
/// what was released to it, and no provider has been paid for work whose commitment can still be challenged (leases
/// are also settled, closed by either party and released at random, so disputes outlive leases).
contract TrainingVerifierInvariantTest is VerifierFixture, InvariantTest {
    TrainingVerifierHandler internal handler;
    address[2] internal providers;
    uint256[2] internal leases;
    address internal honestChallenger;
    address[3] internal referees;
    uint256 internal honestStake;
    address internal tenant;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployVerifier();
        tenant = makeAddr("tenant");
        for (uint256 i = 0; i < 2; ++i) {
            providers[i] = makeAddr(string.concat("provider", vm.toString(i)));
            _registerProvider(providers[i], string.concat("provider", vm.toString(i)));
            leases[i] = _lease(tenant, providers[i]);
        }
        honestChallenger = makeAddr("honest-challenger");
        address liar = makeAddr("liar");
        address byzantine = makeAddr("byzantine");
        _stakeVerifier(honestChallenger, MIN_VERIFIER_STAKE, 100 * BOND);
        honestStake = MIN_VERIFIER_STAKE;
        _stakeVerifier(liar, 100 * SLASH, 100 * BOND);
        _stakeVerifier(byzantine, MIN_VERIFIER_STAKE, 0);
        for (uint256 i = 0; i < 3; ++i) {
            referees[i] = makeAddr(string.concat("referee", vm.toString(i)));
            _stakeVerifier(referees[i], MIN_VERIFIER_STAKE, 0);
        }
        handler = new TrainingVerifierHandler(verifier, leases, providers, honestChallenger, liar, referees, byzantine);

        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = TrainingVerifierHandler.commit.selector;
        selectors[1] = TrainingVerifierHandler.challengeHonestly.selector;
        selectors[2] = TrainingVerifierHandler.challengeWithALie.selector;
        selectors[3] = TrainingVerifierHandler.moveDishonestly.selector;
        selectors[4] = TrainingVerifierHandler.voteByzantine.selector;
        selectors[5] = TrainingVerifierHandler.resolve.selector;
        selectors[6] = TrainingVerifierHandler.warp.selector;
        selectors[7] = TrainingVerifierHandler.settle.selector;
        selectors[8] = TrainingVerifierHandler.closeLease.selector;
        selectors[9] = TrainingVerifierHandler.release.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    function invariant_BondsAreConservedAndHonestSidesNeverLose() public view {
        vm.assertEq(hyp.balanceOf(address(verifier)), verifier.bondsHeld(), "balance = open bonds");
        vm.assertEq(handler.ghostBondsIn() - handler.ghostBondsOut(), verifier.bondsHeld(), "in = out + held");
        uint256 open;
        for (uint256 i = 0; i < handler.disputeCount(); ++i) {
            uint256 d = handler.disputes(i);
            TrainingVerifier.Dispute memory s = verifier.getDispute(d);
            if (s.phase != TrainingVerifier.Phase.Resolved) open += s.bond;
        }
        vm.assertEq(open, verifier.bondsHeld(), "held = bonds of unresolved disputes");
        vm.assertEq(handler.ghostHonestLosses(), 0, "an honest side lost");
        vm.assertEq(staking.stakeOf(providers[0], staking.PROVIDER()), MIN_STAKE, "the honest provider was slashed");
        vm.assertEq(staking.stakeOf(honestChallenger, staking.VALIDATOR()), honestStake, "the honest verifier was slashed");
        for (uint256 i = 0; i < 3; ++i) {
            vm.assertEq(staking.stakeOf(referees[i], staking.VALIDATOR()), MIN_VERIFIER_STAKE, "a referee was slashed");
        }
        vm.assertTrue(market.getOrder(leases[0]).closeReason != ComputeMarket.CloseReason.Fault, "honest lease faulted");
    }

    function invariant_LeaseFundsAreConservedAndPayWaitsForTheWorkToBeFinal() public view {
        uint256 inMarket;
        uint256 books;
        for (uint256 i = 0; i < 2; ++i) {
            ComputeMarket.Order memory o = market.getOrder(leases[i]);
            uint256 released = market.released(leases[i]);
            vm.assertLe(released, o.paid, "released more than paid");
            vm.assertEq(usd.balanceOf(providers[i]), released, "a provider holds other than what was released to it");
            inMarket += uint256(o.held) + o.paid - released;
            books += uint256(o.paid) + o.held;
            // pay for the segment a commitment covers stays here while that commitment can be challenged
            uint256 n = verifier.commitmentCount(leases[i]);
            for (uint256 j = 0; j < n; ++j) {
                TrainingVerifier.Commitment memory c = verifier.getCommitment(leases[i], j);
                if (block.timestamp > uint256(c.time) + CHALLENGE_WINDOW) continue;
                uint256 start = j == 0 ? o.leaseStart : verifier.getCommitment(leases[i], j - 1).time;
                vm.assertLe(released, uint256(o.pricePerHour) * (start - o.leaseStart) / 3600, "paid for challengeable work");
                break;
            }
        }
        vm.assertEq(usd.balanceOf(address(market)), inMarket, "market holds other than escrow + unreleased pay");
        vm.assertEq(usd.balanceOf(tenant) + books, 2 * LEASE_DEPOSIT, "deposits != paid + held + refunded");
    }
}

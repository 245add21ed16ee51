// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Staking} from "../../src/Staking.sol";
import {OpmlVerifier} from "../../src/opml/OpmlVerifier.sol";
import {OpmlVerifierHandler} from "./handlers/OpmlVerifierHandler.sol";

/// @notice Whatever mix of honest providers challenged by liars, cheating providers challenged by honest challengers,
/// dishonest moves and silences, timeouts and time jumps: the verifier holds exactly the open disputes' bonds, every
/// bond taken in was paid out once or is still held, an honest side never loses, and honest stake is never slashed.
/// forge-config: default.invariant.runs = 16
/// forge-config: default.invariant.depth = 24
contract OpmlVerifierInvariantTest is HyphaTest, InvariantTest {
    OpmlVerifierHandler internal handler;
    OpmlVerifier internal verifier;
    IERC20 internal hyp;
    Staking internal staking;
    uint256 internal honestProviderStake;
    uint256 internal honestChallengerStake;

    function setUp() public {
        handler = new OpmlVerifierHandler();
        verifier = OpmlVerifier(handler.verifierAddress());
        hyp = IERC20(handler.token());
        staking = Staking(handler.stakingAddress());
        honestProviderStake = staking.stakeOf(handler.honestProvider(), staking.PROVIDER());
        honestChallengerStake = staking.stakeOf(handler.honestChallenger(), staking.VALIDATOR());
        bytes4[] memory selectors = new bytes4[](4);
        selectors[0] = OpmlVerifierHandler.challengeHonestProvider.selector;
        selectors[1] = OpmlVerifierHandler.challengeCheatingProvider.selector;
        selectors[2] = OpmlVerifierHandler.dishonestMoves.selector;
        selectors[3] = OpmlVerifierHandler.warpAndTimeout.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    function invariant_bondsAreConservedAndHonestSidesNeverLose() public view {
        vm.assertEq(hyp.balanceOf(address(verifier)), verifier.bondsHeld(), "balance = open bonds");
        vm.assertEq(handler.ghostBondsIn() - handler.ghostBondsOut(), verifier.bondsHeld(), "in = out + held");
        uint256 open;
        for (uint256 i = 0; i < handler.disputeCount(); ++i) {
            OpmlVerifier.Dispute memory d = verifier.getDispute(handler.disputes(i));
            if (d.phase != OpmlVerifier.Phase.Resolved) open += d.bond;
        }
        vm.assertEq(open, verifier.bondsHeld(), "held = bonds of unresolved disputes");
        vm.assertEq(handler.ghostHonestLosses(), 0, "an honest side lost");
        vm.assertEq(staking.stakeOf(handler.honestProvider(), staking.PROVIDER()), honestProviderStake, "honest provider slashed");
        vm.assertEq(
            staking.stakeOf(handler.honestChallenger(), staking.VALIDATOR()), honestChallengerStake, "honest challenger slashed"
        );
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {VerifierFixture} from "./utils/VerifierFixture.sol";
import {TrainingStates} from "./utils/TrainingStates.sol";
import {ComputeMarket} from "../src/ComputeMarket.sol";
import {TrainingVerifier} from "../src/TrainingVerifier.sol";
import {Staking} from "../src/Staking.sol";

contract TrainingVerifierTest is VerifierFixture {
    using TrainingStates for TrainingStates.View;

    address internal tenant;
    address internal provider;
    address internal challenger;
    address internal stranger;
    address[4] internal referees;
    uint256 internal id;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployVerifier();
        tenant = makeAddr("tenant");
        provider = makeAddr("provider");
        challenger = makeAddr("challenger");
        stranger = makeAddr("stranger");
        _registerProvider(provider, "provider");
        // extra PROVIDER stake so a slash is visible but not total
        vm.assertTrue(hyp.transfer(provider, 2_000 ether));
        bytes32 pRole = staking.PROVIDER();
        vm.startPrank(provider);
        hyp.approve(address(staking), 2_000 ether);
        staking.stake(pRole, 2_000 ether);
        vm.stopPrank();
        _stakeVerifier(challenger, 2_000 ether, 1_000 ether);
        for (uint256 i = 0; i < 4; ++i) {
            referees[i] = makeAddr(string.concat("referee", vm.toString(i)));
            _stakeVerifier(referees[i], MIN_VERIFIER_STAKE, 0);
        }
        id = _lease(tenant, provider);
    }

    function _cheat(uint64 from, uint64 leaf) internal pure returns (TrainingStates.View memory) {
        return TrainingStates.View({variant: keccak256("cheat"), from: from, leaf: leaf});
    }

    function _lie(uint64 from, uint64 leaf) internal pure returns (TrainingStates.View memory) {
        return TrainingStates.View({variant: keccak256("lie"), from: from, leaf: leaf});
    }

    function _challenge(uint256 index, TrainingStates.View memory cv) internal returns (uint256) {
        uint64 step = verifier.getCommitment(id, index).step;
        vm.prank(challenger);
        return verifier.challenge(id, index, cv.root(step));
    }

    function _voteAll(uint256 disputeId, uint256 honestVotes, bytes32 otherVote) internal {
        bytes32 truth = _truth(disputeId);
        for (uint256 i = 0; i < 4; ++i) {
            vm.prank(referees[i]);
            verifier.vote(disputeId, i < honestVotes ? truth : otherVote);
        }
    }

    // ---------------------------------------------------------------------------------------------- commitments

    function test_commit_recordsRootsOfTheLeasesProviderInStepOrder() public {
        _commitAll(id, provider, TrainingStates.honest(), 4, 3);
        vm.assertEq(verifier.commitmentCount(id), 4);
        TrainingVerifier.Commitment memory c = verifier.getCommitment(id, 2);
        vm.assertEq(c.step, 8);
        vm.assertEq(c.root, TrainingStates.honest().root(8));
        vm.assertEq(c.time, block.timestamp);
        vm.assertEq(verifier.treeDepth(id), TrainingStates.DEPTH);
    }

    function test_commit_gasOfOneCommitment() public {
        _commitAll(id, provider, TrainingStates.honest(), 4, 0);
        vm.prank(provider);
        verifier.commit(id, 4, keccak256("root"), TrainingStates.DEPTH);
    }

    function test_commit_refusesOthersStepsOutOfOrderAndAChangedDepth() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotProvider.selector, id, stranger));
        verifier.commit(id, 0, bytes32(uint256(1)), 3);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.FirstCommitmentNotStepZero.selector, 4));
        verifier.commit(id, 4, bytes32(uint256(1)), 3);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.InvalidDepth.selector, 0, 40));
        verifier.commit(id, 0, bytes32(uint256(1)), 0);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.InvalidDepth.selector, 41, 40));
        verifier.commit(id, 0, bytes32(uint256(1)), 41);
        vm.prank(provider);
        verifier.commit(id, 0, bytes32(uint256(1)), 3);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.StepNotAfter.selector, 0, 0));
        verifier.commit(id, 0, bytes32(uint256(2)), 3);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.InvalidDepth.selector, 4, 3));
        verifier.commit(id, 4, bytes32(uint256(2)), 4);
    }

    function test_commit_refusesAnOrderThatIsNotLeased() public {
        vm.prank(tenant);
        market.closeLease(id);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotLeased.selector, id));
        verifier.commit(id, 0, bytes32(uint256(1)), 3);
    }

    // ---------------------------------------------------------------------------------------------- challenges

    function test_challenge_needsStakeABondTheWindowAndAnotherRoot() public {
        _commitAll(id, provider, TrainingStates.honest(), 4, 2);
        bytes32 other = keccak256("other");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotVerifier.selector, stranger));
        verifier.challenge(id, 1, other);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.PartyCannotAct.selector, provider));
        verifier.challenge(id, 1, other);
        vm.prank(challenger);
        vm.expectRevert(TrainingVerifier.SameRoot.selector);
        verifier.challenge(id, 1, TrainingStates.honest().root(4));
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.UnknownCommitment.selector, id, 3));
        verifier.challenge(id, 3, other);

        uint256 before = hyp.balanceOf(challenger);
        vm.prank(challenger);
        uint256 d = verifier.challenge(id, 1, other);
        vm.assertEq(hyp.balanceOf(challenger), before - BOND);
        vm.assertEq(verifier.bondsHeld(), BOND);
        vm.assertEq(hyp.balanceOf(address(verifier)), BOND);
        vm.assertEq(verifier.openDispute(id, 1), d);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.AlreadyDisputed.selector, id, 1, d));
        verifier.challenge(id, 1, other);

        vm.warp(block.timestamp + CHALLENGE_WINDOW + 1);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                TrainingVerifier.ChallengeWindowOver.selector, id, 2, uint64(block.timestamp - 1)
            )
        );
        verifier.challenge(id, 2, other);
    }

    /// @dev A sham challenge (say, by the provider's own sybil) that blocks the commitment while open and then loses
    /// must not run out an honest verifier's clock: resolution reopens the commitment for a full window.
    function test_challenge_aResolvedDisputeReopensItsCommitmentForAFullWindow() public {
        TrainingStates.View memory pv = _cheat(5, 1);
        _commitAll(id, provider, pv, 4, 3);
        vm.warp(block.timestamp + CHALLENGE_WINDOW - 1);
        uint256 sham = _challenge(2, _lie(5, 2));
        _move(sham, provider, pv);
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        verifier.resolve(sham);
        vm.assertGt(block.timestamp, verifier.getCommitment(id, 2).time + CHALLENGE_WINDOW);
        uint256 d = _challenge(2, TrainingStates.honest());
        vm.assertEq(verifier.openDispute(id, 2), d);
    }

    // ---------------------------------------------------------------------------------------------- full games

    /// @dev The provider trained wrongly from step 5 on (one leaf of its state differs); an honest verifier
    /// challenges the commitment at step 8, the bisection ends on step 5 -> 6, the descent on the wrong leaf, the
    /// referees vote the truth: the provider is slashed, the tenant refunded, the bond returned.
    function test_fullDispute_aCheatingProviderIsBisectedToItsFirstWrongStepAndSlashed() public {
        TrainingStates.View memory pv = _cheat(5, 6);
        _commitAll(id, provider, pv, 4, 3);
        uint256 d = _challenge(2, TrainingStates.honest());
        _playToVote(d, provider, pv, challenger, TrainingStates.honest());
        TrainingVerifier.Dispute memory s = verifier.getDispute(d);
        vm.assertEq(s.lo, 5);
        vm.assertEq(s.hi, 6);
        vm.assertEq(s.nodeIndex, 6);
        vm.assertEq(s.agreedRoot, TrainingStates.honest().root(5));
        _voteAll(d, 3, keccak256("nonsense"));

        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        uint256 providerStake = staking.stakeOf(provider, staking.PROVIDER());
        uint256 challengerBalance = hyp.balanceOf(challenger);
        ComputeMarket.Order memory before = market.getOrder(id);
        uint256 tenantBalance = usd.balanceOf(tenant);
        verifier.resolve(d);

        s = verifier.getDispute(d);
        vm.assertEq(uint8(s.outcome), uint8(TrainingVerifier.Outcome.ChallengerWon));
        vm.assertEq(staking.stakeOf(provider, staking.PROVIDER()), providerStake - SLASH);
        vm.assertEq(hyp.balanceOf(challenger), challengerBalance + BOND);
        ComputeMarket.Order memory o = market.getOrder(id);
        vm.assertEq(uint8(o.state), uint8(ComputeMarket.OrderState.Closed));
        vm.assertEq(uint8(o.closeReason), uint8(ComputeMarket.CloseReason.Fault));
        vm.assertEq(usd.balanceOf(tenant), tenantBalance + before.held);
        vm.assertEq(o.paid, before.paid);
        vm.assertEq(verifier.bondsHeld(), 0);
        vm.assertEq(verifier.openDispute(id, 2), 0);
    }

    function test_fullDispute_aLyingChallengerAgainstAnHonestProviderIsSlashedAndPaysItsBond() public {
        _commitAll(id, provider, TrainingStates.honest(), 4, 3);
        TrainingStates.View memory cv = _lie(9, 3);
        uint256 d = _challenge(3, cv);
        _playToVote(d, provider, TrainingStates.honest(), challenger, cv);
        vm.assertEq(verifier.getDispute(d).lo, 9);
        _voteAll(d, 3, keccak256("nonsense"));
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        uint256 providerBalance = hyp.balanceOf(provider);
        uint256 challengerStake = staking.stakeOf(challenger, staking.VALIDATOR());
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.ProviderWon));
        vm.assertEq(hyp.balanceOf(provider), providerBalance + BOND);
        vm.assertEq(staking.stakeOf(challenger, staking.VALIDATOR()), challengerStake - SLASH);
        vm.assertEq(uint8(market.getOrder(id).state), uint8(ComputeMarket.OrderState.Leased));
    }

    function test_fullDispute_ofTheInitialStateGoesStraightToTheDescent() public {
        TrainingStates.View memory cv = TrainingStates.View({variant: keccak256("init"), from: 0, leaf: 2});
        _commitAll(id, provider, TrainingStates.honest(), 4, 1);
        vm.prank(challenger);
        uint256 d = verifier.challenge(id, 0, keccak256("wrong initial state"));
        TrainingVerifier.Dispute memory s = verifier.getDispute(d);
        vm.assertEq(uint8(s.phase), uint8(TrainingVerifier.Phase.Descend));
        vm.assertEq(s.lo, 0);
        vm.assertEq(s.hi, 0);
        // the challenger cannot open a made-up root: its first descent move fails, it stays silent and loses
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotChildren.selector, d));
        verifier.move(d, cv.node(0, 1, 0), cv.node(0, 1, 1));
        _move(d, provider, TrainingStates.honest());
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.ProviderWon));
    }

    function test_timeouts_aSilentProviderLosesAndCannotMoveLate() public {
        TrainingStates.View memory pv = _cheat(5, 1);
        _commitAll(id, provider, pv, 4, 3);
        // the provider stays silent
        uint256 d = _challenge(2, TrainingStates.honest());
        _move(d, challenger, TrainingStates.honest());
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.RoundNotOver.selector, d, uint64(block.timestamp + MOVE_TIMEOUT)));
        verifier.resolve(d);
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.RoundOver.selector, d, uint64(block.timestamp - 1)));
        verifier.move(d, bytes32(0), bytes32(0));
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.ChallengerWon));
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.WrongPhase.selector, d, TrainingVerifier.Phase.Resolved));
        verifier.resolve(d);
    }

    function test_timeouts_aSilentChallengerLosesAndSoDoesOneWhenNobodyMoves() public {
        _commitAll(id, provider, TrainingStates.honest(), 4, 3);
        uint256 d1 = _challenge(1, _lie(1, 0));
        _move(d1, provider, TrainingStates.honest());
        uint256 d2 = _challenge(2, _lie(1, 0));
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        verifier.resolve(d1);
        verifier.resolve(d2);
        vm.assertEq(uint8(verifier.getDispute(d1).outcome), uint8(TrainingVerifier.Outcome.ProviderWon));
        vm.assertEq(uint8(verifier.getDispute(d2).outcome), uint8(TrainingVerifier.Outcome.ProviderWon));
        vm.assertEq(verifier.bondsHeld(), 0);
    }

    function test_vote_withoutQuorumIsUndecidedAndNobodyIsSlashed() public {
        TrainingStates.View memory pv = _cheat(5, 1);
        _commitAll(id, provider, pv, 4, 3);
        uint256 d = _challenge(2, TrainingStates.honest());
        _playToVote(d, provider, pv, challenger, TrainingStates.honest());
        bytes32 truth = _truth(d);
        vm.prank(referees[0]);
        verifier.vote(d, truth);
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        uint256 balance = hyp.balanceOf(challenger);
        uint256 stake = staking.stakeOf(provider, staking.PROVIDER());
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.Undecided));
        vm.assertEq(hyp.balanceOf(challenger), balance + BOND);
        vm.assertEq(staking.stakeOf(provider, staking.PROVIDER()), stake);
    }

    function test_vote_bothSidesWrongSlashesBothAndSendsTheBondToTheSink() public {
        TrainingStates.View memory pv = _cheat(5, 1);
        TrainingStates.View memory cv = _lie(5, 1);
        _commitAll(id, provider, pv, 4, 3);
        uint256 d = _challenge(2, cv);
        _playToVote(d, provider, pv, challenger, cv);
        _voteAll(d, 3, keccak256("nonsense"));
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        address sink = staking.slashSink();
        uint256 sinkBalance = hyp.balanceOf(sink);
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.BothWrong));
        vm.assertEq(hyp.balanceOf(sink), sinkBalance + BOND + 2 * SLASH);
        vm.assertEq(uint8(market.getOrder(id).closeReason), uint8(ComputeMarket.CloseReason.Fault));
    }

    function test_vote_refusesPartiesTheTenantStrangersRepeatsAndLateVotes() public {
        _stakeVerifier(tenant, MIN_VERIFIER_STAKE, 0);
        TrainingStates.View memory pv = _cheat(5, 1);
        _commitAll(id, provider, pv, 4, 3);
        uint256 d = _challenge(2, TrainingStates.honest());
        vm.prank(referees[0]);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.WrongPhase.selector, d, TrainingVerifier.Phase.Bisect));
        verifier.vote(d, bytes32(0));
        _playToVote(d, provider, pv, challenger, TrainingStates.honest());
        address[3] memory parties = [provider, challenger, tenant];
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(parties[i]);
            vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.PartyCannotAct.selector, parties[i]));
            verifier.vote(d, bytes32(0));
        }
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotVerifier.selector, stranger));
        verifier.vote(d, bytes32(0));
        bytes32 truth = _truth(d);
        vm.prank(referees[0]);
        verifier.vote(d, truth);
        vm.prank(referees[0]);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.AlreadyVoted.selector, d, referees[0]));
        verifier.vote(d, truth);
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        vm.prank(referees[1]);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.RoundOver.selector, d, uint64(block.timestamp - 1)));
        verifier.vote(d, truth);
    }

    function test_move_refusesStrangersRepeatsAndChildrenThatAreNotTheNode() public {
        TrainingStates.View memory pv = _cheat(5, 1);
        _commitAll(id, provider, pv, 4, 3);
        uint256 d = _challenge(2, TrainingStates.honest());
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotParty.selector, d, stranger));
        verifier.move(d, bytes32(0), bytes32(0));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotChildren.selector, d));
        verifier.move(d, bytes32(uint256(1)), bytes32(uint256(2)));
        _move(d, provider, pv);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.AlreadyMoved.selector, d, provider));
        verifier.move(d, bytes32(0), bytes32(0));
        while (verifier.getDispute(d).phase == TrainingVerifier.Phase.Bisect) {
            _move(d, challenger, TrainingStates.honest());
            if (verifier.getDispute(d).phase == TrainingVerifier.Phase.Bisect) _move(d, provider, pv);
        }
        TrainingVerifier.Dispute memory s = verifier.getDispute(d);
        // the provider's real children, swapped: they hash to another node
        bytes32 l = pv.node(s.hi, 1, 0);
        bytes32 r = pv.node(s.hi, 1, 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(TrainingVerifier.NotChildren.selector, d));
        verifier.move(d, r, l);
    }

    // ---------------------------------------------------------------------------------------------- the market hook

    function test_market_onlyTheBoundVerifierClosesForFaultAndOnlyTheDeployerBindsOnce() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NotVerifier.selector, stranger));
        market.closeForFault(id);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.VerifierAlreadyBound.selector, address(verifier)));
        market.bindVerifier(stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NotVerifier.selector, stranger));
        market.bindVerifier(stranger);
        vm.prank(tenant);
        market.closeLease(id);
        vm.prank(address(verifier));
        vm.assertEq(market.closeForFault(id), 0, "a lease closed at once paid nothing, so nothing to refund");
        vm.assertEq(uint8(market.getOrder(id).closeReason), uint8(ComputeMarket.CloseReason.Fault), "but it is marked");
        vm.prank(address(verifier));
        vm.assertEq(market.closeForFault(id), 0, "once");
    }

    function test_market_closeForFaultKeepsWhatWasReleasedAndRefundsTheRest() public {
        uint256 t0 = block.timestamp;
        _commitAll(id, provider, TrainingStates.honest(), 4, 0);
        vm.warp(t0 + 1 hours);
        vm.prank(provider);
        verifier.commit(id, 4, TrainingStates.honest().root(4), TrainingStates.DEPTH);
        vm.warp(t0 + 1 hours + CHALLENGE_WINDOW + 1);
        market.settle(id); // the first hour's commitments are beyond challenge: its pay goes out, the rest stays
        vm.assertEq(usd.balanceOf(provider), 36e6);
        vm.assertEq(market.released(id), 36e6);
        ComputeMarket.Order memory before = market.getOrder(id);
        vm.assertGt(before.paid, 36e6);
        uint256 tenantBalance = usd.balanceOf(tenant);
        vm.prank(address(verifier));
        uint256 refunded = market.closeForFault(id);
        vm.assertEq(refunded, LEASE_DEPOSIT - 36e6);
        vm.assertEq(usd.balanceOf(tenant), tenantBalance + refunded);
        vm.assertEq(usd.balanceOf(address(market)), 0);
        vm.assertEq(usd.balanceOf(provider), 36e6);
        vm.assertEq(market.getOrder(id).paid, 36e6, "paid is what the provider kept");
    }

    function test_market_payIsReleasedOnlyOnceTheWorkItPaidForIsBeyondChallenge() public {
        uint256 t0 = block.timestamp;
        _commitAll(id, provider, TrainingStates.honest(), 4, 0);
        vm.warp(t0 + 1 hours);
        vm.prank(provider);
        verifier.commit(id, 4, TrainingStates.honest().root(4), TrainingStates.DEPTH);
        vm.warp(t0 + 2 hours);
        market.settle(id);
        vm.assertEq(market.getOrder(id).paid, 72e6, "paid out of the escrow per second as before");
        vm.assertEq(usd.balanceOf(provider), 0, "but held while step 0 and step 4 can be challenged");
        vm.assertEq(verifier.finalUntil(id), 0);
        vm.warp(t0 + CHALLENGE_WINDOW + 1);
        vm.assertEq(verifier.finalUntil(id), t0);
        vm.assertEq(market.releasable(id), 0, "nothing accrued before step 0's commitment");
        vm.warp(t0 + 1 hours + CHALLENGE_WINDOW + 1);
        vm.assertEq(verifier.finalUntil(id), t0 + 1 hours);
        vm.assertEq(market.release(id), 36e6, "the hour step 4's final commitment covers");
        vm.prank(provider);
        market.closeLease(id);
        ComputeMarket.Order memory o = market.getOrder(id);
        vm.assertEq(market.releasable(id), 0, "work after the last commitment is final a window after the close");
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.WrongState.selector, id, ComputeMarket.OrderState.Closed));
        market.settle(id);
        vm.warp(uint256(o.leaseEnd) + CHALLENGE_WINDOW + 1);
        vm.assertEq(verifier.finalUntil(id), type(uint256).max);
        market.release(id);
        vm.assertEq(usd.balanceOf(provider), o.paid, "everything once final");
        vm.assertEq(market.released(id), o.paid);
        vm.assertEq(usd.balanceOf(address(market)), 0);
        vm.assertEq(market.release(id), 0, "released once");
    }

    function test_market_aLeaseClosedBeforeItsDisputeResolvesRefundsTheTenantWhatItPaid() public {
        TrainingStates.View memory pv = _cheat(5, 6);
        _commitAll(id, provider, pv, 4, 3);
        vm.warp(block.timestamp + 2 hours);
        vm.prank(provider);
        market.closeLease(id); // the cheater's job ended: paid 2 hours, refund of the rest, before anyone challenged
        vm.assertEq(market.getOrder(id).paid, 72e6);
        vm.assertEq(usd.balanceOf(provider), 0);
        vm.assertEq(usd.balanceOf(tenant), LEASE_DEPOSIT - 72e6);
        uint256 d = _challenge(2, TrainingStates.honest());
        vm.assertEq(verifier.openDisputes(id), 1);
        vm.assertEq(market.releasable(id), 0, "nothing released while disputed");
        _playToVote(d, provider, pv, challenger, TrainingStates.honest());
        _voteAll(d, 3, keccak256("nonsense"));
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.ChallengerWon));
        ComputeMarket.Order memory o = market.getOrder(id);
        vm.assertEq(uint8(o.closeReason), uint8(ComputeMarket.CloseReason.Fault));
        vm.assertEq(o.paid, 0);
        vm.assertEq(usd.balanceOf(tenant), LEASE_DEPOSIT, "the whole deposit back");
        vm.assertEq(usd.balanceOf(address(market)), 0);
        vm.warp(block.timestamp + 2 * CHALLENGE_WINDOW);
        vm.assertEq(market.release(id), 0, "a faulted lease pays nothing more");
        vm.assertEq(usd.balanceOf(provider), 0);
    }

    function test_market_anHonestProviderWhoseLeaseClosedIsPaidAfterItWinsAndTheWindowReopensAndEnds() public {
        _commitAll(id, provider, TrainingStates.honest(), 4, 3);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(provider);
        market.closeLease(id);
        TrainingStates.View memory cv = _lie(9, 3);
        uint256 d = _challenge(3, cv);
        _playToVote(d, provider, TrainingStates.honest(), challenger, cv);
        _voteAll(d, 3, keccak256("nonsense"));
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        verifier.resolve(d);
        vm.assertEq(verifier.finalUntil(id), 0, "commitment 3 may be challenged again for a window");
        vm.warp(block.timestamp + CHALLENGE_WINDOW + 1);
        market.release(id);
        vm.assertEq(usd.balanceOf(provider), 36e6);
        vm.assertEq(uint8(market.getOrder(id).closeReason), uint8(ComputeMarket.CloseReason.Provider));
    }

    // ---------------------------------------------------------------------------------------------- fuzz

    /// @dev Wherever a provider's training goes wrong and whichever leaf it corrupts, the honest challenger's game
    /// ends on exactly that step and leaf, and the provider loses.
    function testFuzz_theBisectionEndsOnTheFirstWrongStepAndLeaf(uint64 from, uint64 leaf, uint64 every) public {
        every = uint64(bound(every, 1, 64));
        uint64 n = 3;
        from = uint64(bound(from, 0, every * n - 1));
        leaf = uint64(bound(leaf, 0, 2 ** TrainingStates.DEPTH - 1));
        TrainingStates.View memory pv = _cheat(from, leaf);
        _commitAll(id, provider, pv, every, n);
        uint256 index = from / every + 1;
        uint256 d = _challenge(index, TrainingStates.honest());
        _playToVote(d, provider, pv, challenger, TrainingStates.honest());
        TrainingVerifier.Dispute memory s = verifier.getDispute(d);
        vm.assertEq(s.lo, from);
        vm.assertEq(s.hi, from + 1);
        vm.assertEq(s.nodeIndex, leaf);
        _voteAll(d, 3, keccak256("nonsense"));
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.ChallengerWon));
    }

    /// @dev An honest provider wins against any lie, wherever the lie starts and whatever one byzantine referee votes.
    function testFuzz_anHonestProviderNeverLoses(uint64 from, uint64 leaf, bytes32 byzantineVote) public {
        from = uint64(bound(from, 0, 15));
        leaf = uint64(bound(leaf, 0, 2 ** TrainingStates.DEPTH - 1));
        _commitAll(id, provider, TrainingStates.honest(), 4, 4);
        TrainingStates.View memory cv = _lie(from, leaf);
        uint256 d = _challenge(from / 4 + 1, cv);
        _playToVote(d, provider, TrainingStates.honest(), challenger, cv);
        _voteAll(d, 3, byzantineVote);
        vm.warp(block.timestamp + VOTE_WINDOW + 1);
        verifier.resolve(d);
        vm.assertEq(uint8(verifier.getDispute(d).outcome), uint8(TrainingVerifier.Outcome.ProviderWon));
    }
}

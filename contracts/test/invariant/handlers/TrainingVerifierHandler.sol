// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {TrainingStates} from "../../utils/TrainingStates.sol";
import {ComputeMarket} from "../../../src/ComputeMarket.sol";
import {Staking} from "../../../src/Staking.sol";
import {TrainingVerifier} from "../../../src/TrainingVerifier.sol";

/// @notice Random lives of two leases under verification: an honest provider and one whose training goes wrong at
/// step CHEAT_FROM commit every EVERY steps; an honest verifier challenges what differs from the truth, a liar
/// challenges anything with made-up states; dishonest parties move (or stay silent) when the fuzzer says, a byzantine
/// referee votes anything, time jumps. Honest parties and the three honest referees are always online: after every
/// action they make every move they owe. Each resolution is checked against who was honest; ghost books count bonds.
contract TrainingVerifierHandler is HyphaTest {
    using TrainingStates for TrainingStates.View;

    uint64 public constant EVERY = 4;
    uint64 public constant CHEAT_FROM = 1;
    uint64 public constant CHEAT_LEAF = 5;
    uint256 public constant MAX_COMMITMENTS = 10;

    TrainingVerifier public immutable verifier;
    ComputeMarket public immutable market;
    Staking public immutable staking;
    IERC20 public immutable hyp;
    address public immutable honestChallenger;
    address public immutable liar;
    address public immutable byzantine;
    uint256[2] public leases;
    address[2] public providers;
    address[3] public referees;

    uint256[] public disputes;
    mapping(uint256 disputeId => TrainingStates.View) internal _challengerView;
    mapping(uint256 disputeId => bool) internal _challengerHonest;
    uint256 internal _lies;

    uint256 public ghostBondsIn;
    uint256 public ghostBondsOut;
    uint256 public ghostHonestLosses;
    uint256 public ghostResolved;
    /// @dev Resolutions decided by the referees' vote (not by a timeout).
    uint256 public ghostVoted;
    uint256 public ghostProviderSlashes;

    constructor(
        TrainingVerifier verifier_,
        uint256[2] memory leases_,
        address[2] memory providers_,
        address honestChallenger_,
        address liar_,
        address[3] memory referees_,
        address byzantine_
    ) {
        verifier = verifier_;
        market = verifier_.market();
        staking = verifier_.staking();
        hyp = verifier_.bondToken();
        leases = leases_;
        providers = providers_;
        honestChallenger = honestChallenger_;
        liar = liar_;
        referees = referees_;
        byzantine = byzantine_;
    }

    function disputeCount() external view returns (uint256) {
        return disputes.length;
    }

    function _providerView(uint256 which) internal pure returns (TrainingStates.View memory) {
        if (which == 0) return TrainingStates.honest();
        return TrainingStates.View({variant: keccak256("cheat"), from: CHEAT_FROM, leaf: CHEAT_LEAF});
    }

    function _whichLease(uint256 orderId) internal view returns (uint256) {
        return orderId == leases[0] ? 0 : 1;
    }

    // ---------------------------------------------------------------------------------------------- actions

    function commit(uint256 which) external {
        which %= 2;
        uint256 id = leases[which];
        uint256 n = verifier.commitmentCount(id);
        if (n >= MAX_COMMITMENTS || market.getOrder(id).state != ComputeMarket.OrderState.Leased) return;
        uint64 step = uint64(n) * EVERY;
        bytes32 root = _providerView(which).root(step);
        vm.prank(providers[which]);
        verifier.commit(id, step, root, TrainingStates.DEPTH);
        _catchUp();
    }

    function challengeHonestly(uint256 which, uint256 index) external {
        which %= 2;
        uint256 id = leases[which];
        uint256 n = verifier.commitmentCount(id);
        if (n == 0) return;
        index %= n;
        TrainingVerifier.Commitment memory c = verifier.getCommitment(id, index);
        bytes32 truth = TrainingStates.honest().root(c.step);
        if (truth == c.root || !_challengeable(id, index, c)) return;
        _challenge(id, index, truth, TrainingStates.honest(), true, honestChallenger);
    }

    function challengeWithALie(uint256 which, uint256 index, uint64 from, uint64 leaf) external {
        which %= 2;
        uint256 id = leases[which];
        uint256 n = verifier.commitmentCount(id);
        if (n == 0) return;
        index %= n;
        TrainingVerifier.Commitment memory c = verifier.getCommitment(id, index);
        if (c.step == 0 || !_challengeable(id, index, c)) return;
        if (staking.stakeOf(liar, staking.VALIDATOR()) < verifier.minVerifierStake()) return;
        TrainingStates.View memory v = TrainingStates.View({
            variant: keccak256(abi.encode("lie", _lies++)),
            from: uint64(bound(from, 0, c.step - 1)),
            leaf: uint64(bound(leaf, 0, 2 ** TrainingStates.DEPTH - 1))
        });
        bytes32 root = v.root(c.step);
        if (root == c.root) return;
        _challenge(id, index, root, v, false, liar);
    }

    /// @dev A dishonest party (the cheating provider or the liar) plays from its own states: one move, or (`all`) every
    /// move it owes until the dispute reaches the vote or waits on the other side.
    function moveDishonestly(uint256 seed, bool asProvider, bool all) external {
        if (disputes.length == 0) return;
        uint256 d = disputes[seed % disputes.length];
        if (asProvider ? _whichLease(verifier.getDispute(d).orderId) == 0 : _challengerHonest[d]) return;
        while (true) {
            TrainingVerifier.Dispute memory s = verifier.getDispute(d);
            if (s.phase != TrainingVerifier.Phase.Bisect && s.phase != TrainingVerifier.Phase.Descend) return;
            if (block.timestamp > s.deadline || (asProvider ? s.providerMoved : s.challengerMoved)) return;
            if (asProvider) {
                _move(d, s, providers[1], _providerView(1));
            } else {
                _move(d, s, liar, _challengerView[d]);
            }
            _catchUp();
            if (!all) return;
        }
    }

    function voteByzantine(uint256 seed, bytes32 leafHash, bool copyTheLiar) external {
        if (disputes.length == 0) return;
        uint256 d = disputes[seed % disputes.length];
        TrainingVerifier.Dispute memory s = verifier.getDispute(d);
        if (s.phase != TrainingVerifier.Phase.Vote || block.timestamp > s.deadline) return;
        if (copyTheLiar) leafHash = _challengerHonest[d] ? s.providerHash : s.challengerHash;
        vm.prank(byzantine);
        try verifier.vote(d, leafHash) {}
        catch (bytes memory err) {
            vm.assertEq(bytes4(err), TrainingVerifier.AlreadyVoted.selector);
        }
    }

    function resolve(uint256 seed) external {
        if (disputes.length == 0) return;
        uint256 d = disputes[seed % disputes.length];
        TrainingVerifier.Dispute memory s = verifier.getDispute(d);
        if (s.phase == TrainingVerifier.Phase.Resolved || block.timestamp <= s.deadline) return;
        uint256 providerBefore = hyp.balanceOf(s.provider);
        uint256 challengerBefore = hyp.balanceOf(s.challenger);
        verifier.resolve(d);
        s = verifier.getDispute(d);
        bool providerHonest = _whichLease(s.orderId) == 0;
        bool challengerHonest = _challengerHonest[d];
        if (providerHonest && s.outcome != TrainingVerifier.Outcome.ProviderWon) ghostHonestLosses++;
        if (challengerHonest && s.outcome != TrainingVerifier.Outcome.ChallengerWon) ghostHonestLosses++;
        if (s.outcome == TrainingVerifier.Outcome.ChallengerWon || s.outcome == TrainingVerifier.Outcome.BothWrong) {
            ghostProviderSlashes++;
            vm.assertEq(uint8(market.getOrder(s.orderId).state), uint8(ComputeMarket.OrderState.Closed));
        }
        // the bond goes to exactly the right side (slashes go to the sink, never to a party's wallet)
        if (s.outcome == TrainingVerifier.Outcome.ProviderWon) {
            vm.assertEq(hyp.balanceOf(s.provider), providerBefore + s.bond, "bond to the provider");
            vm.assertEq(hyp.balanceOf(s.challenger), challengerBefore, "challenger paid nothing more");
        } else if (s.outcome != TrainingVerifier.Outcome.BothWrong) {
            vm.assertEq(hyp.balanceOf(s.challenger), challengerBefore + s.bond, "bond back to the challenger");
            vm.assertEq(hyp.balanceOf(s.provider), providerBefore, "provider paid nothing");
        }
        ghostBondsOut += s.bond;
        ghostResolved++;
        if (s.votesProvider + s.votesChallenger + s.votesOther > 0) ghostVoted++;
        _catchUp();
    }

    /// @dev Anyone settles a lease (the provider's node, a tenant's top-up, a stranger).
    function settle(uint256 which) external {
        uint256 id = leases[which % 2];
        if (market.getOrder(id).state != ComputeMarket.OrderState.Leased) return;
        market.settle(id);
    }

    /// @dev Either party ends a lease; the job is over but its commitments stay challengeable.
    function closeLease(uint256 which, bool byTenant) external {
        uint256 id = leases[which % 2];
        ComputeMarket.Order memory o = market.getOrder(id);
        if (o.state != ComputeMarket.OrderState.Leased) return;
        vm.prank(byTenant ? o.tenant : o.provider);
        market.closeLease(id);
        _catchUp();
    }

    /// @dev Anyone asks for the provider's final pay.
    function release(uint256 which) external {
        uint256 id = leases[which % 2];
        ComputeMarket.OrderState state = market.getOrder(id).state;
        if (state != ComputeMarket.OrderState.Leased && state != ComputeMarket.OrderState.Closed) return;
        market.release(id);
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 3 hours));
        _catchUp();
    }

    // ---------------------------------------------------------------------------------------------- honest parties

    function _challengeable(uint256 id, uint256 index, TrainingVerifier.Commitment memory c)
        internal
        view
        returns (bool)
    {
        return block.timestamp <= c.time + verifier.challengeWindow() && verifier.openDispute(id, index) == 0;
    }

    function _challenge(
        uint256 id,
        uint256 index,
        bytes32 root,
        TrainingStates.View memory v,
        bool honest,
        address who
    ) internal {
        uint256 before = hyp.balanceOf(address(verifier));
        vm.prank(who);
        uint256 d = verifier.challenge(id, index, root);
        vm.assertEq(hyp.balanceOf(address(verifier)), before + verifier.challengeBond());
        ghostBondsIn += verifier.challengeBond();
        disputes.push(d);
        _challengerView[d] = v;
        _challengerHonest[d] = honest;
        _catchUp();
    }

    function _move(uint256 d, TrainingVerifier.Dispute memory s, address party, TrainingStates.View memory v) internal {
        bytes32 a;
        bytes32 b;
        if (s.phase == TrainingVerifier.Phase.Bisect) {
            a = v.root(verifier.midStep(d));
        } else {
            a = v.node(s.hi, s.level + 1, 2 * s.nodeIndex);
            b = v.node(s.hi, s.level + 1, 2 * s.nodeIndex + 1);
        }
        vm.prank(party);
        verifier.move(d, a, b);
    }

    /// @dev Every honest party makes the moves it owes and every honest referee votes, until nothing is left to do.
    function _catchUp() internal {
        bool progress = true;
        while (progress) {
            progress = false;
            for (uint256 i = 0; i < disputes.length; ++i) {
                uint256 d = disputes[i];
                TrainingVerifier.Dispute memory s = verifier.getDispute(d);
                if (block.timestamp > s.deadline || s.phase == TrainingVerifier.Phase.Resolved) continue;
                if (s.phase == TrainingVerifier.Phase.Vote) {
                    bytes32 truth = TrainingStates.honest().leafHash(s.hi, s.nodeIndex);
                    for (uint256 r = 0; r < 3; ++r) {
                        vm.prank(referees[r]);
                        try verifier.vote(d, truth) {
                            progress = true;
                        } catch (bytes memory err) {
                            vm.assertEq(bytes4(err), TrainingVerifier.AlreadyVoted.selector);
                        }
                    }
                    continue;
                }
                if (_whichLease(s.orderId) == 0 && !s.providerMoved) {
                    _move(d, s, providers[0], TrainingStates.honest());
                    progress = true;
                } else if (_challengerHonest[d] && !s.challengerMoved) {
                    _move(d, s, honestChallenger, TrainingStates.honest());
                    progress = true;
                }
            }
        }
    }
}

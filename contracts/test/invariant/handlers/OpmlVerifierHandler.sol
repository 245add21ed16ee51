// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {OpmlFixture} from "../../utils/OpmlFixture.sol";
import {OpmlVerifier} from "../../../src/opml/OpmlVerifier.sol";
import {IntLm} from "../../../src/opml/IntLm.sol";

/// @notice Random lives of opML disputes: an honest provider challenged by a liar (a trace wrong at a random
/// operation), a cheating provider (wrong at a random operation) challenged by an honest challenger; the dishonest
/// side moves, reveals and resolves only when the fuzzer says, time jumps and anyone calls timeouts. Honest parties are
/// always online: before anything else happens they make every move they owe. The handler owns the world (it deploys
/// it through OpmlFixture) and keeps ghost books of bonds and of who won.
contract OpmlVerifierHandler is OpmlFixture {
    address public honestProvider;
    address public cheatingProvider;
    address public honestChallenger;
    address public liar;
    bytes public prompt = "hi";
    bytes public output;
    bytes[] internal _honestLeaves;

    uint256[] public disputes;
    mapping(uint256 disputeId => bool) public providerHonest;
    mapping(uint256 disputeId => uint256) internal _lieAt;
    uint256 internal _requests;

    uint256 public ghostBondsIn;
    uint256 public ghostBondsOut;
    uint256 public ghostHonestLosses;
    uint256 public ghostResolved;

    constructor() {
        vm.warp(1_700_000_000);
        _deployOpml();
        honestProvider = makeAddr("honest-provider");
        cheatingProvider = makeAddr("cheating-provider");
        _registerProvider(honestProvider, "honest-provider");
        _registerProvider(cheatingProvider, "cheating-provider");
        honestChallenger = makeAddr("honest-challenger");
        liar = makeAddr("liar");
        _stake(honestChallenger, MIN_CHALLENGER_STAKE);
        _stake(liar, 1_000 * SLASH);
        output = _generate(prompt, 2, SEED);
        Trace memory t = _trace(prompt, output, SEED, IntLm.L);
        for (uint256 i = 0; i < t.leaves.length; ++i) _honestLeaves.push(t.leaves[i]);
    }

    function _stake(address who, uint256 amount) internal {
        vm.assertTrue(hyp.transfer(who, amount + 1_000 * BOND));
        bytes32 role = staking.VALIDATOR();
        vm.startPrank(who);
        hyp.approve(address(staking), amount);
        staking.stake(role, amount);
        hyp.approve(address(verifier), type(uint256).max);
        vm.stopPrank();
    }

    function _honest() internal view returns (Trace memory t) {
        t.leaves = new bytes[](_honestLeaves.length);
        for (uint256 i = 0; i < t.leaves.length; ++i) t.leaves[i] = _honestLeaves[i];
        t.levels = _levels(_hashes(t.leaves));
    }

    function _lie(uint256 disputeId) internal view returns (Trace memory) {
        return _lieTrace(_lieAt[disputeId]);
    }

    /// @dev The honest trace with leaf `at` changed (a padding leaf made non-zero).
    function _lieTrace(uint256 at) internal view returns (Trace memory) {
        Trace memory h = _honest();
        bytes memory wrong = h.leaves[at].length == 0 ? bytes("?") : h.leaves[at];
        bytes memory copy = new bytes(wrong.length);
        for (uint256 i = 0; i < wrong.length; ++i) copy[i] = wrong[i];
        copy[0] = bytes1(uint8(copy[0]) ^ 0x10);
        return _with(h, at, copy);
    }

    // ------------------------------------------------------------------ actions

    function challengeHonestProvider(uint256 lieSeed) external {
        _open(true, lieSeed);
    }

    function challengeCheatingProvider(uint256 lieSeed) external {
        _open(false, lieSeed);
    }

    function _open(bool honestIsProvider, uint256 lieSeed) internal {
        if (disputes.length >= 8) return;
        uint256 at = bound(lieSeed, 0, 3 * 32 - 1);
        uint256 id = _challenge(honestIsProvider, _honest(), _lieTrace(at));
        ghostBondsIn += BOND;
        disputes.push(id);
        providerHonest[id] = honestIsProvider;
        _lieAt[id] = at;
        _honestActs();
    }

    function _challenge(bool honestIsProvider, Trace memory h, Trace memory lie) internal returns (uint256) {
        OpmlVerifier.Receipt memory r =
            _receiptOf(honestIsProvider ? honestProvider : cheatingProvider, prompt, output, honestIsProvider ? h : lie);
        r.requestId = keccak256(abi.encode("request", _requests++));
        bytes memory sig = _sign(r);
        bytes32 challengerRoot = _root(honestIsProvider ? lie : h);
        vm.prank(honestIsProvider ? liar : honestChallenger);
        return verifier.challenge(r, sig, prompt, output, challengerRoot);
    }

    /// @dev The dishonest side of a dispute does its next move (or tries to resolve with its own trace).
    function dishonestMoves(uint256 which) external {
        if (disputes.length == 0) return;
        uint256 id = disputes[bound(which, 0, disputes.length - 1)];
        _act(id, false);
        _honestActs();
    }

    function warpAndTimeout(uint256 which, uint256 secs) external {
        _honestActs();
        if (disputes.length == 0) return;
        uint256 id = disputes[bound(which, 0, disputes.length - 1)];
        vm.warp(block.timestamp + bound(secs, 1, 2 * MOVE_TIMEOUT));
        OpmlVerifier.Dispute memory d = verifier.getDispute(id);
        if (d.phase != OpmlVerifier.Phase.Resolved && block.timestamp > d.deadline) {
            verifier.timeout(id);
            _record(id);
        }
        _honestActs();
    }

    // ------------------------------------------------------------------ players

    function _honestActs() internal {
        for (uint256 i = 0; i < disputes.length; ++i) {
            // each honest move may open the next round: keep going until it owes nothing
            for (uint256 k = 0; k < 16 && _act(disputes[i], true); ++k) {}
        }
    }

    /// @return acted whether a transaction was sent
    function _act(uint256 id, bool honestSide) internal returns (bool acted) {
        OpmlVerifier.Dispute memory d = verifier.getDispute(id);
        if (d.phase == OpmlVerifier.Phase.Resolved || block.timestamp > d.deadline) return false;
        if (d.phase == OpmlVerifier.Phase.Resolve) {
            if (!honestSide) return false;
            _resolve(id);
            acted = true;
        } else {
            acted = _moveOrReveal(id, d, honestSide);
        }
        if (verifier.getDispute(id).phase == OpmlVerifier.Phase.Resolved) _record(id);
    }

    function _moveOrReveal(uint256 id, OpmlVerifier.Dispute memory d, bool honestSide) internal returns (bool) {
        bool asProvider = providerHonest[id] == honestSide;
        if (asProvider ? d.providerMoved : d.challengerMoved) return false;
        address party = asProvider ? d.provider : d.challenger;
        Trace memory mine = honestSide ? _honest() : _lie(id);
        if (d.phase == OpmlVerifier.Phase.Descend) {
            _move(id, party, mine);
            return true;
        }
        bytes memory out = mine.leaves[d.nodeIndex];
        if (out.length == 0) return false; // nothing behind a zero leaf
        vm.prank(party);
        verifier.reveal(id, out);
        return true;
    }

    function _resolve(uint256 id) internal {
        bool ph = providerHonest[id];
        Trace memory h = _honest();
        Trace memory lie = _lie(id);
        OpmlVerifier.Witness memory w = ph ? _witness(id, h, lie, h, true, prompt, output)
            : _witness(id, lie, h, h, false, prompt, output);
        verifier.resolve(id, w);
    }

    function _record(uint256 id) internal {
        OpmlVerifier.Dispute memory d = verifier.getDispute(id);
        ghostBondsOut += d.bond;
        ghostResolved += 1;
        OpmlVerifier.Outcome honestWin =
            providerHonest[id] ? OpmlVerifier.Outcome.ProviderWon : OpmlVerifier.Outcome.ChallengerWon;
        if (d.outcome != honestWin) ghostHonestLosses += 1;
    }

    function disputeCount() external view returns (uint256) {
        return disputes.length;
    }

    function token() external view returns (address) {
        return address(hyp);
    }

    function stakingAddress() external view returns (address) {
        return address(staking);
    }

    function verifierAddress() external view returns (address) {
        return address(verifier);
    }
}

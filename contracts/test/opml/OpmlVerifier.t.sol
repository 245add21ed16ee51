// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {OpmlFixture} from "../utils/OpmlFixture.sol";
import {OpmlVerifier} from "../../src/opml/OpmlVerifier.sol";
import {IntLm} from "../../src/opml/IntLm.sol";

contract OpmlVerifierTest is OpmlFixture {
    address internal provider;
    address internal challenger;
    address internal stranger;
    bytes internal prompt = "hi";
    bytes internal output;
    uint256 internal requests;

    event log_named_uint(string key, uint256 val);

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployOpml();
        provider = makeAddr("provider");
        challenger = makeAddr("challenger");
        stranger = makeAddr("stranger");
        _registerProvider(provider, "provider");
        vm.assertTrue(hyp.transfer(provider, 2_000 ether));
        bytes32 pRole = staking.PROVIDER();
        vm.startPrank(provider);
        hyp.approve(address(staking), 2_000 ether);
        staking.stake(pRole, 2_000 ether);
        vm.stopPrank();
        _stakeChallenger(challenger);
        output = _generate(prompt, 2, SEED);
    }

    function _stakeChallenger(address who) internal {
        vm.assertTrue(hyp.transfer(who, MIN_CHALLENGER_STAKE + 100 * BOND));
        bytes32 role = staking.VALIDATOR();
        vm.startPrank(who);
        hyp.approve(address(staking), MIN_CHALLENGER_STAKE);
        staking.stake(role, MIN_CHALLENGER_STAKE);
        hyp.approve(address(verifier), type(uint256).max);
        vm.stopPrank();
    }

    function _honest() internal view returns (Trace memory) {
        return _trace(prompt, output, SEED, IntLm.L);
    }

    function _challenge(Trace memory pt, Trace memory ct) internal returns (uint256 id) {
        OpmlVerifier.Receipt memory r = _receiptOf(provider, prompt, output, pt);
        r.requestId = keccak256(abi.encode("request", requests++));
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        id = verifier.challenge(r, sig, prompt, output, _root(ct));
    }

    /// @dev Plays a whole game; the honest side resolves. Returns the outcome.
    function _play(Trace memory pt, Trace memory ct, bool providerHonest) internal returns (OpmlVerifier.Outcome) {
        uint256 id = _challenge(pt, ct);
        _descendAll(id, provider, pt, challenger, ct);
        if (verifier.getDispute(id).phase == OpmlVerifier.Phase.Reveal) {
            _revealAll(id, provider, pt, challenger, ct);
            OpmlVerifier.Witness memory w =
                _witness(id, pt, ct, providerHonest ? pt : ct, providerHonest, prompt, output);
            vm.prank(stranger);
            verifier.resolve(id, w);
        }
        return verifier.getDispute(id).outcome;
    }

    function _corrupt(Trace memory t, uint256 index) internal pure returns (Trace memory) {
        bytes memory bad = t.leaves[index].length == 0 ? bytes("x") : t.leaves[index];
        bytes memory copy = new bytes(bad.length);
        for (uint256 i = 0; i < bad.length; ++i) copy[i] = bad[i];
        copy[copy.length - 1] = bytes1(uint8(copy[copy.length - 1]) ^ 0x01);
        return _with(t, index, copy);
    }

    // ---------------------------------------------------------------------------------------------- the model

    function test_model_sampleLeavesReproduceTheGeneratedOutput() public view {
        Trace memory t = _honest();
        vm.assertEq(t.leaves.length, 128); // 3 positions padded to 4, 32 leaves each
        vm.assertEq(uint8(t.leaves[1 * 32 + 26][0]), uint8(output[0]));
        vm.assertEq(uint8(t.leaves[2 * 32 + 26][0]), uint8(output[1]));
        vm.assertEq(verifier.traceDepth(3), 7);
    }

    // ---------------------------------------------------------------------------------------------- games

    function test_cheatingProviderLosesAtAMatrixRow_andIsSlashed() public {
        Trace memory honest = _honest();
        Trace memory cheat = _corrupt(honest, 1 * 32 + 8 + 3); // position 1, block 0, MM1
        uint256 stakeBefore = staking.stakeOf(provider, staking.PROVIDER());
        uint256 bondsBefore = hyp.balanceOf(challenger);
        OpmlVerifier.Outcome o = _play(cheat, honest, false);
        vm.assertEq(uint8(o), uint8(OpmlVerifier.Outcome.ChallengerWon));
        vm.assertEq(staking.stakeOf(provider, staking.PROVIDER()), stakeBefore - SLASH);
        vm.assertEq(hyp.balanceOf(challenger), bondsBefore, "bond back");
        vm.assertEq(hyp.balanceOf(address(verifier)), 0);
        vm.assertEq(verifier.bondsHeld(), 0);
    }

    function test_truncatedComputationLoses() public {
        Trace memory honest = _honest();
        Trace memory lazy = _trace(prompt, output, SEED, 1); // block 1 skips its feed-forward part
        vm.assertTrue(_root(lazy) != _root(honest));
        OpmlVerifier.Outcome o = _play(lazy, honest, false);
        vm.assertEq(uint8(o), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    function test_honestProviderBeatsALyingChallenger_andTakesItsBond() public {
        Trace memory honest = _honest();
        Trace memory lie = _corrupt(honest, 2 * 32 + 24 + 1); // position 2, head, LOGITS
        uint256 providerBefore = hyp.balanceOf(provider);
        uint256 stakeBefore = staking.stakeOf(challenger, staking.VALIDATOR());
        OpmlVerifier.Outcome o = _play(honest, lie, true);
        vm.assertEq(uint8(o), uint8(OpmlVerifier.Outcome.ProviderWon));
        vm.assertEq(hyp.balanceOf(provider), providerBefore + BOND);
        vm.assertEq(staking.stakeOf(challenger, staking.VALIDATOR()), stakeBefore - SLASH);
    }

    /// @dev Every kind of operation, lied about by either side: the honest side wins.
    /// forge-config: default.fuzz.runs = 48
    function testFuzz_honestSideAlwaysWins(uint256 index, bool providerLies) public {
        Trace memory honest = _honest();
        index = bound(index, 0, 3 * 32 - 1); // the three real positions
        Trace memory lie = _corrupt(honest, index);
        OpmlVerifier.Outcome o = providerLies ? _play(lie, honest, false) : _play(honest, lie, true);
        vm.assertEq(
            uint8(o), uint8(providerLies ? OpmlVerifier.Outcome.ChallengerWon : OpmlVerifier.Outcome.ProviderWon)
        );
    }

    function test_eachOperationKind_isDecidedByRecomputation() public {
        Trace memory honest = _honest();
        uint256[10] memory ops = [uint256(32), 40, 41, 42, 43, 44, 45, 46, 56, 57];
        for (uint256 i = 0; i < ops.length; ++i) {
            vm.assertEq(uint8(_play(_corrupt(honest, ops[i]), honest, false)), uint8(OpmlVerifier.Outcome.ChallengerWon));
        }
        vm.assertEq(uint8(_play(_corrupt(honest, 58), honest, false)), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    function test_paddingLeafIsDecidedWithoutReveal() public {
        Trace memory honest = _honest();
        Trace memory lie = _corrupt(honest, 3 * 32 + 5); // position 3 does not exist
        uint256 id = _challenge(lie, honest);
        _descendAll(id, provider, lie, challenger, honest);
        OpmlVerifier.Dispute memory d = verifier.getDispute(id);
        vm.assertEq(uint8(d.phase), uint8(OpmlVerifier.Phase.Resolved));
        vm.assertEq(uint8(d.outcome), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    function test_wrongOutputWithHonestTrace_isProvenAtOnce() public {
        bytes memory claimed = abi.encodePacked(output[0], bytes1(uint8(output[1]) ^ 0x55));
        Trace memory t = _trace(prompt, claimed, SEED, IntLm.L); // honest computation of a cached answer
        OpmlVerifier.Receipt memory r = _receiptOf(provider, prompt, claimed, t);
        bytes memory sig = _sign(r);
        uint256 leaf = 2 * 32 + 26;
        OpmlVerifier.Mismatch memory m =
            OpmlVerifier.Mismatch({position: 2, sampled: t.leaves[leaf], proof: _proof(t, leaf)});
        uint256 stakeBefore = staking.stakeOf(provider, staking.PROVIDER());
        vm.prank(stranger);
        verifier.proveOutputMismatch(r, sig, prompt, claimed, m);
        vm.assertEq(staking.stakeOf(provider, staking.PROVIDER()), stakeBefore - SLASH);
        vm.assertTrue(verifier.isFaulted(verifier.receiptDigest(r)));
        // and the honest output cannot be accused that way
        Trace memory h = _honest();
        OpmlVerifier.Receipt memory hr = _receiptOf(provider, prompt, output, h);
        bytes memory hsig = _sign(hr);
        OpmlVerifier.Mismatch memory hm =
            OpmlVerifier.Mismatch({position: 2, sampled: h.leaves[leaf], proof: _proof(h, leaf)});
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.NoMismatch.selector, 2));
        verifier.proveOutputMismatch(hr, hsig, prompt, output, hm);
    }

    function test_wrongOutputHiddenByAWrongSampleLeaf_losesTheGame() public {
        bytes memory claimed = abi.encodePacked(output[0], bytes1(uint8(output[1]) ^ 0x55));
        Trace memory truth = _trace(prompt, claimed, SEED, IntLm.L);
        Trace memory hidden = _with(truth, 2 * 32 + 26, abi.encodePacked(claimed[1]));
        OpmlVerifier.Receipt memory r = _receiptOf(provider, prompt, claimed, hidden);
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        uint256 id = verifier.challenge(r, sig, prompt, claimed, _root(truth));
        _descendAll(id, provider, hidden, challenger, truth);
        _revealAll(id, provider, hidden, challenger, truth);
        verifier.resolve(id, _witness(id, hidden, truth, truth, false, prompt, claimed));
        vm.assertEq(uint8(verifier.getDispute(id).outcome), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    // ---------------------------------------------------------------------------------------------- timeouts

    function test_silentProviderLoses() public {
        Trace memory honest = _honest();
        Trace memory cheat = _corrupt(honest, 40);
        uint256 id = _challenge(cheat, honest);
        _move(id, challenger, honest);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.RoundNotOver.selector, id, block.timestamp + MOVE_TIMEOUT));
        verifier.timeout(id);
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        verifier.timeout(id);
        vm.assertEq(uint8(verifier.getDispute(id).outcome), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    function test_bothSilent_challengerLoses() public {
        Trace memory honest = _honest();
        uint256 id = _challenge(honest, _corrupt(honest, 40));
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        verifier.timeout(id);
        vm.assertEq(uint8(verifier.getDispute(id).outcome), uint8(OpmlVerifier.Outcome.ProviderWon));
    }

    function test_partyThatCannotRevealLoses() public {
        Trace memory honest = _honest();
        Trace memory cheat = _corrupt(honest, 43);
        uint256 id = _challenge(cheat, honest);
        _descendAll(id, provider, cheat, challenger, honest);
        vm.prank(challenger);
        verifier.reveal(id, honest.leaves[43]);
        vm.warp(block.timestamp + MOVE_TIMEOUT + 1);
        verifier.timeout(id);
        vm.assertEq(uint8(verifier.getDispute(id).outcome), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    // ---------------------------------------------------------------------------------------------- refusals

    function test_challenge_refusesForgedReceiptsAndBadInput() public {
        Trace memory honest = _honest();
        OpmlVerifier.Receipt memory r = _receiptOf(provider, prompt, output, honest);
        bytes memory sig = _sign(r);
        bytes32 other = keccak256("other");
        vm.startPrank(challenger);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.BadTokens.selector, "prompt"));
        verifier.challenge(r, sig, "ho", output, other);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.SameRoot.selector));
        verifier.challenge(r, sig, prompt, output, r.traceRoot);
        r.seed = 8; // no longer what was signed
        vm.expectPartialRevert(OpmlVerifier.BadSignature.selector);
        verifier.challenge(r, sig, prompt, output, other);
        vm.stopPrank();
        r.seed = SEED;
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.InsufficientStake.selector, 0, MIN_CHALLENGER_STAKE));
        verifier.challenge(r, sig, prompt, output, other);
        vm.prank(challenger);
        uint256 id = verifier.challenge(r, sig, prompt, output, other);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(OpmlVerifier.AlreadyDisputed.selector, verifier.receiptDigest(r), id)
        );
        verifier.challenge(r, sig, prompt, output, other);
    }

    function test_move_refusesStrangersAndNonChildren() public {
        Trace memory honest = _honest();
        uint256 id = _challenge(honest, _corrupt(honest, 40));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.NotParty.selector, id, stranger));
        verifier.move(id, bytes32(0), bytes32(0));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.NotChildren.selector, id));
        verifier.move(id, bytes32(0), bytes32(uint256(1)));
    }

    function test_resolve_refusesInputsThatAreNotInTheTrace() public {
        Trace memory honest = _honest();
        Trace memory cheat = _corrupt(honest, 43);
        uint256 id = _challenge(cheat, honest);
        _descendAll(id, provider, cheat, challenger, honest);
        _revealAll(id, provider, cheat, challenger, honest);
        OpmlVerifier.Witness memory w = _witness(id, cheat, honest, honest, false, prompt, output);
        bytes memory forged = new bytes(w.inputA.length);
        w.inputA = forged;
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.BadProof.selector, "a"));
        verifier.resolve(id, w);
        w = _witness(id, cheat, honest, honest, false, prompt, output);
        w.weightRow = new bytes(w.weightRow.length);
        vm.expectRevert(abi.encodeWithSelector(OpmlVerifier.BadProof.selector, "weightRow"));
        verifier.resolve(id, w);
    }

    // ---------------------------------------------------------------------------------------------- gas

    /// @dev One whole dispute over the longest generation (32 positions, depth 10), lost by the provider at the
    /// last position's LOGITS row: gas of each step goes to the log and bench/README.md.
    function test_gas_wholeDisputeOverThirtyTwoPositions() public {
        bytes memory p = "opml!";
        bytes memory out = new bytes(28);
        for (uint256 i = 0; i < out.length; ++i) out[i] = bytes1(uint8(97 + i % 26));
        Trace memory honest = _trace(p, out, SEED, IntLm.L);
        Trace memory cheat = _corrupt(honest, 31 * 32 + 25);
        OpmlVerifier.Receipt memory r = _receiptOf(provider, p, out, cheat);
        bytes memory sig = _sign(r);
        uint256 g = gasleft();
        vm.prank(challenger);
        uint256 id = verifier.challenge(r, sig, p, out, _root(honest));
        emit log_named_uint("challenge", g - gasleft());
        g = gasleft();
        _descendAll(id, provider, cheat, challenger, honest);
        emit log_named_uint("descend, 20 moves", g - gasleft());
        g = gasleft();
        _revealAll(id, provider, cheat, challenger, honest);
        emit log_named_uint("reveal, 2 moves", g - gasleft());
        OpmlVerifier.Witness memory w = _witness(id, cheat, honest, honest, false, p, out);
        g = gasleft();
        verifier.resolve(id, w);
        emit log_named_uint("resolve (one LOGITS row, slash)", g - gasleft());
        vm.assertEq(uint8(verifier.getDispute(id).outcome), uint8(OpmlVerifier.Outcome.ChallengerWon));
    }

    /// @dev Gas of `resolve` (recompute one element, slash, pay the bond) for a lie at each operation kind, at the last
    /// position of a 3-position generation; logged for bench/README.md.
    function test_gas_resolveOfEachOperationKind() public {
        Trace memory honest = _honest();
        uint256[12] memory ops = [uint256(64), 72, 73, 74, 75, 76, 77, 78, 80, 88, 89, 90];
        string[12] memory names =
            ["EMBED", "NORM", "MIX", "AVG", "MM1 row", "RELU", "MM2 row", "ADD", "NORM (block 1)", "NORM (head)",
            "LOGITS row", "SAMPLE"];
        for (uint256 i = 0; i < ops.length; ++i) {
            Trace memory cheat = _corrupt(honest, ops[i]);
            uint256 id = _challenge(cheat, honest);
            _descendAll(id, provider, cheat, challenger, honest);
            _revealAll(id, provider, cheat, challenger, honest);
            OpmlVerifier.Witness memory w = _witness(id, cheat, honest, honest, false, prompt, output);
            uint256 g = gasleft();
            verifier.resolve(id, w);
            emit log_named_uint(names[i], g - gasleft());
            vm.assertEq(uint8(verifier.getDispute(id).outcome), uint8(OpmlVerifier.Outcome.ChallengerWon));
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./utils/HyphaTest.sol";
import {SubnetStack} from "./utils/SubnetFixture.sol";
import {SubnetEpochs} from "../src/subnets/SubnetEpochs.sol";
import {SubnetRegistry} from "../src/subnets/SubnetRegistry.sol";
import {YumaColumn} from "../src/subnets/YumaColumn.sol";
import {YumaFixed} from "../src/subnets/YumaFixed.sol";

/// @notice Optimistic epochs: an honest post survives a challenge (column and dividends) of every UID, any changed
/// output of any UID is caught and costs the poster its bond, dividends shifted between validators are caught however
/// the poster dresses them up, bonds chain from the previous accepted epoch, and claims pay each UID's posted emission
/// once, within the epoch's pool.
contract SubnetEpochsTest is HyphaTest {
    SubnetStack internal s;
    SubnetEpochs internal epochs;
    uint256 internal netuid;
    address[] internal actors;
    address internal poster = address(0xB0B);
    address internal challenger = address(0xC4A11);

    function setUp() public {
        vm.roll(100);
        s = new SubnetStack();
        epochs = s.epochs();
        netuid = s.createSubnet(address(0x0E1), s.defaultParams());
        for (uint256 i; i < 5; ++i) {
            actors.push(makeAddr(string.concat("uid", vm.toString(i))));
            s.register(netuid, actors[i]);
        }
        s.stakeValidator(actors[0], 1_000 ether);
        s.stakeValidator(actors[1], 600 ether);
        s.stakeValidator(actors[2], 300 ether);
        s.closeEpoch(netuid); // epoch 0: no permits yet, so nobody had weights
        s.postAndFinalize(netuid, 0, s.honestLeaves(netuid, 0), poster);
        _weights(0);
        s.closeEpoch(netuid); // epoch 1
    }

    /// @dev Validators 0..2 weigh the miners (and each other a little); `salt` varies the values.
    function _weights(uint256 salt) internal {
        for (uint256 v; v < 3; ++v) {
            uint16[] memory uids = new uint16[](4);
            uint16[] memory values = new uint16[](4);
            uint256 k;
            for (uint256 j; j < 5; ++j) {
                if (j == v) continue;
                uids[k] = uint16(j);
                values[k] = uint16(1 + uint256(keccak256(abi.encode(salt, v, j))) % 65_535);
                ++k;
            }
            s.setWeights(netuid, actors[v], uids, values);
        }
    }

    function _post(SubnetEpochs.Leaf[] memory leaves, uint256 epoch) internal {
        s.fund(poster, s.POST_BOND());
        vm.prank(poster);
        epochs.post(netuid, epoch, leaves);
    }

    function test_honestPostSurvivesAChallengeOfEveryUid() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        _post(leaves, 1);
        for (uint256 j; j < leaves.length; ++j) {
            SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, j);
            vm.prank(challenger);
            vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.PostIsCorrect.selector, netuid, 1, j));
            epochs.challenge(netuid, 1, abi.encode(c));
            SubnetEpochs.DividendsChallenge memory d = s.dividendsChallengeOf(netuid, 1, leaves, j);
            vm.prank(challenger);
            vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.PostIsCorrect.selector, netuid, 1, j));
            epochs.challengeDividends(netuid, 1, abi.encode(d));
        }
        vm.assertTrue(leaves[3].consensus > 0 && leaves[3].incentive > 0, "miners earned nothing: test is vacuous");
    }

    function test_wrongIncentiveLosesTheBondToTheChallenger() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        leaves[3].incentive += 1;
        _post(leaves, 1);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, 3);
        uint256 before = s.hyp().balanceOf(challenger);
        vm.prank(challenger);
        uint256 gasBefore = gasleft();
        SubnetEpochs.Fault fault = epochs.challenge(netuid, 1, abi.encode(c));
        uint256 used = gasBefore - gasleft();
        vm.assertEq(uint256(fault), uint256(SubnetEpochs.Fault.Incentive));
        vm.assertEq(s.hyp().balanceOf(challenger) - before, s.POST_BOND(), "challenger paid the bond");
        vm.assertEq(epochs.getPost(netuid, 1).poster, address(0), "post voided");
        vm.assertEq(epochs.bondsHeld(), 0);
        vm.assertLt(used, 3_000_000); // 5 UIDs, 3 validators (the Java test on anvil reports the exact figure)
        // the epoch can be posted again, honestly this time
        _post(s.honestLeaves(netuid, 1), 1);
    }

    /// @dev Every checked output of every UID: change it, and the challenge of that UID wins.
    function testFuzz_anyChangedOutputIsCaught(uint256 uidSeed, uint256 fieldSeed, int64 delta) public {
        vm.assume(delta != 0);
        uint256 uid = bound(uidSeed, 0, 4);
        uint256 field = bound(fieldSeed, 0, 10);
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        SubnetEpochs.Leaf memory l = leaves[uid];
        unchecked {
            if (field == 0) l.account = address(uint160(l.account) ^ uint160(uint64(delta)));
            if (field == 1) l.consensus += delta;
            if (field == 2) l.rank += delta;
            if (field == 3) l.rankPrefix += delta;
            if (field == 4) l.incentive += delta;
            if (field == 5) l.dividends += delta; // the combined prefix no longer adds up
            if (field == 6) l.combinedPrefix += delta;
            if (field == 7) l.minerEmission += uint64(delta);
            if (field == 8) l.validatorEmission += uint64(delta);
            if (field == 9) l.bondsHash = keccak256(abi.encode(l.bondsHash, delta));
            if (field == 10) l.runningHash = keccak256(abi.encode(l.runningHash, delta));
        }
        _post(leaves, 1);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, uid);
        vm.prank(challenger);
        epochs.challenge(netuid, 1, abi.encode(c));
        vm.assertEq(s.hyp().balanceOf(challenger), s.POST_BOND());
    }

    /// @dev Whatever the validators weigh, an honest post wins every challenge.
    function testFuzz_honestPostIsNeverSuccessfullyChallenged(uint256 salt, uint256 uidSeed) public {
        s.postAndFinalize(netuid, 1, s.honestLeaves(netuid, 1), poster);
        vm.roll(block.number + 1);
        _weights(salt);
        s.closeEpoch(netuid); // epoch 2: bonds chain from epoch 1
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 2);
        _post(leaves, 2);
        uint256 uid = bound(uidSeed, 0, 4);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 2, leaves, uid);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.PostIsCorrect.selector, netuid, 2, uid));
        epochs.challenge(netuid, 2, abi.encode(c));
        SubnetEpochs.DividendsChallenge memory d = s.dividendsChallengeOf(netuid, 2, leaves, uid);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.PostIsCorrect.selector, netuid, 2, uid));
        epochs.challengeDividends(netuid, 2, abi.encode(d));
    }

    /// @dev A challenger cannot open a made-up running vector against an honest post.
    function test_dividendsChallengeRefusesAVectorThatIsNotTheLeafs() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        _post(leaves, 1);
        SubnetEpochs.DividendsChallenge memory d = s.dividendsChallengeOf(netuid, 1, leaves, 1);
        d.running[0] += 1;
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.BadProof.selector, "running"));
        epochs.challengeDividends(netuid, 1, abi.encode(d));
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, 2);
        c.runningBefore[0] += 1;
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.BadProof.selector, "running before"));
        epochs.challenge(netuid, 1, abi.encode(c));
    }

    /// @dev A poster moves part of validator 0's dividends to validator 2 and keeps every sum and emission consistent
    /// with it (the combined prefixes and validator emissions are recomputed from the shifted dividends): no column
    /// challenge finds anything, the dividends challenge of validator 0 takes the bond.
    function test_posterShiftingEmissionBetweenValidatorsThroughDividendsLosesItsBond() public {
        SubnetEpochs.Leaf[] memory leaves = _shifted();
        _post(leaves, 1);
        for (uint256 j; j < leaves.length; ++j) {
            SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, j);
            vm.prank(challenger);
            vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.PostIsCorrect.selector, netuid, 1, j));
            epochs.challenge(netuid, 1, abi.encode(c));
        }
        SubnetEpochs.DividendsChallenge memory d = s.dividendsChallengeOf(netuid, 1, leaves, 0);
        uint256 before = s.hyp().balanceOf(challenger);
        vm.prank(challenger);
        uint256 gasBefore = gasleft();
        SubnetEpochs.Fault fault = epochs.challengeDividends(netuid, 1, abi.encode(d));
        uint256 used = gasBefore - gasleft();
        vm.assertEq(uint256(fault), uint256(SubnetEpochs.Fault.Dividends));
        vm.assertEq(s.hyp().balanceOf(challenger) - before, s.POST_BOND(), "challenger paid the bond");
        vm.assertEq(epochs.getPost(netuid, 1).poster, address(0), "post voided");
        vm.assertEq(epochs.bondsHeld(), 0);
        vm.assertLt(used, 500_000); // 5 UIDs: no weights, no column, only active stakes and one vector
    }

    /// @dev The same shift, dressed up with a made-up last running vector that gives exactly the shifted dividends:
    /// the column challenge of the last UID finds that its step does not add up.
    function test_aMadeUpRunningVectorIsCaughtAtItsStep() public {
        SubnetEpochs.Leaf[] memory leaves = _shifted();
        uint256 last = leaves.length - 1;
        // R' = the shifted dividends themselves: normalize(R' ⊙ active) need not equal them, but any vector the poster
        // picks must be the step of leaf n−2's, and this one is not
        int64[] memory fake = new int64[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            fake[i] = leaves[i].dividends;
        }
        leaves[last].runningHash = keccak256(abi.encode(fake));
        _post(leaves, 1);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, last);
        vm.prank(challenger);
        SubnetEpochs.Fault fault = epochs.challenge(netuid, 1, abi.encode(c));
        vm.assertEq(uint256(fault), uint256(SubnetEpochs.Fault.Running));
    }

    /// @dev Honest epoch 1 with a part of validator 0's dividends moved to validator 2, every sum and emission redone.
    function _shifted() internal returns (SubnetEpochs.Leaf[] memory leaves) {
        leaves = s.honestLeaves(netuid, 1);
        int64 moved = leaves[0].dividends / 4;
        vm.assertTrue(moved > 0 && leaves[2].dividends > 0, "validators earned no dividends: test is vacuous");
        leaves[0].dividends -= moved;
        leaves[2].dividends += moved;
        int64 combined;
        for (uint256 j; j < leaves.length; ++j) {
            combined = YumaFixed.wrapAdd(combined, YumaFixed.satAdd(leaves[j].incentive, leaves[j].dividends));
            leaves[j].combinedPrefix = combined;
        }
        uint64 units = uint64(s.registry().getSnapshot(netuid, 1).pool / 1e9);
        for (uint256 j; j < leaves.length; ++j) {
            leaves[j].minerEmission = YumaFixed.shareOf(YumaFixed.safeDiv(leaves[j].incentive, combined), units);
            leaves[j].validatorEmission = YumaFixed.shareOf(YumaFixed.safeDiv(leaves[j].dividends, combined), units);
        }
        vm.assertTrue(leaves[2].validatorEmission > s.honestLeaves(netuid, 1)[2].validatorEmission, "nothing shifted");
    }

    function test_bondsChainFromThePreviousAcceptedEpoch() public {
        s.postAndFinalize(netuid, 1, s.honestLeaves(netuid, 1), poster);
        vm.roll(block.number + 1);
        _weights(7);
        s.closeEpoch(netuid);
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 2);
        _post(leaves, 2);
        // a challenger who feeds made-up previous bonds is refused before any recomputation
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 2, leaves, 3);
        vm.assertTrue(c.previousBonds.length == 5 && c.previousBonds[0] > 0, "epoch 1 left no bonds: test is vacuous");
        c.previousBonds[0] += 1;
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.BadProof.selector, "previous bonds"));
        epochs.challenge(netuid, 2, abi.encode(c));
    }

    function test_challengeRefusesForgedInputsRowsAndProofs() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        leaves[2].rank += 1;
        _post(leaves, 1);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, 2);
        c.inputs[0].stake += 1;
        vm.expectPartialRevert(SubnetEpochs.InputsMismatch.selector);
        epochs.challenge(netuid, 1, abi.encode(c));
        c = s.challengeOf(netuid, 1, leaves, 2);
        c.rows[0].values[0] += 1;
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.RowMismatch.selector, 0));
        epochs.challenge(netuid, 1, abi.encode(c));
        c = s.challengeOf(netuid, 1, leaves, 2);
        c.leaf.rank -= 1; // the honest value, but not what was posted
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.BadProof.selector, "leaf"));
        epochs.challenge(netuid, 1, abi.encode(c));
        c = s.challengeOf(netuid, 1, leaves, 2);
        c.previous.rankPrefix += 1;
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.BadProof.selector, "previous"));
        epochs.challenge(netuid, 1, abi.encode(c));
    }

    function test_windowBoundsChallengesAndFinalization() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        leaves[4].consensus += 1;
        _post(leaves, 1);
        uint256 before = s.hyp().balanceOf(poster);
        vm.expectPartialRevert(SubnetEpochs.WindowOpen.selector);
        epochs.finalize(netuid, 1);
        vm.roll(block.number + s.CHALLENGE_BLOCKS() + 1);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, 4);
        vm.expectPartialRevert(SubnetEpochs.WindowClosed.selector);
        epochs.challenge(netuid, 1, abi.encode(c));
        epochs.finalize(netuid, 1); // unchallenged in time: final, bond back
        vm.assertEq(s.hyp().balanceOf(poster) - before, s.POST_BOND());
    }

    function test_postsMustFollowInOrderAndMatchTheUidCount() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        s.fund(poster, 3 * s.POST_BOND());
        vm.startPrank(poster);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.WrongEpoch.selector, netuid, 2, 1));
        epochs.post(netuid, 2, leaves);
        SubnetEpochs.Leaf[] memory short = new SubnetEpochs.Leaf[](4);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.LeafCount.selector, 4, 5));
        epochs.post(netuid, 1, short);
        (leaves[0].uid, leaves[1].uid) = (1, 0);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.LeafOutOfOrder.selector, 0, 1));
        epochs.post(netuid, 1, leaves);
        vm.stopPrank();
    }

    function test_claimsPayEachUidOnceWithinThePool() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        _post(leaves, 1);
        bytes32[] memory proof = s.proofOf(leaves, 3);
        vm.prank(actors[3]);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.NotFinal.selector, netuid, 1));
        epochs.claim(netuid, 1, leaves[3], proof);
        vm.roll(block.number + s.CHALLENGE_BLOCKS() + 1);
        epochs.finalize(netuid, 1);
        vm.prank(actors[4]);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.NotLeafAccount.selector, actors[4], actors[3]));
        epochs.claim(netuid, 1, leaves[3], proof);
        uint256 before = s.hyp().balanceOf(actors[3]);
        vm.prank(actors[3]);
        uint256 paid = epochs.claim(netuid, 1, leaves[3], proof);
        vm.assertEq(paid, (uint256(leaves[3].minerEmission) + leaves[3].validatorEmission) * 1e9);
        vm.assertGt(paid, 0);
        vm.assertEq(s.hyp().balanceOf(actors[3]) - before, paid);
        vm.prank(actors[3]);
        vm.expectRevert(abi.encodeWithSelector(SubnetEpochs.AlreadyClaimed.selector, netuid, 1, 3));
        epochs.claim(netuid, 1, leaves[3], proof);
        uint256 total = paid;
        for (uint256 j; j < 5; ++j) {
            if (j == 3) continue;
            bytes32[] memory p = s.proofOf(leaves, j);
            vm.prank(actors[j]);
            total += epochs.claim(netuid, 1, leaves[j], p);
        }
        uint256 pool = s.registry().getSnapshot(netuid, 1).pool;
        vm.assertLe(total, pool);
        vm.assertGt(total, pool * 99 / 100); // rounding dust only
        vm.assertEq(s.registry().getUid(netuid, 3).score, paid, "claimed emission is the pruning score");
    }

    /// @dev An unchallenged inflated post can pay at most the epoch's pool.
    function test_inflatedUnchallengedPostIsCappedByThePool() public {
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, 1);
        uint64 units = uint64(s.registry().getSnapshot(netuid, 1).pool / 1e9);
        leaves[3].minerEmission = units;
        leaves[3].validatorEmission = 0;
        leaves[4].minerEmission = 1;
        leaves[4].validatorEmission = 0;
        s.postAndFinalize(netuid, 1, leaves, poster);
        bytes32[] memory p3 = s.proofOf(leaves, 3);
        bytes32[] memory p4 = s.proofOf(leaves, 4);
        vm.prank(actors[3]);
        epochs.claim(netuid, 1, leaves[3], p3);
        vm.prank(actors[4]);
        vm.expectPartialRevert(SubnetEpochs.PoolExceeded.selector);
        epochs.claim(netuid, 1, leaves[4], p4);
    }
}

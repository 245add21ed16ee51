// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./utils/HyphaTest.sol";
import {SubnetStack} from "./utils/SubnetFixture.sol";
import {SubnetRegistry} from "../src/subnets/SubnetRegistry.sol";
import {SubnetEmissions} from "../src/subnets/SubnetEmissions.sol";
import {YumaColumn} from "../src/subnets/YumaColumn.sol";

/// @notice Subnet creation (lock, hyper-parameter bounds), burn-priced registration (bump, decay, clamps, slippage
/// limit), replacement of the lowest-scoring non-immune UID, commit-reveal weights (wrong reveals, windows, rate
/// limit, permits), epoch closing, and the emission schedule with its 18 % owner cut.
contract SubnetRegistryTest is HyphaTest {
    SubnetStack internal s;
    SubnetRegistry internal registry;
    address internal owner = address(0x0E1);
    uint256 internal netuid;

    function setUp() public {
        vm.roll(100);
        s = new SubnetStack();
        registry = s.registry();
        netuid = s.createSubnet(owner, s.defaultParams());
    }

    function test_createLocksHypAndStoresHyperparameters() public view {
        vm.assertEq(s.hyp().balanceOf(address(registry)), s.LOCK());
        vm.assertEq(registry.totalLocked(), s.LOCK());
        SubnetRegistry.Hyperparameters memory p = registry.getHyperparameters(netuid);
        vm.assertEq(p.tempo, 10);
        vm.assertEq(p.kappa, 32_767);
        vm.assertEq(registry.getSubnet(netuid).owner, owner);
    }

    function test_createRefusesOutOfBoundsHyperparameters() public {
        SubnetRegistry.Hyperparameters memory p = s.defaultParams();
        p.tempo = 1;
        s.fund(owner, s.LOCK());
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.BadHyperparameter.selector, "tempo", 1));
        registry.createSubnet(p);
        p = s.defaultParams();
        p.maxUids = 257;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.BadHyperparameter.selector, "maxUids", 257));
        registry.createSubnet(p);
        p = s.defaultParams();
        p.maxValidators = 9;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.BadHyperparameter.selector, "maxValidators", 9));
        registry.createSubnet(p);
        p = s.defaultParams();
        p.bondsMovingAverage = 1_000_001;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.BadHyperparameter.selector, "bondsMovingAverage", 1_000_001));
        registry.createSubnet(p);
    }

    function test_burnPriceBumpsWithEachRegistrationAndDecaysWhenQuiet() public {
        vm.assertEq(registry.burnPrice(netuid), 1 ether);
        s.register(netuid, address(0xA1));
        vm.assertEq(registry.burnPrice(netuid), 1.5 ether);
        s.register(netuid, address(0xA2));
        vm.assertEq(registry.burnPrice(netuid), 2.25 ether);
        vm.assertEq(registry.burned(), 2.5 ether);
        vm.roll(block.number + registry.BURN_HALF_LIFE());
        vm.assertEq(registry.burnPrice(netuid), 1.125 ether);
        vm.roll(block.number + registry.BURN_HALF_LIFE() / 2); // linear inside the half-life: 3/4 of it
        vm.assertEq(registry.burnPrice(netuid), 1 ether); // 0.84375 clamped up to minBurn
    }

    function test_registerRefusesAPriceAboveTheCallersLimit() public {
        s.fund(address(0xA1), 10 ether);
        vm.prank(address(0xA1));
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.BurnAboveLimit.selector, 1 ether, 0.5 ether));
        registry.register(netuid, 0.5 ether);
    }

    function testFuzz_burnPriceStaysWithinItsClamps(uint8 registrations, uint16 gap) public {
        SubnetRegistry.Hyperparameters memory p = s.defaultParams();
        uint256 count = bound(registrations, 0, 8);
        for (uint256 i; i < count; ++i) {
            vm.roll(block.number + bound(gap, 0, 2_000));
            s.register(netuid, address(uint160(0x1000 + i)));
            uint256 price = registry.burnPrice(netuid);
            vm.assertGe(price, p.minBurn);
            vm.assertLe(price, p.maxBurn);
        }
    }

    function test_fullSubnetReplacesTheLowestScoringNonImmuneUid() public {
        for (uint256 i; i < 8; ++i) {
            s.register(netuid, address(uint160(0x100 + i)));
        }
        s.fund(address(0xBEEF), 1_000 ether);
        vm.prank(address(0xBEEF));
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.SubnetFull.selector, netuid));
        registry.register(netuid, type(uint256).max); // all still immune
        vm.roll(block.number + 6);
        // scores recorded by claims: UID 5 earned least among those with a score, UIDs without one count 0;
        // give every UID but 2 a score, so 2 (score 0) goes
        vm.startPrank(address(s.epochs()));
        for (uint256 i; i < 8; ++i) {
            if (i != 2) registry.recordScore(netuid, i, address(uint160(0x100 + i)), 0, 10 + i);
        }
        vm.stopPrank();
        vm.prank(address(0xBEEF));
        uint256 uid = registry.register(netuid, type(uint256).max);
        vm.assertEq(uid, 2);
        (bool registered,) = registry.uidOf(netuid, address(0x102));
        vm.assertFalse(registered, "replaced account keeps no UID");
        vm.assertEq(registry.getUid(netuid, 2).account, address(0xBEEF));
    }

    function test_onlySubnetEpochsRecordsScores() public {
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.NotEpochs.selector, address(this)));
        registry.recordScore(netuid, 0, address(1), 0, 1);
    }

    function _validator() internal returns (address v) {
        v = address(0xA11CE);
        s.register(netuid, v);
        s.register(netuid, address(0xB0B));
        s.stakeValidator(v, 100 ether);
        s.closeEpoch(netuid); // permits now
        vm.assertTrue(registry.getUid(netuid, 0).permit, "validator got no permit");
    }

    function test_revealMustMatchTheCommit() public {
        address v = _validator();
        uint16[] memory uids = new uint16[](1);
        uint16[] memory values = new uint16[](1);
        uids[0] = 1;
        values[0] = 100;
        bytes32 h = registry.weightsHash(netuid, v, uids, values, bytes32("salt"));
        vm.prank(v);
        registry.commitWeights(netuid, h);
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.RevealTooEarly.selector);
        registry.revealWeights(netuid, uids, values, bytes32("salt"));
        vm.roll(block.number + 2);
        values[0] = 101;
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.WrongReveal.selector);
        registry.revealWeights(netuid, uids, values, bytes32("salt"));
        values[0] = 100;
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.WrongReveal.selector);
        registry.revealWeights(netuid, uids, values, bytes32("pepper"));
        vm.prank(v);
        registry.revealWeights(netuid, uids, values, bytes32("salt"));
        vm.assertEq(registry.getUid(netuid, 0).weightsHash, keccak256(abi.encode(uids, values)));
    }

    function test_seedIsCommittedBeforeAndRevealedAfterTheEvaluation() public {
        address v = address(0xA11CE);
        s.register(netuid, v);
        bytes32 seed = keccak256("evaluation round 1");
        bytes32 h = registry.seedHash(netuid, v, seed);
        vm.prank(v);
        registry.commitSeed(netuid, h);
        vm.assertEq(registry.getSeedCommit(netuid, 0).hash, h);
        // Not in the commit's own block: the seed must be fixed before the requests it drives.
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.SeedRevealTooEarly.selector);
        registry.revealSeed(netuid, seed);
        vm.roll(block.number + 1);
        // Another seed, or the right seed from another account, does not open the commit.
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.WrongReveal.selector);
        registry.revealSeed(netuid, keccak256("another seed"));
        vm.prank(address(0xB0B));
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.NotRegistered.selector, netuid, address(0xB0B)));
        registry.revealSeed(netuid, seed);
        vm.prank(v);
        vm.expectEmit(address(registry));
        emit SubnetRegistry.SeedRevealed(netuid, 0, seed, uint64(block.number - 1));
        registry.revealSeed(netuid, seed);
        vm.assertEq(registry.getSeedCommit(netuid, 0).hash, bytes32(0));
        vm.prank(v);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.NoCommit.selector, netuid, 0));
        registry.revealSeed(netuid, seed);
    }

    function test_aPendingSeedCanBeReplacedOnlyATempoLater() public {
        address v = address(0xA11CE);
        s.register(netuid, v);
        vm.startPrank(v);
        registry.commitSeed(netuid, bytes32("first"));
        uint64 from = uint64(block.number) + 10;
        vm.roll(block.number + 9);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.SeedPending.selector, netuid, 0, from));
        registry.commitSeed(netuid, bytes32("second"));
        vm.roll(block.number + 1);
        registry.commitSeed(netuid, bytes32("second"));
        vm.stopPrank();
        vm.assertEq(registry.getSeedCommit(netuid, 0).hash, bytes32("second"));
    }

    function testFuzz_onlyTheCommittedSeedReveals(bytes32 seed, bytes32 other) public {
        vm.assume(seed != other);
        address v = address(0xA11CE);
        s.register(netuid, v);
        bytes32 h = registry.seedHash(netuid, v, seed);
        vm.prank(v);
        registry.commitSeed(netuid, h);
        vm.roll(block.number + 1);
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.WrongReveal.selector);
        registry.revealSeed(netuid, other);
        vm.prank(v);
        registry.revealSeed(netuid, seed);
    }

    function test_revealExpiresAfterATempo() public {
        address v = _validator();
        uint16[] memory uids = new uint16[](1);
        uint16[] memory values = new uint16[](1);
        uids[0] = 1;
        values[0] = 1;
        bytes32 h = registry.weightsHash(netuid, v, uids, values, 0);
        vm.prank(v);
        registry.commitWeights(netuid, h);
        vm.roll(block.number + 2 + 10 + 1);
        vm.prank(v);
        vm.expectPartialRevert(SubnetRegistry.RevealExpired.selector);
        registry.revealWeights(netuid, uids, values, 0);
    }

    function test_commitsAreRateLimited() public {
        SubnetRegistry.Hyperparameters memory p = s.defaultParams();
        p.weightsRateLimit = 5;
        uint256 id = s.createSubnet(owner, p);
        s.register(id, address(0xA1));
        vm.startPrank(address(0xA1));
        registry.commitWeights(id, bytes32("a"));
        vm.roll(block.number + 4);
        vm.expectPartialRevert(SubnetRegistry.RateLimited.selector);
        registry.commitWeights(id, bytes32("b"));
        vm.roll(block.number + 1);
        registry.commitWeights(id, bytes32("b"));
        vm.stopPrank();
    }

    function test_revealNeedsAPermitAndWellFormedWeights() public {
        address v = _validator();
        uint16[] memory uids = new uint16[](2);
        uint16[] memory values = new uint16[](2);
        (uids[0], uids[1], values[0], values[1]) = (1, 1, 5, 5);
        bytes32 h = registry.weightsHash(netuid, v, uids, values, 0);
        vm.prank(v);
        registry.commitWeights(netuid, h);
        vm.roll(block.number + 2);
        vm.prank(v);
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.BadWeights.selector, "uids not strictly increasing"));
        registry.revealWeights(netuid, uids, values, 0);
        // a miner (no stake, no permit) can commit but not reveal
        h = registry.weightsHash(netuid, address(0xB0B), uids, values, 0);
        vm.prank(address(0xB0B));
        registry.commitWeights(netuid, h);
        vm.roll(block.number + 2);
        vm.prank(address(0xB0B));
        vm.expectRevert(abi.encodeWithSelector(SubnetRegistry.NoPermit.selector, netuid, 1));
        registry.revealWeights(netuid, uids, values, 0);
    }

    function test_epochClosesOnlyAfterItsTempoAndFreezesItsInputs() public {
        s.register(netuid, address(0xA1));
        s.closeEpoch(netuid);
        vm.expectPartialRevert(SubnetRegistry.EpochNotDue.selector);
        registry.closeEpoch(netuid);
        SubnetRegistry.EpochSnapshot memory snap = registry.getSnapshot(netuid, 0);
        YumaColumn.UidInput[] memory inputs = s.inputsOf(netuid, 0);
        vm.assertEq(snap.inputsHash, keccak256(abi.encode(inputs)));
        vm.assertEq(snap.n, 1);
        vm.assertGt(snap.pool, 0);
    }

    function test_emissionHalvesAndOwnerGets18Percent() public {
        SubnetEmissions e = s.emissions();
        uint256 g = e.genesisBlock();
        vm.assertEq(e.rateAt(g), 1 ether);
        vm.assertEq(e.rateAt(g + 1_000), 0.5 ether);
        vm.assertEq(e.scheduledUntil(g + 1_500), 1_000 ether + 250 ether);
        s.register(netuid, address(0xA1));
        s.closeEpoch(netuid);
        uint256 pool = registry.getSnapshot(netuid, 0).pool;
        uint256 owed = e.ownerOwed(netuid);
        vm.assertEq(owed + pool, e.assigned(), "one subnet gets everything accrued");
        vm.assertEq(owed, (owed + pool) * 1_800 / 10_000);
        vm.prank(owner);
        e.claimOwner(netuid);
        vm.assertEq(s.hyp().balanceOf(owner), owed);
        vm.prank(address(0xA1));
        vm.expectRevert(abi.encodeWithSelector(SubnetEmissions.NotOwner.selector, address(0xA1), owner));
        e.claimOwner(netuid);
        vm.expectRevert(abi.encodeWithSelector(SubnetEmissions.NotEpochs.selector, address(this)));
        e.payEpoch(address(this), 1);
    }

    function testFuzz_twoSubnetsShareTheScheduleWithoutExceedingIt(uint16 a, uint16 b, uint16 c) public {
        SubnetEmissions e = s.emissions();
        vm.roll(block.number + bound(a, 0, 3_000));
        uint256 other = s.createSubnet(address(0x0E2), s.defaultParams());
        vm.roll(block.number + bound(b, 10, 3_000));
        s.closeEpoch(netuid);
        vm.roll(block.number + bound(c, 10, 3_000));
        s.closeEpoch(other);
        s.closeEpoch(netuid);
        vm.assertLe(e.assigned(), e.scheduledUntil(block.number));
        vm.assertEq(e.assignedToEpochs() + e.assignedToOwners() + e.pendingOf(netuid) + e.pendingOf(other), e.assigned());
    }
}

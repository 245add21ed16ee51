// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {AppRewards} from "../../src/apps/AppRewards.sol";

/// @notice App incentives: a creator earns its share of others' paid use at once and an epoch reward in proportion
/// to the fees others paid; its own use, its provider's use, a sybil payer and a ring of apps paying each other all
/// end with less money than they started with.
contract AppRewardsTest is HyphaTest {
    uint64 internal constant EPOCH = 100;
    PaymentToken internal usd;
    AppRewards internal apps;
    address internal sink = makeAddr("treasury");
    address internal creator = makeAddr("creator");
    address internal provider = makeAddr("provider");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal sponsor = makeAddr("sponsor");

    function setUp() public {
        vm.roll(1000);
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        apps = new AppRewards(IERC20(address(usd)), sink, EPOCH);
        address[6] memory everyone = [creator, provider, alice, bob, sponsor, sink];
        for (uint256 i; i < everyone.length; ++i) {
            usd.mint(everyone[i], 1_000_000e6);
            vm.prank(everyone[i]);
            usd.approve(address(apps), type(uint256).max);
        }
        vm.prank(sponsor);
        apps.fund(100_000e6);
    }

    function _publish(address who, uint16 creatorBps) internal returns (uint256 id) {
        vm.prank(who);
        id = apps.publish(keccak256("spec"), 1e6, creatorBps);
    }

    function _endEpoch() internal {
        vm.roll(block.number + EPOCH);
    }

    function test_aPaidUseSplitsAtOnceAndCountsTowardTheCreatorsReward() public {
        uint256 id = _publish(creator, 3_000);
        vm.prank(alice);
        apps.pay(id, provider, 1_000e6);
        // fee 100, creator 30 % of 900 = 270, provider 630
        vm.assertEq(usd.balanceOf(sink), 1_000_000e6 + 100e6);
        vm.assertEq(usd.balanceOf(creator), 1_000_000e6 + 270e6);
        vm.assertEq(usd.balanceOf(provider), 1_000_000e6 + 630e6);
        vm.assertEq(apps.eligibleFees(0, id), 1_000e6);
        _endEpoch();
        // budget = min(10 % of 100 000, 5 % of 1 000) = 50
        uint256 got = apps.claim(0, id);
        vm.assertEq(got, 50e6);
        vm.assertEq(usd.balanceOf(creator), 1_000_000e6 + 320e6);
        vm.assertEq(apps.pool(), 100_000e6 - 50e6);
        vm.expectRevert(abi.encodeWithSelector(AppRewards.AlreadyClaimed.selector, 0, id));
        apps.claim(0, id);
    }

    function test_rewardsFollowOthersFeesWhenThePoolBinds() public {
        uint256 a = _publish(creator, 0);
        uint256 b = _publish(bob, 0);
        vm.prank(alice);
        apps.pay(a, provider, 3_000_000e6 / 10); // 300 000
        vm.prank(alice);
        apps.pay(b, provider, 100_000e6); // 100 000
        _endEpoch();
        // budget = min(10 000, 20 000) = 10 000, shared 3 : 1
        vm.assertEq(apps.claim(0, a), 7_500e6);
        vm.assertEq(apps.claim(0, b), 2_500e6);
        vm.assertEq(apps.getEpoch(0).paid, apps.getEpoch(0).reserved);
        vm.assertEq(apps.outstanding(), 0);
    }

    function test_theCreatorsOwnUseAndItsProvidersUseEarnNoReward() public {
        uint256 id = _publish(creator, 5_000);
        vm.prank(creator);
        apps.pay(id, provider, 1_000e6);
        vm.prank(provider);
        apps.pay(id, provider, 1_000e6);
        vm.prank(alice);
        apps.pay(id, creator, 1_000e6); // the creator serving its own app: alice's fee is still others' use
        vm.assertEq(apps.eligibleFees(0, id), 1_000e6);
        _endEpoch();
        vm.assertEq(apps.claim(0, id), 50e6);
    }

    function test_aWashTraderPayingItselfThroughItsOwnAppAndProviderEndsPoorer() public {
        // The trader controls the creator, the provider and a fresh payer account (a sybil the contract cannot
        // tell from a customer). It pays 10 000 per epoch for 5 epochs and claims every reward.
        address washCreator = makeAddr("washCreator");
        address washProvider = makeAddr("washProvider");
        address sybil = makeAddr("sybil");
        usd.mint(sybil, 1_000_000e6);
        vm.prank(sybil);
        usd.approve(address(apps), type(uint256).max);
        uint256 id = _publish(washCreator, 10_000);
        uint256 before = _held(washCreator, washProvider, sybil);
        for (uint256 e; e < 5; ++e) {
            vm.prank(sybil);
            apps.pay(id, washProvider, 10_000e6);
            _endEpoch();
            apps.claim(apps.currentEpoch() - 1, id);
        }
        uint256 afterAll = _held(washCreator, washProvider, sybil);
        vm.assertLt(afterAll, before); // wash trading never pays
        // It lost the fees (10 %) and won back at most 5 %: at least 5 % of what it moved is gone.
        vm.assertGe(before - afterAll, 5 * 10_000e6 * 5 / 100);
    }

    function test_aRingOfAppsPayingEachOtherEndsPoorer() public {
        address[3] memory ring = [makeAddr("r0"), makeAddr("r1"), makeAddr("r2")];
        uint256[3] memory ids;
        for (uint256 i; i < 3; ++i) {
            usd.mint(ring[i], 1_000_000e6);
            vm.prank(ring[i]);
            usd.approve(address(apps), type(uint256).max);
            ids[i] = _publish(ring[i], 10_000);
        }
        uint256 before = usd.balanceOf(ring[0]) + usd.balanceOf(ring[1]) + usd.balanceOf(ring[2]);
        for (uint256 round; round < 4; ++round) {
            for (uint256 i; i < 3; ++i) {
                // r_i pays r_{i+1}'s app, served by r_{i+2}: every address check passes.
                vm.prank(ring[i]);
                apps.pay(ids[(i + 1) % 3], ring[(i + 2) % 3], 50_000e6);
            }
        }
        _endEpoch();
        for (uint256 i; i < 3; ++i) apps.claim(0, ids[i]);
        uint256 afterAll = usd.balanceOf(ring[0]) + usd.balanceOf(ring[1]) + usd.balanceOf(ring[2]);
        vm.assertLt(afterAll, before); // the ring never profits
    }

    function test_anHonestCreatorEarnsMoreThanItsShareAlone() public {
        uint256 id = _publish(creator, 1_000);
        vm.prank(alice);
        apps.pay(id, provider, 10_000e6);
        vm.prank(bob);
        apps.pay(id, provider, 10_000e6);
        _endEpoch();
        uint256 share = (20_000e6 - 2_000e6) / 10;
        vm.assertEq(apps.claim(0, id), 1_000e6); // 5 % of 20 000
        vm.assertEq(usd.balanceOf(creator), 1_000_000e6 + share + 1_000e6);
    }

    function test_refusalsNameTheirCause() public {
        vm.expectRevert(abi.encodeWithSelector(AppRewards.BadShare.selector, 10_001));
        apps.publish(0, 0, 10_001);
        vm.expectRevert(abi.encodeWithSelector(AppRewards.UnknownApp.selector, 7));
        apps.pay(7, provider, 1);
        uint256 id = _publish(creator, 0);
        vm.expectRevert(AppRewards.ZeroAmount.selector);
        vm.prank(alice);
        apps.pay(id, provider, 0);
        vm.expectRevert(AppRewards.ZeroAddress.selector);
        vm.prank(alice);
        apps.pay(id, address(0), 1);
        vm.expectRevert(AppRewards.SelfProvider.selector);
        vm.prank(alice);
        apps.pay(id, address(apps), 1);
        vm.expectRevert(abi.encodeWithSelector(AppRewards.EpochNotOver.selector, 0, 0));
        apps.claim(0, id);
        vm.expectRevert(abi.encodeWithSelector(AppRewards.NotCreator.selector, id, alice));
        vm.prank(alice);
        apps.update(id, 0, 0, 0);
        vm.prank(creator);
        apps.update(id, bytes32("v2"), 2e6, 500);
        vm.assertEq(apps.getApp(id).price, 2e6);
    }

    /// Whatever is paid, by whom and with what share: the payment splits to the unit, the fee is at least one unit,
    /// and no claim ever exceeds REWARD_CAP_BPS of the app's eligible fees.
    function testFuzz_paymentsSplitExactlyAndRewardsStayUnderTheCap(uint96 amount, uint16 share, uint8 payerSeed,
        uint96 funded) public {
        amount = uint96(bound(amount, 1, 1_000_000e6 / 2));
        share = uint16(bound(share, 0, 10_000));
        uint256 id = _publish(creator, share);
        address payer = [alice, bob, creator, provider][payerSeed % 4];
        if (funded > 0) {
            usd.mint(sponsor, funded);
            vm.prank(sponsor);
            apps.fund(funded);
        }
        uint256 sum = usd.balanceOf(sink) + usd.balanceOf(creator) + usd.balanceOf(provider);
        uint256 payerBefore = usd.balanceOf(payer);
        vm.prank(payer);
        apps.pay(id, provider, amount);
        if (payer == alice || payer == bob) {
            vm.assertEq(payerBefore - usd.balanceOf(payer), amount);
            vm.assertEq(usd.balanceOf(sink) + usd.balanceOf(creator) + usd.balanceOf(provider) - sum, amount);
        }
        vm.assertGe(usd.balanceOf(sink) * 10_000, (1_000_000e6) * 10_000 + uint256(amount) * 1_000);
        _endEpoch();
        uint256 got = apps.claim(0, id);
        vm.assertLe(got * 10_000, apps.eligibleFees(0, id) * 500);
        if (payer == creator || payer == provider) vm.assertEq(got, 0);
    }

    function _held(address a, address b, address c) internal view returns (uint256) {
        return usd.balanceOf(a) + usd.balanceOf(b) + usd.balanceOf(c);
    }
}

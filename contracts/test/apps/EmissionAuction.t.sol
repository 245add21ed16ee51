// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {AuctionStack} from "../utils/AuctionFixture.sol";
import {SubnetStack} from "../utils/SubnetFixture.sol";
import {SubnetEmissions, IHypMinter, ISubnetRegistryView} from "../../src/subnets/SubnetEmissions.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {AppRewards} from "../../src/apps/AppRewards.sol";
import {EmissionAuction} from "../../src/apps/EmissionAuction.sol";

/// @notice The apps' share of emission: accrued beside the subnets' within the schedule, minted only to the bound
/// auction, sold whole lot by whole lot at a falling price, every unit paid landing in AppRewards' pool.
contract EmissionAuctionTest is HyphaTest {
    AuctionStack internal a;
    SubnetStack internal s;
    SubnetEmissions internal emissions;
    EmissionAuction internal auction;
    AppRewards internal rewards;
    PaymentToken internal usd;
    address internal governor = makeAddr("governor");
    address internal buyer = makeAddr("buyer");
    address internal owner = makeAddr("owner");

    function setUp() public {
        vm.roll(100);
        a = new AuctionStack(governor, makeAddr("treasury"));
        s = a.s();
        emissions = s.emissions();
        auction = a.auction();
        rewards = a.rewards();
        usd = a.usd();
        a.mintUsd(buyer, 1e15);
        vm.prank(buyer);
        usd.approve(address(auction), type(uint256).max);
    }

    function _open() internal returns (uint256 lotId) {
        lotId = auction.openLot();
    }

    function test_theAppShareAccruesBesideTheSubnetsWithinTheSchedule() public {
        uint256 netuid = s.createSubnet(owner, s.defaultParams());
        uint256 from = block.number;
        uint256 before = emissions.appsOwed(); // accrued between binding and the subnet's creation
        vm.roll(block.number + 37);
        uint256 scheduled = emissions.scheduledBetween(from, block.number);
        vm.assertEq(emissions.appsOwed() - before, scheduled / 10, "apps: 10 % of the schedule");
        vm.assertEq(emissions.pendingOf(netuid), scheduled - scheduled / 10, "the subnet: the rest");
        emissions.claimApps();
        vm.assertEq(s.hyp().balanceOf(address(auction)), before + scheduled / 10, "minted to the auction only");
        vm.assertLe(emissions.assigned(), emissions.scheduledUntil(block.number));
        vm.assertEq(emissions.minted(), emissions.paidToApps());
        vm.assertEq(emissions.claimApps(), 0, "nothing twice");
    }

    function test_aLotBoughtFundsAppRewardsWithExactlyWhatTheBuyerPaid() public {
        vm.roll(block.number + 50); // 50 blocks × 1 HYP × 10 % = 5 HYP
        uint256 lotId = _open();
        EmissionAuction.Lot memory lot = auction.currentLot();
        vm.assertEq(lotId, 0);
        vm.assertEq(lot.amount, 5 ether);
        vm.assertEq(auction.currentPrice(), AuctionStack(a).START_PRICE());
        vm.roll(block.number + 50); // halfway: (10 + 0.01) / 2 hUSD
        uint256 price = auction.currentPrice();
        vm.assertEq(price, 10e6 - (10e6 - 1e4) / 2);
        uint256 usdBefore = usd.balanceOf(buyer);
        vm.prank(buyer);
        (uint256 amount, uint256 paid) = auction.buy(lotId, price);
        vm.assertEq(amount, 5 ether);
        vm.assertEq(paid, 5 * price);
        vm.assertEq(usdBefore - usd.balanceOf(buyer), paid, "the buyer paid exactly the cost");
        vm.assertEq(rewards.pool(), paid, "all of it reached the pool");
        vm.assertEq(usd.balanceOf(address(auction)), 0, "the auction keeps nothing");
        vm.assertEq(s.hyp().balanceOf(buyer), 5 ether);
        vm.assertEq(s.hyp().balanceOf(address(auction)), 0);
        vm.assertFalse(auction.live());
        vm.expectRevert(EmissionAuction.NoLiveLot.selector);
        vm.prank(buyer);
        auction.buy(lotId, type(uint256).max);
    }

    function test_thePriceFallsToTheFloorAndAnUnsoldLotRestartsWithEverythingHeld() public {
        vm.roll(block.number + 20);
        _open();
        vm.roll(block.number + 99);
        vm.assertEq(auction.currentPrice(), 1e4 + (10e6 - 1e4) / 100, "one block before the floor");
        vm.expectRevert(abi.encodeWithSelector(EmissionAuction.LotLive.selector, 0, uint64(block.number + 1)));
        auction.openLot();
        vm.roll(block.number + 1); // reached the floor unsold
        vm.assertFalse(auction.live());
        vm.expectRevert(EmissionAuction.NoLiveLot.selector);
        auction.currentPrice();
        vm.assertEq(auction.nextLotAmount(), 2 ether + 10 ether, "the old lot and 100 more blocks");
        vm.assertEq(_open(), 1);
        vm.assertEq(auction.currentLot().amount, 12 ether);
        vm.assertEq(auction.currentPrice(), 10e6, "restarted at the start price");
    }

    function test_refusalsNameTheirCause() public {
        vm.roll(block.number + 5);
        vm.expectRevert(abi.encodeWithSelector(EmissionAuction.LotTooSmall.selector, 0.5 ether, 1 ether));
        auction.openLot();
        vm.roll(block.number + 5);
        uint256 lotId = _open();
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(EmissionAuction.PriceAboveMax.selector, 10e6, 10e6 - 1));
        auction.buy(lotId, 10e6 - 1);
        address poor = makeAddr("poor");
        vm.prank(poor);
        vm.expectRevert(); // no allowance, no hUSD: the lot stays for others
        auction.buy(lotId, 10e6);
        vm.assertTrue(auction.live());
    }

    function test_onlyGovernanceSetsTheParametersAndTheAppShareWithinBounds() public {
        EmissionAuction.Params memory p = a.defaultParams();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, buyer,
            bytes32(0)));
        vm.prank(buyer);
        auction.setParams(p);
        vm.startPrank(governor);
        p.floorPrice = 0; // a zero price would give HYP away
        vm.expectRevert(EmissionAuction.BadParams.selector);
        auction.setParams(p);
        p = a.defaultParams();
        p.floorPrice = p.startPrice + 1;
        vm.expectRevert(EmissionAuction.BadParams.selector);
        auction.setParams(p);
        p = a.defaultParams();
        p.lotBlocks = 0;
        vm.expectRevert(EmissionAuction.BadParams.selector);
        auction.setParams(p);
        p = a.defaultParams();
        p.minLot = 0;
        vm.expectRevert(EmissionAuction.BadParams.selector);
        auction.setParams(p);
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, buyer,
            bytes32(0)));
        vm.prank(buyer);
        emissions.setAppShare(0);
        vm.expectRevert(abi.encodeWithSelector(SubnetEmissions.BadAppShare.selector, 2_001, 2_000));
        a.setAppShare(2_001);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, buyer,
            bytes32(0)));
        vm.prank(buyer);
        emissions.bindApps(buyer);
        vm.expectRevert(abi.encodeWithSelector(SubnetEmissions.AlreadyBound.selector, address(auction)));
        s.enableApps(address(auction), 1_000);
        vm.expectRevert(SubnetEmissions.ZeroRecipient.selector);
        s.enableApps(address(0), 1_000);
    }

    function test_newParametersApplyFromTheNextLotOnly() public {
        vm.roll(block.number + 20);
        _open();
        EmissionAuction.Params memory p = a.defaultParams();
        p.startPrice = 20e6;
        p.lotBlocks = 10;
        vm.prank(governor);
        auction.setParams(p);
        vm.roll(block.number + 50);
        vm.assertEq(auction.currentPrice(), 10e6 - (10e6 - 1e4) / 2, "the live lot keeps its price path");
        vm.roll(block.number + 50);
        _open();
        vm.assertEq(auction.currentPrice(), 20e6);
        vm.roll(block.number + 10);
        vm.assertFalse(auction.live());
    }

    function test_aChangedAppShareAppliesFromItsBlock() public {
        uint256 from = block.number;
        vm.roll(block.number + 10);
        a.setAppShare(2_000);
        vm.roll(block.number + 10);
        a.setAppShare(0);
        vm.roll(block.number + 10);
        uint256 owed = emissions.appsOwed();
        vm.assertEq(owed, 1 ether + 2 ether, "10 blocks at 10 %, 10 at 20 %, 10 at 0 %");
        vm.assertEq(from + 30, block.number);
    }

    /// Whoever deployed SubnetEmissions, only its admin (governance) binds the app recipient: a deploy stopped before
    /// the binding leaves no hot key able to take the app share.
    function test_theDeployerCannotBindTheAppRecipientOnlyGovernanceCan() public {
        SubnetEmissions fresh = new SubnetEmissions(IHypMinter(address(s.hyp())),
            ISubnetRegistryView(address(s.registry())), 1 ether, 1_000, governor, 0, 1_000);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(this),
            bytes32(0)));
        fresh.bindApps(buyer);
        vm.prank(governor);
        fresh.bindApps(address(auction));
        vm.assertEq(fresh.appRecipient(), address(auction));
    }

    /// Governance replaces a faulty auction: what accrued to the old one is minted to it at the rebind, the new one
    /// gets only what accrues from then on.
    function test_aRebindPaysTheOldRecipientWhatAccruedAndMovesOnlyTheFuture() public {
        vm.roll(block.number + 30); // 3 HYP accrued to the auction, none minted yet
        uint256 owedBefore = emissions.appsOwed();
        vm.assertEq(owedBefore, 3 ether);
        address next = makeAddr("nextAuction");
        s.enableApps(next, 1_000);
        vm.assertEq(emissions.appRecipient(), next);
        vm.assertEq(s.hyp().balanceOf(address(auction)), 3 ether, "the old recipient got what accrued to it");
        vm.assertEq(auction.claimed(), 3 ether, "and counts it");
        vm.assertEq(emissions.appsOwed(), 0, "nothing moved to the new one");
        vm.roll(block.number + 20);
        vm.assertEq(emissions.appsOwed(), 2 ether);
        emissions.claimApps();
        vm.assertEq(s.hyp().balanceOf(next), 2 ether);
        vm.assertEq(emissions.appsPaidTo(next), 2 ether);
        vm.assertEq(s.hyp().balanceOf(address(auction)), 3 ether, "the old one keeps only its own");
        vm.assertEq(emissions.paidToApps(), 5 ether);
    }

    /// A stranger's claimApps mints to the auction; the auction still counts it, so held = claimed − sold.
    function test_claimAppsByAStrangerIsCountedAsClaimed() public {
        vm.roll(block.number + 50);
        vm.prank(makeAddr("stranger"));
        vm.assertEq(emissions.claimApps(), 5 ether);
        vm.assertEq(auction.claimed(), 5 ether, "minted to the auction = claimed");
        uint256 lotId = _open();
        vm.assertEq(auction.currentLot().amount, 5 ether);
        vm.prank(buyer);
        auction.buy(lotId, type(uint256).max);
        vm.assertEq(s.hyp().balanceOf(address(auction)), auction.claimed() - auction.sold());
    }

    /// A front-runner buys the lot a buyer priced and opens the next: the buyer's buy names its lot and is refused
    /// instead of taking another amount.
    function test_aBuyNamesItsLotSoAFrontRunnerCannotSwapIt() public {
        vm.roll(block.number + 20);
        uint256 lotId = _open();
        address frontRunner = makeAddr("frontRunner");
        a.mintUsd(frontRunner, 1e15);
        vm.startPrank(frontRunner);
        usd.approve(address(auction), type(uint256).max);
        auction.buy(lotId, type(uint256).max);
        vm.roll(block.number + 10);
        uint256 next = auction.openLot();
        vm.stopPrank();
        vm.assertEq(next, lotId + 1);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(EmissionAuction.WrongLot.selector, lotId, next));
        auction.buy(lotId, type(uint256).max);
        vm.prank(buyer);
        auction.buy(next, type(uint256).max);
    }

    /// lotView reads the whole lot at one block: on its last live block and the block after, every field agrees.
    function test_lotViewReadsTheWholeLotAtOneBlock() public {
        EmissionAuction.LotView memory v = auction.lotView();
        vm.assertEq(v.lotCount, 0);
        vm.assertFalse(v.live);
        vm.roll(block.number + 20);
        uint256 lotId = _open();
        vm.roll(block.number + 99); // the lot's last block
        v = auction.lotView();
        vm.assertEq(v.lotCount, lotId + 1);
        vm.assertTrue(v.live);
        vm.assertEq(v.amount, 2 ether);
        vm.assertEq(v.price, auction.currentPrice());
        vm.assertEq(v.cost, auction.currentCost());
        vm.assertEq(v.startBlock + v.blocks, block.number + 1);
        vm.assertEq(v.blockNumber, block.number);
        vm.assertEq(v.nextLotAmount, auction.nextLotAmount());
        vm.roll(block.number + 1); // ended unsold: no price, no revert
        v = auction.lotView();
        vm.assertFalse(v.live);
        vm.assertEq(v.price, 0);
        vm.assertEq(v.cost, 0);
        vm.assertEq(v.amount, 2 ether);
    }

    /// Every buy pays ceil(amount × price / 1e18), at least 1 unit, and AppRewards' pool grows by exactly that.
    function testFuzz_aBuyPaysTheRoundedUpCostIntoThePool(uint32 accrueBlocks, uint8 waitBlocks, uint128 start,
        uint128 floor, uint16 lotBlocks) public {
        EmissionAuction.Params memory p;
        p.startPrice = uint128(bound(start, 1, 1e30));
        p.floorPrice = uint128(bound(floor, 1, p.startPrice));
        p.lotBlocks = uint64(bound(lotBlocks, 1, 10_000));
        p.minLot = 1;
        vm.prank(governor);
        auction.setParams(p);
        vm.roll(block.number + bound(accrueBlocks, 1, 50_000));
        uint256 lotId = _open();
        uint256 wait = bound(waitBlocks, 0, p.lotBlocks - 1);
        vm.roll(block.number + wait);
        EmissionAuction.Lot memory lot = auction.currentLot();
        uint256 price = auction.currentPrice();
        vm.assertGe(price, p.floorPrice);
        vm.assertLe(price, p.startPrice);
        a.mintUsd(buyer, auction.currentCost());
        uint256 poolBefore = rewards.pool();
        vm.prank(buyer);
        (uint256 amount, uint256 paid) = auction.buy(lotId, price);
        vm.assertEq(amount, lot.amount);
        vm.assertGe(paid, 1, "never free");
        vm.assertGe(paid * 1e18, amount * price, "rounded in the auction's favour");
        vm.assertLt((paid - 1) * 1e18, amount * price); // by less than one unit
        vm.assertEq(rewards.pool() - poolBefore, paid);
    }

    /// Apps + subnets never get more than the schedule, whatever the share, subnet count and accrual points.
    function testFuzz_theSplitStaysWithinTheSchedule(uint16 bps, uint8 subnetCount, uint32 gap1, uint32 gap2) public {
        a.setAppShare(uint16(bound(bps, 0, 2_000)));
        uint256 n = bound(subnetCount, 0, 3);
        for (uint256 i; i < n; ++i) {
            s.createSubnet(address(uint160(0x1000 + i)), s.defaultParams());
        }
        vm.roll(block.number + bound(gap1, 0, 5_000));
        emissions.claimApps();
        vm.roll(block.number + bound(gap2, 0, 5_000));
        emissions.claimApps();
        vm.assertLe(emissions.assigned(), emissions.scheduledUntil(block.number));
        vm.assertEq(emissions.minted(), emissions.assignedToApps());
        vm.assertEq(s.hyp().balanceOf(address(auction)), emissions.paidToApps());
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {AuctionStack} from "../../utils/AuctionFixture.sol";
import {EmissionAuction} from "../../../src/apps/EmissionAuction.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";

/// @notice Drives the apps' emission auction at random: time, lots opened by anyone, buys by three buyers with any
/// price guard, governance changing the auction's parameters and the app share. A bystander holds hUSD and HYP and
/// has approved the auction for both, but never buys: nothing may move its funds. Records what each buyer paid and
/// got, so the invariants can compare every balance with its history.
contract EmissionAuctionHandler is HyphaTest {
    AuctionStack public immutable a;
    EmissionAuction public immutable auction;
    PaymentToken public immutable usd;
    address public constant BYSTANDER = address(0xB1);
    address public constant STRANGER = address(0xB2);
    uint256 public constant START_USD = 1e24;
    address[3] public buyers = [address(0xA1), address(0xA2), address(0xA3)];

    mapping(address => uint256) public paidBy;
    mapping(address => uint256) public boughtBy;
    uint256 public paidTotal;
    uint256 public lotsBought;

    address public immutable governor;

    constructor(AuctionStack a_, address governor_) {
        a = a_;
        governor = governor_;
        auction = a_.auction();
        usd = a_.usd();
        for (uint256 i; i < 3; ++i) {
            a_.mintUsd(buyers[i], START_USD);
            vm.prank(buyers[i]);
            usd.approve(address(auction), type(uint256).max);
        }
        a_.mintUsd(BYSTANDER, START_USD);
        vm.prank(BYSTANDER);
        usd.approve(address(auction), type(uint256).max);
    }

    function roll(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 300));
    }

    function openLot() external {
        try auction.openLot() {} catch {} // refused while a lot is live or the lot would be too small
    }

    /// A buyer names the live lot, or (one time in four) an earlier one it read before a front-runner moved on.
    function buy(uint256 buyerSeed, uint256 maxPrice) external {
        address buyer = buyers[buyerSeed % 3];
        if (!auction.live()) return;
        uint256 price = auction.currentPrice();
        uint256 liveLot = auction.lotCount() - 1;
        uint256 lotId = (buyerSeed >> 8) % 4 == 0 && liveLot > 0 ? liveLot - 1 : liveLot;
        maxPrice = bound(maxPrice, price > 10 ? price - 10 : 0, price + 10);
        uint256 usdBefore = usd.balanceOf(buyer);
        vm.prank(buyer);
        try auction.buy(lotId, maxPrice) returns (uint256 amount, uint256 paid) {
            require(lotId == liveLot, "bought a lot it did not name");
            require(maxPrice >= price, "bought above the guard");
            require(usdBefore - usd.balanceOf(buyer) == paid, "paid != cost");
            paidBy[buyer] += paid;
            boughtBy[buyer] += amount;
            paidTotal += paid;
            ++lotsBought;
        } catch {
            require(maxPrice < price || lotId != liveLot, "refused at an acceptable price");
        }
    }

    /// Anyone may mint the app share to the auction: it must still count it as claimed.
    function claimAppsByStranger() external {
        vm.prank(STRANGER);
        a.s().emissions().claimApps();
    }

    /// Governance picks new bounded parameters.
    function setParams(uint128 start, uint128 floor, uint64 lotBlocks, uint128 minLot) external {
        EmissionAuction.Params memory p;
        p.startPrice = uint128(bound(start, 1, 1e12));
        p.floorPrice = uint128(bound(floor, 1, p.startPrice));
        p.lotBlocks = uint64(bound(lotBlocks, 1, 400));
        p.minLot = uint128(bound(minLot, 1, 50 ether));
        vm.prank(governor);
        auction.setParams(p);
    }

    function setAppShare(uint16 bps) external {
        a.setAppShare(uint16(bound(bps, 0, 2_000)));
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {AuctionStack} from "../utils/AuctionFixture.sol";
import {EmissionAuctionHandler} from "./handlers/EmissionAuctionHandler.sol";
import {SubnetEmissions} from "../../src/subnets/SubnetEmissions.sol";
import {EmissionAuction} from "../../src/apps/EmissionAuction.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Whatever sequence of time, lots, buys (with any price guard, naming the live lot or a stale one), claims
/// by strangers, parameter and app-share changes happens:
/// minted HYP stays within the schedule with the app share included; the auction holds exactly what it claimed less
/// what it sold; every hUSD a buyer paid is in AppRewards' pool and nowhere else; only buyers' funds move, each by
/// exactly what it paid and bought.
contract EmissionAuctionInvariantTest is HyphaTest, InvariantTest {
    AuctionStack internal a;
    EmissionAuctionHandler internal handler;
    uint256 internal initialSupply;

    function setUp() public {
        vm.roll(100);
        address governor = makeAddr("governor");
        a = new AuctionStack(governor, makeAddr("treasury"));
        handler = new EmissionAuctionHandler(a, governor);
        initialSupply = a.s().hyp().totalSupply();
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = EmissionAuctionHandler.roll.selector;
        selectors[1] = EmissionAuctionHandler.openLot.selector;
        selectors[2] = EmissionAuctionHandler.buy.selector;
        selectors[3] = EmissionAuctionHandler.setParams.selector;
        selectors[4] = EmissionAuctionHandler.setAppShare.selector;
        selectors[5] = EmissionAuctionHandler.claimAppsByStranger.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// forge-config: default.invariant.runs = 24
    /// forge-config: default.invariant.depth = 40
    function invariant_emissionReachesThePoolOnlyThroughBuyers() public view {
        SubnetEmissions e = a.s().emissions();
        EmissionAuction auction = a.auction();
        IERC20 hyp = IERC20(address(a.s().hyp()));
        vm.assertLe(e.minted(), e.scheduledUntil(block.number), "minted beyond the schedule");
        vm.assertLe(e.assigned(), e.scheduledUntil(block.number), "assigned beyond the schedule");
        vm.assertLe(e.paidToApps(), e.assignedToApps(), "apps paid beyond their share");
        vm.assertEq(hyp.totalSupply(), initialSupply + e.minted(), "HYP minted outside emissions");
        vm.assertEq(auction.claimed(), e.paidToApps(), "claimed != minted to the auction");
        vm.assertEq(hyp.balanceOf(address(auction)), auction.claimed() - auction.sold(), "held != claimed - sold");
        vm.assertEq(a.rewards().pool(), handler.paidTotal(), "pool != what buyers paid");
        vm.assertEq(auction.proceeds(), handler.paidTotal(), "proceeds != what buyers paid");
        vm.assertEq(a.usd().balanceOf(address(a.rewards())), handler.paidTotal(), "AppRewards holds other hUSD");
        vm.assertEq(a.usd().balanceOf(address(auction)), 0, "the auction kept hUSD");
        uint256 boughtTotal;
        for (uint256 i; i < 3; ++i) {
            address b = handler.buyers(i);
            vm.assertEq(a.usd().balanceOf(b), handler.START_USD() - handler.paidBy(b), "a buyer's hUSD moved");
            vm.assertEq(hyp.balanceOf(b), handler.boughtBy(b), "a buyer's HYP != what it bought");
            boughtTotal += handler.boughtBy(b);
        }
        vm.assertEq(boughtTotal, auction.sold(), "sold != bought");
        vm.assertEq(a.usd().balanceOf(handler.BYSTANDER()), handler.START_USD(), "a bystander's hUSD moved");
    }
}

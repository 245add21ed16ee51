// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {AppRewards} from "../../src/apps/AppRewards.sol";
import {AppRewardsHandler} from "./handlers/AppRewardsHandler.sol";

/// @notice Whatever mix of honest use, wash use (self, sybils, rings), funding, time and claims happens: the contract
/// holds exactly the unreserved pool plus what closed epochs still owe, no epoch pays more than it reserved, no app
/// is paid more than REWARD_CAP_BPS of its eligible fees, and the wash trader never holds more than it started with.
contract AppRewardsInvariantTest is HyphaTest, InvariantTest {
    PaymentToken internal usd;
    AppRewards internal apps;
    AppRewardsHandler internal handler;

    function setUp() public {
        vm.roll(1000);
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        apps = new AppRewards(IERC20(address(usd)), makeAddr("treasury"), 20);
        handler = new AppRewardsHandler(usd, apps);
        usd.transferOwnership(address(handler));
        handler.init();
        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = AppRewardsHandler.fund.selector;
        selectors[1] = AppRewardsHandler.honestUse.selector;
        selectors[2] = AppRewardsHandler.washUse.selector;
        selectors[3] = AppRewardsHandler.roll.selector;
        selectors[4] = AppRewardsHandler.claim.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// forge-config: default.invariant.runs = 32
    /// forge-config: default.invariant.depth = 40
    function invariant_rewardsAddUpAndWashNeverPays() public view {
        vm.assertEq(usd.balanceOf(address(apps)), apps.pool() + apps.outstanding(), "held != pool + outstanding");
        vm.assertEq(handler.ghostFunded(), apps.pool() + apps.outstanding() + handler.ghostClaimed(),
            "funding != pool + owed + claimed");
        vm.assertLe(handler.washHeld(), 5 * handler.INITIAL(), "the wash trader gained");
        if (handler.ghostWashPaid() > 0) vm.assertLt(handler.washHeld(), 5 * handler.INITIAL());
        uint256 current = apps.currentEpoch();
        for (uint256 e; e < current && e < 64; ++e) {
            AppRewards.Epoch memory ep = apps.getEpoch(e);
            vm.assertLe(ep.paid, ep.reserved, "epoch paid beyond its budget");
            vm.assertLe(ep.reserved * 10_000, ep.eligibleFees * 500, "budget beyond the cap");
            for (uint256 id; id < 3; ++id) {
                if (apps.claimed(e, id)) {
                    vm.assertLe(apps.rewardOf(e, id) * 10_000, apps.eligibleFees(e, id) * 500, "reward beyond the cap");
                }
            }
        }
    }
}

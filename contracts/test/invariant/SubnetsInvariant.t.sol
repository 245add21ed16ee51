// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {SubnetStack} from "../utils/SubnetFixture.sol";
import {SubnetsHandler} from "./handlers/SubnetsHandler.sol";
import {SubnetEmissions} from "../../src/subnets/SubnetEmissions.sol";

/// @notice Whatever sequence of weights, epochs (posted honestly, or wrongly then challenged), claims and time
/// happens, with 0–20 % of the emission going to the apps' recipient: minted HYP never exceeds the halving schedule, claims never exceed entitlements (per epoch pool, per
/// owner share, in total), posting bonds are all held, an honest post is never successfully challenged and a wrong
/// one never survives its challenge.
contract SubnetsInvariantTest is HyphaTest, InvariantTest {
    SubnetStack internal s;
    SubnetsHandler internal handler;
    uint256 internal initialSupply;

    function setUp() public {
        vm.roll(100);
        s = new SubnetStack();
        handler = new SubnetsHandler(s);
        s.enableApps(handler.APPS(), 1_000);
        initialSupply = s.hyp().totalSupply();
        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = SubnetsHandler.roll.selector;
        selectors[1] = SubnetsHandler.setWeights.selector;
        selectors[2] = SubnetsHandler.epoch.selector;
        selectors[3] = SubnetsHandler.claimOwner.selector;
        selectors[4] = SubnetsHandler.claimApps.selector;
        selectors[5] = SubnetsHandler.setAppShare.selector;
        selectors[6] = SubnetsHandler.rebindApps.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 24
    function invariant_emissionsAndEpochsAddUp() public view {
        SubnetEmissions e = s.emissions();
        vm.assertLe(e.minted(), e.scheduledUntil(block.number), "minted beyond the schedule");
        vm.assertLe(e.assigned(), e.scheduledUntil(block.number), "assigned beyond the schedule");
        vm.assertLe(e.assignedToEpochs() + e.assignedToOwners(), e.assigned(), "cut more than assigned");
        vm.assertLe(e.paidToEpochs(), e.assignedToEpochs(), "epoch claims beyond their pools");
        vm.assertLe(e.paidToOwners(), e.assignedToOwners(), "owner claims beyond their share");
        vm.assertLe(e.assignedToEpochs() + e.assignedToOwners() + e.assignedToApps(), e.assigned(),
            "subnets' cuts and the app share beyond what was assigned");
        vm.assertLe(e.paidToApps(), e.assignedToApps(), "apps paid beyond their share");
        uint256 apps1 = s.hyp().balanceOf(handler.APPS());
        uint256 apps2 = s.hyp().balanceOf(handler.APPS2());
        vm.assertEq(apps1 + apps2, e.paidToApps(), "app share minted elsewhere");
        vm.assertEq(e.appsPaidTo(handler.APPS()), apps1, "a recipient's count != what it was minted");
        vm.assertEq(e.appsPaidTo(handler.APPS2()), apps2, "a recipient's count != what it was minted");
        vm.assertEq(e.paidToEpochs(), handler.claimedTotal(), "epoch payments != claims");
        vm.assertEq(s.hyp().totalSupply(), initialSupply + e.minted(), "HYP minted outside emissions");
        vm.assertEq(s.hyp().balanceOf(address(s.epochs())), s.epochs().bondsHeld(), "bonds held != balance");
        vm.assertEq(handler.honestPostsLost(), 0, "an honest post was successfully challenged");
        vm.assertEq(handler.wrongPostsSurvived(), 0, "a wrong post survived its challenge");
        vm.assertEq(handler.epochsOverpaid(), 0, "an epoch paid more than its pool");
        vm.assertEq(handler.epochsLosingMoreThanRounding(), 0, "an epoch's emission was not conserved");
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./utils/HyphaTest.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";
import {Staking} from "../src/Staking.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @notice A token that calls back into Staking during a transfer cannot re-enter any fund-moving function.
contract StakingReentrancyTest is HyphaTest {
    ReentrantToken internal token;
    Staking internal staking;
    address internal alice;
    address internal slasher;
    bytes32 internal role;

    function setUp() public {
        token = new ReentrantToken();
        address admin = makeAddr("admin");
        slasher = makeAddr("slasher");
        alice = makeAddr("alice");
        staking = new Staking(token, admin, 1 days, 0, makeAddr("sink"));
        role = staking.PROVIDER();
        bytes32 slasherRole = staking.SLASHER_ROLE();
        vm.prank(admin);
        staking.grantRole(slasherRole, slasher);
        token.mint(alice, 100 ether);
        vm.startPrank(alice);
        token.approve(address(staking), type(uint256).max);
        staking.stake(role, 10 ether);
        staking.requestUnbond(role, 10 ether);
        vm.stopPrank();
    }

    function test_Withdraw_CannotBeReentered() public {
        token.arm(address(staking), abi.encodeCall(Staking.withdraw, (role)));
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        staking.withdraw(role);
        (uint256 unbonding,) = staking.unbondingOf(alice, role);
        vm.assertEq(unbonding, 10 ether, "nothing moved");
        vm.assertEq(token.balanceOf(address(staking)), 10 ether);
    }

    function test_Stake_CannotBeReentered() public {
        token.arm(address(staking), abi.encodeCall(Staking.requestUnbond, (role, 1)));
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        staking.stake(role, 1 ether);
        vm.assertEq(staking.totalStaked(), 10 ether);
    }

    function test_Slash_CannotBeReentered() public {
        token.arm(address(staking), abi.encodeCall(Staking.withdraw, (role)));
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        vm.prank(slasher);
        staking.slash(alice, role, 1 ether, "first");
        vm.assertEq(staking.totalStaked(), 10 ether);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IAccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {HyphaTest} from "./utils/HyphaTest.sol";
import {HyphaToken} from "../src/HyphaToken.sol";
import {Staking} from "../src/Staking.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract StakingTest is HyphaTest {
    uint64 internal constant PERIOD = 7 days;
    uint256 internal constant FUNDS = 1_000_000 ether;
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    HyphaToken internal hyp;
    Staking internal staking;
    address internal admin;
    address internal sink;
    /// @dev Holds FAULT_PROOF_ROLE (unbounded), as a dispute contract that proved the fault would.
    address internal slasher;
    /// @dev Holds SLASHER_ROLE (bounded by maxSlashBps per SLASH_WINDOW).
    address internal boundedSlasher;
    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    bytes32 internal provider;
    bytes32 internal validator;

    function setUp() public {
        admin = makeAddr("admin");
        sink = makeAddr("sink");
        slasher = makeAddr("slasher");
        boundedSlasher = makeAddr("boundedSlasher");
        (alice, aliceKey) = makeAccount("alice");
        bob = makeAddr("bob");
        hyp = new HyphaToken(admin, 1 days, 10 * FUNDS, address(this), 3 * FUNDS);
        staking = new Staking(hyp, admin, 1 days, PERIOD, sink);
        provider = staking.PROVIDER();
        validator = staking.VALIDATOR();
        bytes32 slasherRole = staking.SLASHER_ROLE();
        bytes32 faultProofRole = staking.FAULT_PROOF_ROLE();
        vm.startPrank(admin);
        staking.grantRole(faultProofRole, slasher);
        staking.grantRole(slasherRole, boundedSlasher);
        vm.stopPrank();
        vm.assertTrue(hyp.transfer(alice, FUNDS));
        vm.assertTrue(hyp.transfer(bob, FUNDS));
        vm.prank(alice);
        hyp.approve(address(staking), type(uint256).max);
        vm.prank(bob);
        hyp.approve(address(staking), type(uint256).max);
        vm.warp(1_700_000_000);
    }

    // ------------------------------------------------------------------ constructor and admin

    function test_Constructor_SetsEverything() public view {
        vm.assertEq(address(staking.stakeToken()), address(hyp));
        vm.assertEq(uint256(staking.unbondingPeriod()), PERIOD);
        vm.assertEq(staking.slashSink(), sink);
        vm.assertTrue(staking.hasRole(staking.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertEq(staking.PROVIDER(), keccak256("PROVIDER"));
        vm.assertEq(staking.VALIDATOR(), keccak256("VALIDATOR"));
        vm.assertEq(staking.SLASHER_ROLE(), keccak256("SLASHER_ROLE"));
        vm.assertEq(staking.totalStaked(), 0);
    }

    function test_Constructor_RevertsOnBadArguments() public {
        vm.expectRevert(Staking.InvalidStakeToken.selector);
        new Staking(IERC20(address(0)), admin, 1 days, PERIOD, sink);
        vm.expectRevert(abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, address(0)));
        new Staking(hyp, address(0), 1 days, PERIOD, sink);
        vm.expectRevert(Staking.InvalidSlashSink.selector);
        new Staking(hyp, admin, 1 days, PERIOD, address(0));
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooLong.selector, 365 days + 1, 365 days));
        new Staking(hyp, admin, 1 days, 365 days + 1, sink);
    }

    function test_SetSlashSink_ByAdmin() public {
        address newSink = makeAddr("newSink");
        vm.expectEmit(address(staking));
        emit Staking.SlashSinkChanged(sink, newSink);
        vm.prank(admin);
        staking.setSlashSink(newSink);
        vm.assertEq(staking.slashSink(), newSink);
    }

    function test_SetSlashSink_RevertsOnZeroAndForNonAdmin() public {
        vm.expectRevert(Staking.InvalidSlashSink.selector);
        vm.prank(admin);
        staking.setSlashSink(address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        vm.prank(alice);
        staking.setSlashSink(alice);
    }

    function test_SetUnbondingPeriod_ByAdminWithinBound() public {
        vm.expectEmit(address(staking));
        emit Staking.UnbondingPeriodChanged(PERIOD, 365 days);
        vm.prank(admin);
        staking.setUnbondingPeriod(365 days);
        vm.assertEq(uint256(staking.unbondingPeriod()), 365 days);
        vm.prank(admin);
        staking.setUnbondingPeriod(0);
        vm.assertEq(uint256(staking.unbondingPeriod()), 0);
    }

    function test_SetUnbondingPeriod_RevertsAboveBoundAndForNonAdmin() public {
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooLong.selector, 365 days + 1, 365 days));
        vm.prank(admin);
        staking.setUnbondingPeriod(365 days + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, slasher, bytes32(0))
        );
        vm.prank(slasher);
        staking.setUnbondingPeriod(1);
    }

    /// @dev A zero (or very short) period would let a staker request and withdraw in one transaction and dodge a
    /// pending slash: refused on every chain but the local development chain (31337, where forge tests run).
    function test_SetUnbondingPeriod_BelowMinimumRefusedOutsideTheLocalChain() public {
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooShort.selector, 0, 1 days));
        vm.prank(admin);
        staking.setUnbondingPeriod(0);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooShort.selector, 1 days - 1, 1 days));
        vm.prank(admin);
        staking.setUnbondingPeriod(1 days - 1);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooShort.selector, 0, 1 days));
        new Staking(hyp, admin, 1 days, 0, sink);
        vm.prank(admin);
        staking.setUnbondingPeriod(1 days);
        vm.assertEq(uint256(staking.unbondingPeriod()), 1 days);
        vm.chainId(31337);
        vm.prank(admin);
        staking.setUnbondingPeriod(0);
        vm.assertEq(uint256(staking.unbondingPeriod()), 0);
    }

    function test_SetUnbondingPeriod_LeavesPendingReleaseTimes() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 10 ether);
        vm.prank(admin);
        staking.setUnbondingPeriod(365 days);
        (, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(uint256(releaseTime), block.timestamp + PERIOD);
    }

    // ------------------------------------------------------------------ stake

    function test_Stake_PullsTokensAndEmits() public {
        vm.expectEmit(address(staking));
        emit Staking.Staked(alice, provider, 100 ether);
        _stake(alice, provider, 100 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 100 ether);
        vm.assertEq(staking.stakeOf(alice, validator), 0);
        vm.assertEq(staking.totalStaked(), 100 ether);
        vm.assertEq(hyp.balanceOf(address(staking)), 100 ether);
        vm.assertEq(hyp.balanceOf(alice), FUNDS - 100 ether);
    }

    function test_Stake_AddsUpPerRole() public {
        _stake(alice, provider, 1 ether);
        _stake(alice, provider, 2 ether);
        _stake(alice, validator, 5 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 3 ether);
        vm.assertEq(staking.stakeOf(alice, validator), 5 ether);
        vm.assertEq(staking.totalStaked(), 8 ether);
    }

    function test_Stake_RevertsOnZeroAmount() public {
        vm.expectRevert(Staking.ZeroAmount.selector);
        _stake(alice, provider, 0);
    }

    function test_Stake_RevertsOnZeroRole() public {
        vm.expectRevert(Staking.InvalidRole.selector);
        _stake(alice, bytes32(0), 1);
    }

    function test_Stake_RevertsWithoutAllowance() public {
        address carol = makeAddr("carol");
        vm.assertTrue(hyp.transfer(carol, 10 ether));
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(staking), 0, 10 ether)
        );
        _stake(carol, provider, 10 ether);
        vm.assertEq(staking.totalStaked(), 0);
    }

    function test_Stake_RevertsOverBalance() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, FUNDS, FUNDS + 1));
        _stake(alice, provider, FUNDS + 1);
    }

    function test_StakeWithPermit_NoPriorApproval() public {
        address carol;
        uint256 carolKey;
        (carol, carolKey) = makeAccount("carol");
        vm.assertTrue(hyp.transfer(carol, 10 ether));
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, 10 ether, 0, deadline);
        vm.prank(carol);
        staking.stakeWithPermit(provider, 10 ether, deadline, v, r, s);
        vm.assertEq(staking.stakeOf(carol, provider), 10 ether);
        vm.assertEq(hyp.allowance(carol, address(staking)), 0);
    }

    function test_StakeWithPermit_FrontRunPermitStillStakes() public {
        (address carol, uint256 carolKey) = makeAccount("carol");
        vm.assertTrue(hyp.transfer(carol, 10 ether));
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, 10 ether, 0, deadline);
        hyp.permit(carol, address(staking), 10 ether, deadline, v, r, s); // someone else submits it first
        vm.prank(carol);
        staking.stakeWithPermit(provider, 10 ether, deadline, v, r, s);
        vm.assertEq(staking.stakeOf(carol, provider), 10 ether);
    }

    function test_StakeWithPermit_ForgedPermitReverts() public {
        (address carol,) = makeAccount("carol");
        vm.assertTrue(hyp.transfer(carol, 10 ether));
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, carol, 10 ether, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(Staking.PermitFailed.selector, 0, 10 ether));
        vm.prank(carol);
        staking.stakeWithPermit(provider, 10 ether, deadline, v, r, s);
    }

    // ------------------------------------------------------------------ unbond and withdraw

    function test_RequestUnbond_MovesToUnbonding() public {
        _stake(alice, provider, 10 ether);
        uint64 expectedRelease = uint64(block.timestamp) + PERIOD;
        vm.expectEmit(address(staking));
        emit Staking.UnbondRequested(alice, provider, 4 ether, expectedRelease);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 6 ether);
        (uint256 amount, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(amount, 4 ether);
        vm.assertEq(uint256(releaseTime), expectedRelease);
        vm.assertEq(staking.totalStaked(), 10 ether, "unbonding stake is still held");
    }

    function test_RequestUnbond_SecondRequestAddsAndResetsReleaseTime() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.warp(block.timestamp + 3 days);
        vm.prank(alice);
        staking.requestUnbond(provider, 1 ether);
        (uint256 amount, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(amount, 5 ether);
        vm.assertEq(uint256(releaseTime), block.timestamp + PERIOD);
    }

    /// @dev The exploit of issue 9: lowering the period must not shorten stake already unbonding. Before the fix a
    /// second request reset the whole bucket to now + the new period, so 1 wei released 100 HYP 29 days early.
    function test_RequestUnbond_LoweredPeriodDoesNotReleaseEarlierRequests() public {
        vm.prank(admin);
        staking.setUnbondingPeriod(30 days);
        _stake(alice, provider, 101 ether);
        uint256 requestedAt = block.timestamp;
        vm.prank(alice);
        staking.requestUnbond(provider, 100 ether);
        vm.prank(admin);
        staking.setUnbondingPeriod(1 days);
        vm.prank(alice);
        staking.requestUnbond(provider, 1);
        vm.warp(block.timestamp + 1 days);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 release = uint64(requestedAt + 30 days); // a 2023 timestamp plus 30 days fits easily
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotMature.selector, release));
        vm.prank(alice);
        staking.withdraw(provider);
        vm.warp(release);
        vm.prank(alice);
        staking.withdraw(provider);
        vm.assertEq(hyp.balanceOf(alice), FUNDS - 1 ether + 1);
    }

    /// @dev A later request with a longer period moves the release time out for the whole bucket (one bucket per
    /// account and role): every request waits at least its own period.
    function test_RequestUnbond_ReleaseIsTheLatestOfEveryRequestsTimePlusPeriod() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.warp(block.timestamp + 3 days);
        vm.prank(admin);
        staking.setUnbondingPeriod(1 days);
        vm.prank(alice);
        staking.requestUnbond(provider, 1 ether);
        (, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(uint256(releaseTime), block.timestamp - 3 days + PERIOD, "earlier request's release kept");
        vm.prank(admin);
        staking.setUnbondingPeriod(30 days);
        vm.prank(alice);
        staking.requestUnbond(provider, 1 ether);
        (, releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(uint256(releaseTime), block.timestamp + 30 days, "longer new period moves the release out");
    }

    function test_RequestUnbond_RevertsOnZeroAndOverStake() public {
        _stake(alice, provider, 10 ether);
        vm.startPrank(alice);
        vm.expectRevert(Staking.ZeroAmount.selector);
        staking.requestUnbond(provider, 0);
        vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, 10 ether, 10 ether + 1));
        staking.requestUnbond(provider, 10 ether + 1);
        vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, 0, 1));
        staking.requestUnbond(validator, 1);
        vm.stopPrank();
    }

    function test_RequestUnbond_OtherAccountCannotTouchStake() public {
        _stake(alice, provider, 10 ether);
        vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, 0, 1 ether));
        vm.prank(bob);
        staking.requestUnbond(provider, 1 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 10 ether);
    }

    function test_Withdraw_AfterPeriodPaysOut() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.warp(block.timestamp + PERIOD);
        vm.expectEmit(address(staking));
        emit Staking.Withdrawn(alice, provider, 4 ether);
        vm.prank(alice);
        staking.withdraw(provider);
        vm.assertEq(hyp.balanceOf(alice), FUNDS - 6 ether);
        vm.assertEq(staking.totalStaked(), 6 ether);
        (uint256 amount, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(amount, 0);
        vm.assertEq(uint256(releaseTime), 0);
    }

    function test_Withdraw_RevertsBeforeReleaseTime() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        uint64 releaseTime = uint64(block.timestamp) + PERIOD;
        vm.warp(releaseTime - 1);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotMature.selector, releaseTime));
        vm.prank(alice);
        staking.withdraw(provider);
    }

    function test_Withdraw_RevertsWhenNothingUnbonding() public {
        _stake(alice, provider, 10 ether);
        vm.expectRevert(Staking.NothingToWithdraw.selector);
        vm.prank(alice);
        staking.withdraw(provider);
    }

    function test_Withdraw_OtherAccountGetsNothing() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 10 ether);
        vm.warp(block.timestamp + PERIOD);
        vm.expectRevert(Staking.NothingToWithdraw.selector);
        vm.prank(bob);
        staking.withdraw(provider);
        vm.assertEq(hyp.balanceOf(address(staking)), 10 ether);
    }

    function test_Withdraw_ZeroPeriodIsImmediate() public {
        vm.prank(admin);
        staking.setUnbondingPeriod(0);
        _stake(alice, provider, 10 ether);
        vm.startPrank(alice);
        staking.requestUnbond(provider, 10 ether);
        staking.withdraw(provider);
        vm.stopPrank();
        vm.assertEq(hyp.balanceOf(alice), FUNDS);
    }

    // ------------------------------------------------------------------ slash

    function test_Slash_TakesActiveFirstAndPaysSink() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.expectEmit(address(staking));
        emit Staking.Slashed(alice, provider, 5 ether, "dispute-1", slasher);
        vm.prank(slasher);
        uint256 slashed = staking.slash(alice, provider, 5 ether, "dispute-1");
        vm.assertEq(slashed, 5 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 1 ether);
        (uint256 unbonding,) = staking.unbondingOf(alice, provider);
        vm.assertEq(unbonding, 4 ether);
        vm.assertEq(hyp.balanceOf(sink), 5 ether);
        vm.assertEq(staking.totalStaked(), 5 ether);
    }

    function test_Slash_ReachesIntoUnbonding() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.prank(slasher);
        uint256 slashed = staking.slash(alice, provider, 8 ether, "r");
        vm.assertEq(slashed, 8 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 0);
        (uint256 unbonding, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(unbonding, 2 ether);
        vm.assertEq(uint256(releaseTime), block.timestamp + PERIOD, "release time kept");
    }

    function test_Slash_NeverMoreThanStaked() public {
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 4 ether);
        vm.prank(slasher);
        uint256 slashed = staking.slash(alice, provider, type(uint256).max, "all");
        vm.assertEq(slashed, 10 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 0);
        (uint256 unbonding, uint64 releaseTime) = staking.unbondingOf(alice, provider);
        vm.assertEq(unbonding, 0);
        vm.assertEq(uint256(releaseTime), 0);
        vm.assertEq(hyp.balanceOf(sink), 10 ether);
        vm.assertEq(staking.totalStaked(), 0);
    }

    function test_Slash_NothingStakedReturnsZero() public {
        vm.prank(slasher);
        uint256 slashed = staking.slash(alice, provider, 1 ether, "none");
        vm.assertEq(slashed, 0);
        vm.assertEq(hyp.balanceOf(sink), 0);
    }

    function test_Slash_OnlyTouchesThatRole() public {
        _stake(alice, provider, 10 ether);
        _stake(alice, validator, 10 ether);
        vm.prank(slasher);
        staking.slash(alice, validator, 10 ether, "v");
        vm.assertEq(staking.stakeOf(alice, provider), 10 ether);
        vm.assertEq(staking.stakeOf(alice, validator), 0);
    }

    function test_Slash_RevertsOnZeroAmount() public {
        vm.expectRevert(Staking.ZeroAmount.selector);
        vm.prank(slasher);
        staking.slash(alice, provider, 0, "r");
    }

    function test_Slash_RevertsForNonSlasher() public {
        _stake(alice, provider, 10 ether);
        bytes32 role = staking.SLASHER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        staking.slash(alice, provider, 1 ether, "r");
    }

    // ------------------------------------------------------------------ bounded slashing

    function test_BoundedSlash_TakesAtMostTheBoundPerWindow() public {
        _stake(alice, provider, 100 ether);
        vm.expectEmit(address(staking));
        emit Staking.Slashed(alice, provider, 10 ether, "rogue", boundedSlasher);
        vm.prank(boundedSlasher);
        vm.assertEq(staking.slash(alice, provider, 100 ether, "rogue"), 10 ether, "10 % of the stake, not all of it");
        vm.prank(boundedSlasher);
        vm.assertEq(staking.slash(alice, provider, 100 ether, "again"), 0, "bound used up for this window");
        vm.warp(block.timestamp + staking.SLASH_WINDOW() - 1);
        vm.prank(boundedSlasher);
        vm.assertEq(staking.slash(alice, provider, 1, "still"), 0, "window not over");
        vm.warp(block.timestamp + 1);
        vm.prank(boundedSlasher);
        vm.assertEq(staking.slash(alice, provider, 100 ether, "next"), 9 ether, "next window: 10 % of what is left");
        vm.assertEq(hyp.balanceOf(sink), 19 ether);
        vm.assertEq(staking.stakeOf(alice, provider), 81 ether);
    }

    function test_BoundedSlash_ManySmallSlashesAddUpToTheBoundOnly() public {
        _stake(alice, provider, 100 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 50 ether); // unbonding stake counts (and is slashable) too
        uint256 total;
        for (uint256 i = 0; i < 30; ++i) {
            vm.prank(boundedSlasher);
            total += staking.slash(alice, provider, 1 ether, "drip");
        }
        vm.assertEq(total, 10 ether);
        (uint64 start, uint256 taken) = staking.slashWindowOf(alice, provider);
        vm.assertEq(uint256(start), block.timestamp);
        vm.assertEq(taken, 10 ether);
        vm.assertEq(staking.boundedSlashRoom(alice, provider), 0);
    }

    function test_BoundedSlash_BoundIsPerAccountAndRole() public {
        _stake(alice, provider, 100 ether);
        _stake(alice, validator, 100 ether);
        _stake(bob, provider, 100 ether);
        vm.startPrank(boundedSlasher);
        vm.assertEq(staking.slash(alice, provider, 50 ether, "a"), 10 ether);
        vm.assertEq(staking.slash(alice, validator, 50 ether, "b"), 10 ether);
        vm.assertEq(staking.slash(bob, provider, 50 ether, "c"), 10 ether);
        vm.stopPrank();
    }

    function test_FaultProofSlash_IsNotBoundedAndDoesNotUseTheBound() public {
        _stake(alice, provider, 100 ether);
        vm.prank(slasher);
        vm.assertEq(staking.slash(alice, provider, 60 ether, "proven"), 60 ether);
        vm.assertEq(staking.boundedSlashRoom(alice, provider), 4 ether, "10 % of the 40 left");
        vm.prank(slasher);
        vm.assertEq(staking.slash(alice, provider, type(uint256).max, "proven"), 40 ether);
    }

    function test_SetMaxSlashBps_OnlyAdminWithinBps() public {
        vm.assertEq(uint256(staking.maxSlashBps()), 1_000);
        vm.expectEmit(address(staking));
        emit Staking.MaxSlashBpsChanged(1_000, 0);
        vm.prank(admin);
        staking.setMaxSlashBps(0);
        _stake(alice, provider, 100 ether);
        vm.prank(boundedSlasher);
        vm.assertEq(staking.slash(alice, provider, 1 ether, "off"), 0, "bound 0 stops bounded slashing");
        vm.expectRevert(abi.encodeWithSelector(Staking.MaxSlashBpsTooHigh.selector, 10_001, 10_000));
        vm.prank(admin);
        staking.setMaxSlashBps(10_001);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, boundedSlasher, bytes32(0))
        );
        vm.prank(boundedSlasher);
        staking.setMaxSlashBps(10_000);
    }

    function testFuzz_BoundedSlash_NeverPassesTheBoundInAWindow(uint256[8] memory amounts, uint256 staked) public {
        staked = bound(staked, 1, FUNDS);
        _stake(alice, provider, staked);
        uint256 total;
        for (uint256 i = 0; i < amounts.length; ++i) {
            vm.prank(boundedSlasher);
            total += staking.slash(alice, provider, bound(amounts[i], 1, type(uint256).max), "fuzz");
            vm.warp(block.timestamp + 1 hours);
        }
        vm.assertLe(total, staked * 1_000 / 10_000, "bounded slashes passed 10 % in one window");
        vm.assertEq(staking.stakeOf(alice, provider), staked - total);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_Stake_AnyAmount(uint256 amount) public {
        uint256 balance = hyp.balanceOf(alice);
        if (amount == 0) {
            vm.expectRevert(Staking.ZeroAmount.selector);
        } else if (amount > balance) {
            vm.expectRevert(
                abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, balance, amount)
            );
        }
        _stake(alice, provider, amount);
        uint256 expected = amount == 0 || amount > balance ? 0 : amount;
        vm.assertEq(staking.stakeOf(alice, provider), expected);
        vm.assertEq(staking.totalStaked(), expected);
        vm.assertEq(hyp.balanceOf(address(staking)), expected);
    }

    function testFuzz_Stake_MaxAmountCannotOverflowAccounting(uint256 first) public {
        // Staking a second type(uint256).max cannot pass: the token's balance check fails before any overflow.
        first = bound(first, 1, FUNDS);
        _stake(alice, provider, first);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, alice, FUNDS - first, type(uint256).max
            )
        );
        _stake(alice, provider, type(uint256).max);
        vm.assertEq(staking.totalStaked(), first);
    }

    function testFuzz_StakeWithPermit_ForgedOrExpiredReverts(
        uint256 forgerKey,
        uint256 amount,
        uint256 deadline,
        bool expired
    ) public {
        (address carol, uint256 carolKey) = makeAccount("carol");
        amount = bound(amount, 1, FUNDS);
        vm.assertTrue(hyp.transfer(carol, amount));
        uint256 key = carolKey;
        if (expired) {
            deadline = bound(deadline, 0, block.timestamp - 1);
        } else {
            deadline = bound(deadline, block.timestamp, type(uint256).max);
            key = boundKey(forgerKey);
            vm.assume(key != carolKey);
        }
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, carol, amount, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(Staking.PermitFailed.selector, 0, amount));
        vm.prank(carol);
        staking.stakeWithPermit(provider, amount, deadline, v, r, s);
    }

    function testFuzz_StakeWithPermit_ReplayedPermitNeedsAllowance(uint256 amount) public {
        (address carol, uint256 carolKey) = makeAccount("carol");
        amount = bound(amount, 1, FUNDS / 2);
        vm.assertTrue(hyp.transfer(carol, 2 * amount));
        uint256 deadline = block.timestamp + 1;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, amount, 0, deadline);
        vm.startPrank(carol);
        staking.stakeWithPermit(provider, amount, deadline, v, r, s);
        // The permit's nonce is spent and the allowance used up, so the same signature cannot stake again.
        vm.expectRevert(abi.encodeWithSelector(Staking.PermitFailed.selector, 0, amount));
        staking.stakeWithPermit(provider, amount, deadline, v, r, s);
        vm.stopPrank();
        vm.assertEq(staking.stakeOf(carol, provider), amount);
    }

    function testFuzz_RequestUnbond_AnyAmount(uint256 staked, uint256 amount) public {
        staked = bound(staked, 1, FUNDS);
        _stake(alice, provider, staked);
        vm.prank(alice);
        if (amount == 0) {
            vm.expectRevert(Staking.ZeroAmount.selector);
        } else if (amount > staked) {
            vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, staked, amount));
        }
        staking.requestUnbond(provider, amount);
        bool ok = amount != 0 && amount <= staked;
        vm.assertEq(staking.stakeOf(alice, provider), ok ? staked - amount : staked);
        (uint256 unbonding,) = staking.unbondingOf(alice, provider);
        vm.assertEq(unbonding, ok ? amount : 0);
        vm.assertEq(staking.totalStaked(), staked);
    }

    function testFuzz_RequestUnbond_OnlyOwnStake(address caller, uint256 amount) public {
        vm.assume(caller != alice);
        _stake(alice, provider, 10 ether);
        amount = bound(amount, 1, type(uint256).max);
        uint256 callerStake = staking.stakeOf(caller, provider);
        vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, callerStake, amount));
        vm.prank(caller);
        staking.requestUnbond(provider, amount);
        vm.assertEq(staking.stakeOf(alice, provider), 10 ether);
    }

    function testFuzz_Withdraw_RespectsReleaseTime(uint64 period, uint256 wait) public {
        period = uint64(bound(period, 0, 365 days));
        vm.prank(admin);
        staking.setUnbondingPeriod(period);
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 10 ether);
        uint64 releaseTime = uint64(block.timestamp) + period;
        wait = bound(wait, 0, 2 * uint256(period) + 1);
        vm.warp(block.timestamp + wait);
        vm.prank(alice);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < releaseTime) {
            vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingNotMature.selector, releaseTime));
            staking.withdraw(provider);
            vm.assertEq(hyp.balanceOf(alice), FUNDS - 10 ether);
        } else {
            staking.withdraw(provider);
            vm.assertEq(hyp.balanceOf(alice), FUNDS);
        }
    }

    function testFuzz_Withdraw_OtherCallerNeverGetsStake(address caller) public {
        vm.assume(caller != alice && caller != address(staking));
        _stake(alice, provider, 10 ether);
        vm.prank(alice);
        staking.requestUnbond(provider, 10 ether);
        vm.warp(block.timestamp + PERIOD);
        uint256 before = hyp.balanceOf(caller);
        vm.expectRevert(Staking.NothingToWithdraw.selector);
        vm.prank(caller);
        staking.withdraw(provider);
        vm.assertEq(hyp.balanceOf(caller), before);
    }

    function testFuzz_Slash_NeverMoreThanStaked(uint256 staked, uint256 unbond, uint256 amount) public {
        staked = bound(staked, 1, FUNDS);
        unbond = bound(unbond, 0, staked);
        amount = bound(amount, 1, type(uint256).max);
        _stake(alice, provider, staked);
        if (unbond > 0) {
            vm.prank(alice);
            staking.requestUnbond(provider, unbond);
        }
        vm.prank(slasher);
        uint256 slashed = staking.slash(alice, provider, amount, "fuzz");
        uint256 expected = amount < staked ? amount : staked;
        vm.assertEq(slashed, expected);
        vm.assertEq(hyp.balanceOf(sink), expected);
        (uint256 unbondingLeft,) = staking.unbondingOf(alice, provider);
        vm.assertEq(staking.stakeOf(alice, provider) + unbondingLeft, staked - expected);
        vm.assertEq(staking.totalStaked(), staked - expected);
        vm.assertEq(hyp.balanceOf(address(staking)), staked - expected);
    }

    function testFuzz_Slash_UnauthorizedCallerReverts(address caller, uint256 amount) public {
        vm.assume(caller != slasher && caller != boundedSlasher);
        _stake(alice, provider, 10 ether);
        bytes32 role = staking.SLASHER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
        vm.prank(caller);
        staking.slash(alice, provider, amount, "x");
        vm.assertEq(staking.stakeOf(alice, provider), 10 ether);
    }

    function testFuzz_AdminSetters_UnauthorizedCallerReverts(address caller, address newSink, uint64 period) public {
        vm.assume(caller != admin);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        vm.prank(caller);
        staking.setSlashSink(newSink);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        vm.prank(caller);
        staking.setUnbondingPeriod(period);
    }

    function testFuzz_SetUnbondingPeriod_Bounds(uint64 period) public {
        vm.prank(admin);
        if (period > 365 days) {
            vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooLong.selector, period, 365 days));
            staking.setUnbondingPeriod(period);
            vm.assertEq(uint256(staking.unbondingPeriod()), PERIOD);
        } else {
            staking.setUnbondingPeriod(period);
            vm.assertEq(uint256(staking.unbondingPeriod()), period);
        }
    }

    function testFuzz_SetSlashSink_Any(address newSink) public {
        vm.prank(admin);
        if (newSink == address(0)) {
            vm.expectRevert(Staking.InvalidSlashSink.selector);
            staking.setSlashSink(newSink);
            vm.assertEq(staking.slashSink(), sink);
        } else {
            staking.setSlashSink(newSink);
            vm.assertEq(staking.slashSink(), newSink);
        }
    }

    function testFuzz_Constructor_ValidatesArguments(address token_, address admin_, uint64 period, address sink_)
        public
    {
        if (token_ == address(0)) {
            vm.expectRevert(Staking.InvalidStakeToken.selector);
        } else if (admin_ == address(0)) {
            vm.expectRevert(abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, address(0)));
        } else if (period > 365 days) {
            vm.expectRevert(abi.encodeWithSelector(Staking.UnbondingPeriodTooLong.selector, period, 365 days));
        } else if (sink_ == address(0)) {
            vm.expectRevert(Staking.InvalidSlashSink.selector);
        }
        Staking s = new Staking(IERC20(token_), admin_, 1 days, period, sink_);
        if (token_ != address(0) && admin_ != address(0) && period <= 365 days && sink_ != address(0)) {
            vm.assertEq(address(s.stakeToken()), token_);
            vm.assertEq(uint256(s.unbondingPeriod()), period);
            vm.assertEq(s.slashSink(), sink_);
        }
    }

    function testFuzz_GrantSlasherRole_OnlyAdmin(address caller, address grantee) public {
        vm.assume(caller != admin);
        bytes32 role = staking.SLASHER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        vm.prank(caller);
        staking.grantRole(role, grantee);
        vm.assertEq(staking.hasRole(role, grantee), grantee == boundedSlasher);
    }

    // ------------------------------------------------------------------ helpers

    function _stake(address who, bytes32 role, uint256 amount) internal {
        vm.prank(who);
        staking.stake(role, amount);
    }

    function _signPermit(uint256 key, address owner, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8, bytes32, bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(staking), value, nonce, deadline));
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", hyp.DOMAIN_SEPARATOR(), structHash)));
    }
}

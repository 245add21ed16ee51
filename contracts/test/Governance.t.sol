// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./utils/HyphaTest.sol";
import {HyphaToken} from "../src/HyphaToken.sol";
import {HyphaTimelock} from "../src/HyphaTimelock.sol";
import {Staking} from "../src/Staking.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {
    IAccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";

/// @notice The deployment `hypha deploy` makes, attacked from the governance key: a HyphaTimelock is the default admin
/// of HyphaToken, Staking and ProviderRegistry and the slash sink; the governance key only proposes. Nothing the key
/// does takes effect before the delay, and the delay is longer than the unbonding period, so stakers can leave first.
contract GovernanceTest is HyphaTest {
    uint256 internal constant DELAY = 8 days;
    uint64 internal constant PERIOD = 7 days;
    uint48 internal constant ADMIN_DELAY = 8 days;

    HyphaTimelock internal timelock;
    HyphaToken internal hyp;
    Staking internal staking;
    ProviderRegistry internal registry;
    address internal gov;
    address internal alice;
    address internal bob;
    address internal stranger;
    bytes32 internal provider;

    function setUp() public {
        vm.warp(1_700_000_000);
        gov = makeAddr("gov");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        stranger = makeAddr("stranger");
        address[] memory proposers = new address[](1);
        proposers[0] = gov;
        address[] memory executors = new address[](1);
        executors[0] = address(0); // anyone executes a ready operation
        timelock = new HyphaTimelock(DELAY, proposers, executors);
        hyp = new HyphaToken(address(timelock), ADMIN_DELAY, 1e9 ether, address(this), 1e8 ether);
        staking = new Staking(hyp, address(timelock), ADMIN_DELAY, PERIOD, address(timelock));
        registry = new ProviderRegistry(staking, address(timelock), ADMIN_DELAY, 1_000 ether);
        provider = staking.PROVIDER();
        _stake(alice, 1_000 ether);
        _stake(bob, 1_000 ether);
    }

    // ------------------------------------------------------------------ the governance key alone can do nothing

    function test_GovernanceKeyCannotGrantItselfSlasherAndSlashAtOnce() public {
        bytes32 slasherRole = staking.SLASHER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, gov, bytes32(0))
        );
        vm.prank(gov);
        staking.grantRole(slasherRole, gov);

        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (slasherRole, gov));
        vm.prank(gov);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), DELAY);
        bytes32 id = timelock.hashOperation(address(staking), 0, grant, bytes32(0), bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector, id, bytes32(uint256(1 << 2))
            )
        );
        vm.prank(gov);
        timelock.execute(address(staking), 0, grant, bytes32(0), bytes32(0));
        vm.warp(block.timestamp + DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector, id, bytes32(uint256(1 << 2))
            )
        );
        timelock.execute(address(staking), 0, grant, bytes32(0), bytes32(0));

        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, gov, slasherRole)
        );
        vm.prank(gov);
        staking.slash(alice, provider, 1_000 ether, "grab");
        vm.assertEq(staking.stakeOf(alice, provider), 1_000 ether);
    }

    function test_ShorterThanTheDelayCannotBeScheduled() public {
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (staking.SLASHER_ROLE(), gov));
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, 1 hours, DELAY));
        vm.prank(gov);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), 1 hours);
    }

    function test_OnlyTheProposerSchedules() public {
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (staking.SLASHER_ROLE(), stranger));
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, proposerRole)
        );
        vm.prank(stranger);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), DELAY);
    }

    function test_EveryParameterChangeAndGrantNeedsTheTimelock() public {
        bytes memory unauthorized =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, gov, bytes32(0));
        bytes32 minterRole = hyp.MINTER_ROLE();
        bytes32 faultProofRole = staking.FAULT_PROOF_ROLE();
        vm.startPrank(gov);
        vm.expectRevert(unauthorized);
        staking.setUnbondingPeriod(1 days);
        vm.expectRevert(unauthorized);
        staking.setSlashSink(gov);
        vm.expectRevert(unauthorized);
        staking.setMaxSlashBps(10_000);
        vm.expectRevert(unauthorized);
        staking.grantRole(faultProofRole, gov);
        vm.expectRevert(unauthorized);
        registry.setMinStake(0);
        vm.expectRevert(unauthorized);
        hyp.grantRole(minterRole, gov);
        vm.stopPrank();
    }

    function test_TheTimelockAdministersItself() public {
        vm.assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)));
        vm.assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), gov));
        vm.assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)));
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, gov, bytes32(0))
        );
        vm.prank(gov);
        timelock.grantRole(proposerRole, stranger);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, gov));
        vm.prank(gov);
        timelock.updateDelay(0);
    }

    // ------------------------------------------------------------------ after the delay, and the exit window

    function test_AGrantTakesEffectAfterTheDelayAndStakersCanLeaveFirst() public {
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (staking.SLASHER_ROLE(), gov));
        vm.prank(gov);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), DELAY);
        // Alice sees CallScheduled and leaves: her unbonding (7 days) ends before the grant can run (8 days).
        vm.prank(alice);
        staking.requestUnbond(provider, 1_000 ether);
        vm.warp(block.timestamp + PERIOD);
        vm.prank(alice);
        staking.withdraw(provider);
        vm.warp(block.timestamp + DELAY - PERIOD);
        vm.prank(stranger); // anyone may execute a ready operation
        timelock.execute(address(staking), 0, grant, bytes32(0), bytes32(0));

        vm.startPrank(gov);
        vm.assertEq(staking.slash(alice, provider, 1_000 ether, "grab"), 0, "alice left in time");
        vm.assertEq(staking.slash(bob, provider, 1_000 ether, "grab"), 100 ether, "a slasher takes 10 % per window");
        vm.assertEq(staking.slash(bob, provider, 1_000 ether, "grab"), 0);
        vm.stopPrank();
        vm.assertEq(hyp.balanceOf(address(timelock)), 100 ether, "slashed stake goes to governance");
        vm.assertEq(hyp.balanceOf(alice), 1_000 ether);
    }

    function test_AnUnboundedFaultProofSlasherAlsoWaitsForTheDelay() public {
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (staking.FAULT_PROOF_ROLE(), gov));
        vm.prank(gov);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), DELAY);
        vm.expectRevert();
        timelock.execute(address(staking), 0, grant, bytes32(0), bytes32(0));
        vm.warp(block.timestamp + DELAY);
        timelock.execute(address(staking), 0, grant, bytes32(0), bytes32(0));
        vm.prank(gov);
        vm.assertEq(staking.slash(bob, provider, type(uint256).max, "proven"), 1_000 ether);
    }

    function test_TheGovernanceKeyCanBeCanceledOutOfABadProposal() public {
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (staking.SLASHER_ROLE(), gov));
        vm.prank(gov);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), DELAY);
        bytes32 id = timelock.hashOperation(address(staking), 0, grant, bytes32(0), bytes32(0));
        vm.prank(gov); // proposers are cancellers
        timelock.cancel(id);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector, id, bytes32(uint256(1 << 2))
            )
        );
        timelock.execute(address(staking), 0, grant, bytes32(0), bytes32(0));
    }

    // ------------------------------------------------------------------ two-step admin handover

    function test_TheDefaultAdminCannotBeGrantedOnlyHandedOverInTwoSteps() public {
        address newGov = makeAddr("newGov");
        bytes32 adminRole = staking.DEFAULT_ADMIN_ROLE();
        // Granting DEFAULT_ADMIN_ROLE outright is refused even to the timelock itself.
        _executeAfterDelay(address(staking), abi.encodeCall(IAccessControl.grantRole, (adminRole, newGov)), true);
        vm.assertFalse(staking.hasRole(adminRole, newGov));

        _executeAfterDelay(
            address(staking), abi.encodeCall(IAccessControlDefaultAdminRules.beginDefaultAdminTransfer, (newGov)), false
        );
        (address pending, uint48 acceptAfter) = staking.pendingDefaultAdmin();
        vm.assertEq(pending, newGov);
        vm.assertEq(uint256(acceptAfter), block.timestamp + ADMIN_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, stranger)
        );
        vm.prank(stranger);
        staking.acceptDefaultAdminTransfer();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector, acceptAfter
            )
        );
        vm.prank(newGov);
        staking.acceptDefaultAdminTransfer();
        vm.warp(uint256(acceptAfter) + 1);
        vm.prank(newGov);
        staking.acceptDefaultAdminTransfer();
        vm.assertEq(staking.defaultAdmin(), newGov);
        vm.assertFalse(staking.hasRole(adminRole, address(timelock)));
    }

    // ------------------------------------------------------------------ the delay has a floor outside the local chain

    function test_TimelockDelayBelowOneDayIsRefusedOutsideTheLocalChain() public {
        address[] memory proposers = new address[](1);
        proposers[0] = gov;
        address[] memory executors = new address[](0);
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(HyphaTimelock.DelayTooShort.selector, 1 hours, 1 days));
        new HyphaTimelock(1 hours, proposers, executors);
        vm.assertEq(new HyphaTimelock(1 days, proposers, executors).getMinDelay(), 1 days);
        vm.chainId(31337);
        vm.assertEq(new HyphaTimelock(0, proposers, executors).getMinDelay(), 0, "any delay on the local chain");
    }

    function test_LoweredTimelockDelayStillHasTheFloor() public {
        vm.chainId(1);
        _executeAfterDelay(address(timelock), abi.encodeCall(TimelockController.updateDelay, (0)), false);
        vm.assertEq(timelock.getMinDelay(), 1 days);
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (staking.SLASHER_ROLE(), gov));
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, 0, 1 days));
        vm.prank(gov);
        timelock.schedule(address(staking), 0, grant, bytes32(0), bytes32(0), 0);
    }

    // ------------------------------------------------------------------ helpers

    function _executeAfterDelay(address target, bytes memory data, bool expectFailure) internal {
        bytes32 salt = keccak256(abi.encode(target, data, block.timestamp));
        vm.prank(gov);
        timelock.schedule(target, 0, data, bytes32(0), salt, DELAY);
        vm.warp(block.timestamp + DELAY);
        if (expectFailure) {
            vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        }
        timelock.execute(target, 0, data, bytes32(0), salt);
    }

    function _stake(address who, uint256 amount) internal {
        vm.assertTrue(hyp.transfer(who, amount));
        vm.startPrank(who);
        hyp.approve(address(staking), amount);
        staking.stake(provider, amount);
        vm.stopPrank();
    }
}

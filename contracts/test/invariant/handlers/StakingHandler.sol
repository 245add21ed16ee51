// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {HyphaToken} from "../../../src/HyphaToken.sol";
import {Staking} from "../../../src/Staking.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Drives Staking with random but valid-looking actions from several actors, checks each action's own
/// postconditions on the spot (a failed check reverts, and the invariant run has fail_on_revert on), and keeps
/// ghost totals for the conservation invariants checked between calls.
contract StakingHandler is HyphaTest {
    uint256 public constant ACTORS = 4;
    uint256 public constant INITIAL_BALANCE = 1_000_000 ether;

    HyphaToken public immutable hyp;
    Staking public immutable staking;
    address public immutable admin;
    address public immutable slasher;
    address public immutable sink;

    address[] public actors;
    bytes32[2] public roles;

    // Ghost accounting: money in = money held + money out.
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostSlashed;
    mapping(address => uint256) public depositedBy;
    mapping(address => uint256) public withdrawnBy;
    /// @dev The rule stake release must follow: for the pending unbonding of (actor, role), the latest of every
    /// request's own time + the period in force when it was made. Reset when the bucket empties.
    mapping(address => mapping(bytes32 => uint256)) public ghostEarliestRelease;

    // How often each path ran, so a run that never exercised something is visible in the logs.
    mapping(bytes32 => uint256) public calls;

    constructor(HyphaToken hyp_, Staking staking_, address admin_, address slasher_, address sink_) {
        hyp = hyp_;
        staking = staking_;
        admin = admin_;
        slasher = slasher_;
        sink = sink_;
        roles = [staking_.PROVIDER(), staking_.VALIDATOR()];
        for (uint256 i = 0; i < ACTORS; ++i) {
            actors.push(makeAddr(string.concat("staker", vm.toString(i))));
        }
    }

    /// @dev Called once by the test's setUp after the handler holds the actors' funds.
    function fundActors() external {
        for (uint256 i = 0; i < ACTORS; ++i) {
            vm.assertTrue(hyp.transfer(actors[i], INITIAL_BALANCE));
            vm.prank(actors[i]);
            hyp.approve(address(staking), type(uint256).max);
        }
    }

    // ------------------------------------------------------------------ owner actions

    function stake(uint256 actorSeed, uint256 roleSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        bytes32 role = _role(roleSeed);
        uint256 balance = hyp.balanceOf(actor);
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        uint256 activeBefore = staking.stakeOf(actor, role);

        vm.prank(actor);
        staking.stake(role, amount);

        vm.assertEq(staking.stakeOf(actor, role), activeBefore + amount, "stake credited exactly");
        ghostDeposited += amount;
        depositedBy[actor] += amount;
        calls["stake"]++;
    }

    function requestUnbond(uint256 seed, uint256 amount) external {
        (address actor, bytes32 role) = _pick(seed, Want.Active);
        uint256 active = staking.stakeOf(actor, role);
        if (active == 0) return;
        amount = bound(amount, 1, active);
        (uint256 unbondingBefore,) = staking.unbondingOf(actor, role);

        vm.prank(actor);
        staking.requestUnbond(role, amount);

        uint256 requestRelease = block.timestamp + staking.unbondingPeriod();
        if (requestRelease > ghostEarliestRelease[actor][role]) ghostEarliestRelease[actor][role] = requestRelease;
        (uint256 unbondingAfter, uint64 releaseTime) = staking.unbondingOf(actor, role);
        vm.assertEq(staking.stakeOf(actor, role), active - amount);
        vm.assertEq(unbondingAfter, unbondingBefore + amount);
        // Neither earlier (stake would leave before its period) nor later (stake would be held longer than promised).
        vm.assertEq(uint256(releaseTime), ghostEarliestRelease[actor][role], "release = latest request time + its period");
        calls["requestUnbond"]++;
    }

    function withdraw(uint256 seed) external {
        (address actor, bytes32 role) = _pick(seed, Want.Unbonding);
        (uint256 amount, uint64 releaseTime) = staking.unbondingOf(actor, role);
        uint256 balanceBefore = hyp.balanceOf(actor);

        vm.prank(actor);
        try staking.withdraw(role) {
            // forge-lint: disable-next-line(block-timestamp)
            vm.assertTrue(amount > 0 && block.timestamp >= releaseTime, "withdraw succeeded only when mature");
            vm.assertGe(
                block.timestamp, ghostEarliestRelease[actor][role], "no stake leaves before its request time + period"
            );
            ghostEarliestRelease[actor][role] = 0;
            vm.assertEq(hyp.balanceOf(actor), balanceBefore + amount, "withdraw paid the whole bucket");
            ghostWithdrawn += amount;
            withdrawnBy[actor] += amount;
            calls["withdraw"]++;
        } catch (bytes memory err) {
            if (amount == 0) {
                vm.assertEq(err, abi.encodeWithSelector(Staking.NothingToWithdraw.selector));
            } else {
                vm.assertEq(err, abi.encodeWithSelector(Staking.UnbondingNotMature.selector, releaseTime));
            }
            calls["withdraw-rejected"]++;
        }
    }

    // ------------------------------------------------------------------ slashing

    function slash(uint256 seed, uint256 amount) external {
        (address actor, bytes32 role) = _pick(seed, Want.Any);
        uint256 active = staking.stakeOf(actor, role);
        (uint256 unbonding,) = staking.unbondingOf(actor, role);
        // Mostly partial slashes (so stake survives to be unbonded and withdrawn), sometimes far more than staked.
        amount = amount % 4 == 0 ? bound(amount, 1, type(uint256).max) : bound(amount, 1, (active + unbonding) / 2 + 1);
        uint256 sinkBefore = hyp.balanceOf(sink);

        vm.prank(slasher);
        uint256 slashed = staking.slash(actor, role, amount, "invariant");

        uint256 available = active + unbonding;
        (uint256 unbondingLeft,) = staking.unbondingOf(actor, role);
        if (unbondingLeft == 0) ghostEarliestRelease[actor][role] = 0;
        vm.assertLe(slashed, available, "slash never takes more than is staked");
        vm.assertLe(slashed, amount, "slash never takes more than asked");
        vm.assertEq(slashed, amount < available ? amount : available);
        vm.assertEq(hyp.balanceOf(sink), sinkBefore + slashed);
        ghostSlashed += slashed;
        calls["slash"]++;
    }

    // ------------------------------------------------------------------ strangers

    /// @dev Another actor (or the slasher, or the admin) tries to unbond and withdraw; the victim's stake must not move.
    function strangerUnbondAndWithdraw(uint256 victimSeed, uint256 strangerSeed, uint256 roleSeed, uint256 amount)
        external
    {
        address victim = _actor(victimSeed);
        address stranger = _stranger(strangerSeed, victim);
        bytes32 role = _role(roleSeed);
        amount = bound(amount, 1, type(uint256).max);
        uint256 activeBefore = staking.stakeOf(victim, role);
        (uint256 unbondingBefore, uint64 releaseBefore) = staking.unbondingOf(victim, role);
        uint256 strangerActive = staking.stakeOf(stranger, role);
        (uint256 strangerUnbonding, uint64 strangerRelease) = staking.unbondingOf(stranger, role);

        if (amount > strangerActive) {
            vm.prank(stranger);
            try staking.requestUnbond(role, amount) {
                vm.assertTrue(false, "unbond beyond one's own stake succeeded");
            } catch (bytes memory err) {
                vm.assertEq(err, abi.encodeWithSelector(Staking.InsufficientStake.selector, strangerActive, amount));
            }
        }
        // forge-lint: disable-next-line(block-timestamp)
        if (strangerUnbonding == 0 || block.timestamp < strangerRelease) {
            vm.prank(stranger);
            try staking.withdraw(role) {
                vm.assertTrue(false, "withdraw without one's own mature unbonding succeeded");
            } catch {}
        }

        (uint256 unbondingAfter, uint64 releaseAfter) = staking.unbondingOf(victim, role);
        vm.assertEq(staking.stakeOf(victim, role), activeBefore, "victim's active stake unchanged");
        vm.assertEq(unbondingAfter, unbondingBefore, "victim's unbonding unchanged");
        vm.assertEq(uint256(releaseAfter), uint256(releaseBefore), "victim's release time unchanged");
        calls["stranger"]++;
    }

    /// @dev Anyone without SLASHER_ROLE trying to slash is refused.
    function unauthorizedSlash(uint256 callerSeed, uint256 victimSeed, uint256 roleSeed, uint256 amount) external {
        address victim = _actor(victimSeed);
        address caller = callerSeed % 2 == 0 ? _actor(callerSeed / 2) : admin;
        bytes32 role = _role(roleSeed);
        amount = bound(amount, 1, type(uint256).max);
        vm.prank(caller);
        try staking.slash(victim, role, amount, "rogue") {
            vm.assertTrue(false, "slash without SLASHER_ROLE succeeded");
        } catch (bytes memory err) {
            vm.assertEq(
                err,
                abi.encodeWithSelector(
                    IAccessControl.AccessControlUnauthorizedAccount.selector, caller, staking.SLASHER_ROLE()
                )
            );
        }
        calls["unauthorizedSlash"]++;
    }

    // ------------------------------------------------------------------ time and governance

    function warp(uint256 seconds_) external {
        seconds_ = bound(seconds_, 0, 2 * uint256(staking.unbondingPeriod()) + 1);
        vm.warp(block.timestamp + seconds_);
        calls["warp"]++;
    }

    function setUnbondingPeriod(uint256 period) external {
        period = bound(period, 0, 30 days);
        vm.prank(admin);
        staking.setUnbondingPeriod(SafeCast.toUint64(period));
        calls["setUnbondingPeriod"]++;
    }

    // ------------------------------------------------------------------ views for the invariants

    function actorCount() external pure returns (uint256) {
        return ACTORS;
    }

    /// @dev Sum over actors and roles of active + unbonding stake.
    function sumOfStakes() external view returns (uint256 sum) {
        for (uint256 i = 0; i < ACTORS; ++i) {
            for (uint256 j = 0; j < roles.length; ++j) {
                (uint256 unbonding,) = staking.unbondingOf(actors[i], roles[j]);
                sum += staking.stakeOf(actors[i], roles[j]) + unbonding;
            }
        }
    }

    enum Want {
        Active,
        Unbonding,
        Any
    }

    /// @dev The (actor, role) slot `seed` points at, moved on to the next slot that has what the action needs
    /// (when one does), so that random sequences reach withdrawals and slashes often instead of hitting empties.
    function _pick(uint256 seed, Want want) internal view returns (address actor, bytes32 role) {
        uint256 slots = ACTORS * roles.length;
        for (uint256 k = 0; k < slots; ++k) {
            uint256 slot = (seed % slots + k) % slots;
            actor = actors[slot / roles.length];
            role = roles[slot % roles.length];
            uint256 active = staking.stakeOf(actor, role);
            (uint256 unbonding,) = staking.unbondingOf(actor, role);
            if (want == Want.Active ? active > 0 : want == Want.Unbonding ? unbonding > 0 : active + unbonding > 0) {
                return (actor, role);
            }
        }
        uint256 fallbackSlot = seed % slots;
        return (actors[fallbackSlot / roles.length], roles[fallbackSlot % roles.length]);
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % ACTORS];
    }

    function _role(uint256 seed) internal view returns (bytes32) {
        return roles[seed % roles.length];
    }

    /// @dev Someone other than `victim`: another staker, the slasher or the admin.
    function _stranger(uint256 seed, address victim) internal view returns (address stranger) {
        uint256 pick = seed % (ACTORS + 2);
        if (pick == ACTORS) return slasher;
        if (pick == ACTORS + 1) return admin;
        stranger = actors[pick];
        if (stranger == victim) stranger = actors[(pick + 1) % ACTORS];
    }
}

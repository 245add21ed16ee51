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
    /// @dev Holds FAULT_PROOF_ROLE (unbounded slashes).
    address public immutable slasher;
    /// @dev Holds SLASHER_ROLE (bounded slashes).
    address public immutable boundedSlasher;

    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address[] public actors;
    mapping(address => uint256) internal keyOf;
    /// @dev Every address that has been the slash sink (the first is the constructor's).
    address[] public sinks;
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

    /// @dev The bounded slashers' window per (actor, role) as the rules predict it.
    mapping(address => mapping(bytes32 => uint256)) public ghostWindowStart;
    mapping(address => mapping(bytes32 => uint256)) public ghostWindowTaken;

    constructor(
        HyphaToken hyp_,
        Staking staking_,
        address admin_,
        address slasher_,
        address boundedSlasher_,
        address sink_
    ) {
        hyp = hyp_;
        staking = staking_;
        admin = admin_;
        slasher = slasher_;
        boundedSlasher = boundedSlasher_;
        sinks.push(sink_);
        roles = [staking_.PROVIDER(), staking_.VALIDATOR()];
        for (uint256 i = 0; i < ACTORS; ++i) {
            (address actor, uint256 key) = makeAccount(string.concat("staker", vm.toString(i)));
            actors.push(actor);
            keyOf[actor] = key;
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

    /// @dev Stakes through an EIP-2612 permit (no approval needed): credited exactly, the permit's nonce spent.
    function stakeWithPermit(uint256 actorSeed, uint256 roleSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        bytes32 role = _role(roleSeed);
        uint256 balance = hyp.balanceOf(actor);
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        uint256 activeBefore = staking.stakeOf(actor, role);
        uint256 nonce = hyp.nonces(actor);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, actor, address(staking), amount, nonce, deadline));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(keyOf[actor], keccak256(abi.encodePacked("\x19\x01", hyp.DOMAIN_SEPARATOR(), structHash)));

        vm.prank(actor);
        staking.stakeWithPermit(role, amount, deadline, v, r, s);

        vm.assertEq(staking.stakeOf(actor, role), activeBefore + amount, "permit stake credited exactly");
        vm.assertEq(hyp.nonces(actor), nonce + 1, "permit nonce spent");
        vm.assertEq(hyp.balanceOf(actor), balance - amount, "permit stake pulled exactly");
        vm.assertEq(hyp.allowance(actor, address(staking)), 0, "permit allowance used up exactly");
        // The permit replaced the standing approval the plain stake path relies on; restore it.
        vm.prank(actor);
        hyp.approve(address(staking), type(uint256).max);
        ghostDeposited += amount;
        depositedBy[actor] += amount;
        calls["stakeWithPermit"]++;
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
        vm.assertEq(
            uint256(releaseTime), ghostEarliestRelease[actor][role], "release = latest request time + its period"
        );
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

    /// @dev A slash by a FAULT_PROOF_ROLE holder: not bounded, takes min(amount, stake).
    function slash(uint256 seed, uint256 amount) external {
        (address actor, bytes32 role) = _pick(seed, Want.Any);
        uint256 active = staking.stakeOf(actor, role);
        (uint256 unbonding,) = staking.unbondingOf(actor, role);
        // Mostly partial slashes (so stake survives to be unbonded and withdrawn), sometimes far more than staked.
        amount = amount % 4 == 0 ? bound(amount, 1, type(uint256).max) : bound(amount, 1, (active + unbonding) / 2 + 1);
        address sink = staking.slashSink();
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

    /// @dev What the rules predict for a bounded slash: the window in force, its limit, and what the slash takes.
    struct BoundedSlashPrediction {
        uint256 start;
        uint256 taken;
        uint256 limit;
        uint256 expected;
    }

    /// @dev A slash by a SLASHER_ROLE holder: takes exactly what the window bound leaves, never more.
    function boundedSlash(uint256 seed, uint256 amount) external {
        (address actor, bytes32 role) = _pick(seed, Want.Any);
        amount = bound(amount, 1, type(uint256).max);
        BoundedSlashPrediction memory p = _predictBoundedSlash(actor, role, amount);
        address sink = staking.slashSink();
        uint256 sinkBefore = hyp.balanceOf(sink);

        vm.prank(boundedSlasher);
        uint256 slashed = staking.slash(actor, role, amount, "bounded");

        vm.assertEq(slashed, p.expected, "bounded slash took what the bound leaves");
        // (The window can already be past its limit when the stake shrank or the bound was lowered; then nothing.)
        if (slashed > 0) vm.assertLe(p.taken + slashed, p.limit, "bounded slashes passed maxSlashBps in one window");
        vm.assertEq(hyp.balanceOf(sink), sinkBefore + slashed);
        if (slashed > 0) {
            ghostWindowStart[actor][role] = p.start;
            ghostWindowTaken[actor][role] = p.taken + slashed;
        }
        (uint256 unbondingLeft,) = staking.unbondingOf(actor, role);
        if (unbondingLeft == 0) ghostEarliestRelease[actor][role] = 0;
        ghostSlashed += slashed;
        calls["boundedSlash"]++;
    }

    function _predictBoundedSlash(address actor, bytes32 role, uint256 amount)
        internal
        view
        returns (BoundedSlashPrediction memory p)
    {
        (uint256 unbonding,) = staking.unbondingOf(actor, role);
        uint256 available = staking.stakeOf(actor, role) + unbonding;
        p.start = ghostWindowStart[actor][role];
        p.taken = ghostWindowTaken[actor][role];
        // forge-lint: disable-next-line(block-timestamp)
        if (p.start == 0 || block.timestamp >= p.start + staking.SLASH_WINDOW()) {
            p.start = block.timestamp;
            p.taken = 0;
        }
        p.limit = (available + p.taken) * staking.maxSlashBps() / staking.BPS();
        uint256 room = p.limit > p.taken ? p.limit - p.taken : 0;
        p.expected = amount;
        if (available < p.expected) p.expected = available;
        if (room < p.expected) p.expected = room;
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

    /// @dev Governance moves the slash sink; slashed stake keeps adding up over every sink ever used.
    function setSlashSink(uint256 seed) external {
        address newSink =
            seed % 4 == 0 ? sinks[seed % sinks.length] : makeAddr(string.concat("sink", vm.toString(seed % 3)));
        bool known;
        for (uint256 i = 0; i < sinks.length; ++i) {
            if (sinks[i] == newSink) known = true;
        }
        if (!known) sinks.push(newSink);
        vm.prank(admin);
        staking.setSlashSink(newSink);
        vm.assertEq(staking.slashSink(), newSink);
        calls["setSlashSink"]++;
    }

    function setMaxSlashBps(uint256 bps) external {
        bps = bound(bps, 0, staking.BPS());
        vm.prank(admin);
        // forge-lint: disable-next-line(unsafe-typecast)
        staking.setMaxSlashBps(uint16(bps)); // bounded to BPS = 10_000 above
        calls["setMaxSlashBps"]++;
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

    /// @dev HYP held by every address that has been the slash sink.
    function sumOfSinks() external view returns (uint256 sum) {
        for (uint256 i = 0; i < sinks.length; ++i) {
            sum += hyp.balanceOf(sinks[i]);
        }
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
        if (pick == ACTORS) return pick % 2 == 0 ? slasher : boundedSlasher;
        if (pick == ACTORS + 1) return admin;
        stranger = actors[pick];
        if (stranger == victim) stranger = actors[(pick + 1) % ACTORS];
    }
}

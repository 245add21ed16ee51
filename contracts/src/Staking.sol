// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Staking
/// @notice Holds HYP staked per (account, role). A role is a bytes32 tag such as PROVIDER or VALIDATOR;
/// other contracts read `stakeOf(account, role)` to decide who may act. Leaving takes two steps:
/// `requestUnbond` moves stake into an unbonding bucket (still slashable, no longer counted as
/// active), and `withdraw` pays it out once `unbondingPeriod` has passed. Slashed HYP goes to `slashSink`.
///
/// Who can do what: the default admin (governance: a timelock, so every grant and parameter change waits out
/// its delay; handed over in two steps with `defaultAdminDelay`, see AccessControlDefaultAdminRules) sets the
/// period, the sink and the slash bound and grants the two slashing roles. SLASHER_ROLE holders (validators'
/// challenges, committees) are bounded: within one SLASH_WINDOW they take at most `maxSlashBps` of an (account,
/// role)'s stake, so a compromised or wrong slasher cannot take everything before governance revokes it.
/// FAULT_PROOF_ROLE is for contracts that prove the fault on-chain (the dispute games of later issues) and is not
/// bounded.
/// @dev Each (account, role) has at most one unbonding bucket. A second `requestUnbond` adds to the
/// pending amount and moves the bucket's release time to max(current release time, now + unbondingPeriod):
/// storage stays O(1), and no stake leaves before its own request time plus the period in force when it was
/// requested (so slashing evidence always has a full period to arrive, even after governance lowers the period).
/// Outside the local development chain (chain id 31337) the period is at least MIN_UNBONDING_PERIOD, so nobody
/// can request and withdraw in one transaction to dodge a pending slash.
contract Staking is AccessControlDefaultAdminRules, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role tag for inference and compute providers.
    bytes32 public constant PROVIDER = keccak256("PROVIDER");
    /// @notice Role tag for validators.
    bytes32 public constant VALIDATOR = keccak256("VALIDATOR");
    /// @notice Access role of bounded slashers (granted by DEFAULT_ADMIN_ROLE, i.e. governance, after its delay):
    /// at most `maxSlashBps` of an (account, role)'s stake per SLASH_WINDOW.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Access role of contracts that prove a fault on-chain before slashing (dispute games); not bounded.
    /// Granted by DEFAULT_ADMIN_ROLE after its delay, like SLASHER_ROLE.
    bytes32 public constant FAULT_PROOF_ROLE = keccak256("FAULT_PROOF_ROLE");
    /// @notice The window over which a bounded slasher's take from one (account, role) is limited.
    uint64 public constant SLASH_WINDOW = 7 days;
    /// @notice Basis points in one whole (100 %).
    uint16 public constant BPS = 10_000;
    /// @notice The slash bound a new Staking starts with: 10 % per SLASH_WINDOW.
    uint16 public constant DEFAULT_MAX_SLASH_BPS = 1_000;
    /// @notice Upper bound on the unbonding period.
    uint64 public constant MAX_UNBONDING_PERIOD = 365 days;
    /// @notice Lower bound on the unbonding period on every chain but the local development chain.
    uint64 public constant MIN_UNBONDING_PERIOD = 1 days;
    /// @notice Chain id of the local development chain (anvil's default, `hypha up`), where any period is allowed.
    uint256 public constant LOCAL_CHAIN_ID = 31337;

    /// @notice The staked token (HYP).
    IERC20 public immutable stakeToken;

    struct Unbonding {
        uint256 amount;
        uint64 releaseTime;
    }

    /// @dev What bounded slashers took from one (account, role) since `start` (a window lasts SLASH_WINDOW).
    struct SlashWindow {
        uint64 start;
        uint256 taken;
    }

    mapping(address account => mapping(bytes32 role => uint256)) private _active;
    mapping(address account => mapping(bytes32 role => Unbonding)) private _unbonding;
    mapping(address account => mapping(bytes32 role => SlashWindow)) private _slashWindows;
    uint16 private _maxSlashBps;
    uint256 private _totalStaked;
    uint64 private _unbondingPeriod;
    address private _slashSink;

    /// @notice `account` added `amount` to its active stake for `role`.
    event Staked(address indexed account, bytes32 indexed role, uint256 amount);
    /// @notice `account` moved `amount` from active stake to unbonding; the whole bucket is released at `releaseTime`
    /// (the latest of every pending request's time plus the period in force when it was made).
    event UnbondRequested(address indexed account, bytes32 indexed role, uint256 amount, uint64 releaseTime);
    /// @notice `account` withdrew `amount` of matured unbonding stake.
    event Withdrawn(address indexed account, bytes32 indexed role, uint256 amount);
    /// @notice `slasher` took `amount` from `account`'s stake for `role` and sent it to the slash sink.
    event Slashed(
        address indexed account, bytes32 indexed role, uint256 amount, bytes32 reason, address indexed slasher
    );
    /// @notice The slash sink changed.
    event SlashSinkChanged(address oldSink, address newSink);
    /// @notice The unbonding period changed (applies to unbond requests made from now on).
    event UnbondingPeriodChanged(uint64 oldPeriod, uint64 newPeriod);
    /// @notice The most a bounded slasher may take per SLASH_WINDOW changed (basis points of the stake).
    event MaxSlashBpsChanged(uint16 oldBps, uint16 newBps);

    /// @notice An amount of zero was given where a positive amount is required.
    error ZeroAmount();
    /// @notice The role tag bytes32(0) is not a role.
    error InvalidRole();
    /// @notice The stake token given to the constructor was the zero address.
    error InvalidStakeToken();
    /// @notice The slash sink may not be the zero address.
    error InvalidSlashSink();
    /// @notice The unbonding period is above MAX_UNBONDING_PERIOD.
    error UnbondingPeriodTooLong(uint64 period, uint64 max);
    /// @notice The unbonding period is below MIN_UNBONDING_PERIOD (allowed only on the local development chain).
    error UnbondingPeriodTooShort(uint64 period, uint64 min);
    /// @notice The active stake is smaller than the amount asked to unbond.
    error InsufficientStake(uint256 available, uint256 requested);
    /// @notice The unbonding stake cannot be withdrawn before `releaseTime`.
    error UnbondingNotMature(uint64 releaseTime);
    /// @notice There is no unbonding stake to withdraw.
    error NothingToWithdraw();
    /// @notice The slash bound is above BPS (100 %).
    error MaxSlashBpsTooHigh(uint16 bps, uint16 max);
    /// @notice The permit failed and the existing allowance does not cover the stake.
    error PermitFailed(uint256 allowance, uint256 needed);

    /// @param stakeToken_ the token to stake (HYP); a plain ERC-20 without transfer fees or rebasing
    /// @param admin receives DEFAULT_ADMIN_ROLE (governance: a timelock); not the zero address
    /// @param adminDelay seconds a new default admin must wait before accepting a transfer (two-step handover)
    /// @param unbondingPeriod_ seconds between an unbond request and its withdrawal (<= MAX_UNBONDING_PERIOD and,
    /// except on the local chain, >= MIN_UNBONDING_PERIOD)
    /// @param slashSink_ receiver of slashed stake (not the zero address)
    constructor(IERC20 stakeToken_, address admin, uint48 adminDelay, uint64 unbondingPeriod_, address slashSink_)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (address(stakeToken_) == address(0)) revert InvalidStakeToken();
        stakeToken = stakeToken_;
        _setUnbondingPeriod(unbondingPeriod_);
        _setSlashSink(slashSink_);
        _setMaxSlashBps(DEFAULT_MAX_SLASH_BPS);
    }

    // ----------------------------------------------------------------------------------------------
    // Staker actions
    // ----------------------------------------------------------------------------------------------

    /// @notice Stakes `amount` HYP of the caller for `role`; pulls it with transferFrom (approve first).
    /// @param role the role tag, e.g. PROVIDER
    /// @param amount amount in wei, > 0
    function stake(bytes32 role, uint256 amount) external nonReentrant {
        _stake(role, amount);
    }

    /// @notice Approves with an EIP-2612 permit and stakes in one transaction.
    /// @dev If the permit fails (for example because someone front-ran it and already used it) the stake still
    /// proceeds when the allowance already covers `amount`; otherwise it reverts with PermitFailed.
    /// @param role the role tag
    /// @param amount amount in wei, > 0; also the permitted value
    /// @param deadline permit deadline (unix seconds)
    /// @param v permit signature v
    /// @param r permit signature r
    /// @param s permit signature s
    function stakeWithPermit(bytes32 role, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        try IERC20Permit(address(stakeToken)).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        catch {
            uint256 allowance = stakeToken.allowance(msg.sender, address(this));
            if (allowance < amount) revert PermitFailed(allowance, amount);
        }
        _stake(role, amount);
    }

    /// @notice Moves `amount` of the caller's active stake for `role` into unbonding.
    /// @dev The whole unbonding bucket (earlier pending amount included) is released at
    /// max(its current release time, now + unbondingPeriod): a lowered period never shortens earlier requests.
    /// Unbonding stake no longer counts in stakeOf but can still be slashed until withdrawn.
    /// @param role the role tag
    /// @param amount amount in wei, > 0 and <= stakeOf(caller, role)
    function requestUnbond(bytes32 role, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 active = _active[msg.sender][role];
        if (amount > active) revert InsufficientStake(active, amount);

        Unbonding storage bucket = _unbonding[msg.sender][role];
        uint64 releaseTime = uint64(block.timestamp) + _unbondingPeriod;
        if (bucket.releaseTime > releaseTime) releaseTime = bucket.releaseTime;
        _active[msg.sender][role] = active - amount;
        bucket.amount += amount;
        bucket.releaseTime = releaseTime;
        emit UnbondRequested(msg.sender, role, amount, releaseTime);
    }

    /// @notice Sends the caller's matured unbonding stake for `role` back to the caller.
    /// @param role the role tag
    function withdraw(bytes32 role) external nonReentrant {
        Unbonding storage bucket = _unbonding[msg.sender][role];
        uint256 amount = bucket.amount;
        if (amount == 0) revert NothingToWithdraw();
        // Validators can skew timestamps by seconds; unbonding periods are days, so the skew is harmless.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < bucket.releaseTime) revert UnbondingNotMature(bucket.releaseTime);

        delete _unbonding[msg.sender][role];
        _totalStaked -= amount;
        emit Withdrawn(msg.sender, role, amount);
        stakeToken.safeTransfer(msg.sender, amount);
    }

    // ----------------------------------------------------------------------------------------------
    // Slashing and governance
    // ----------------------------------------------------------------------------------------------

    /// @notice Takes up to `amount` of `account`'s stake for `role`: active stake first, then unbonding.
    /// Never takes more than is there; the taken HYP goes to the slash sink. Only SLASHER_ROLE (bounded: what
    /// SLASHER_ROLE holders together took from this (account, role) in the current SLASH_WINDOW never passes
    /// `maxSlashBps` of its stake, i.e. of what is there now plus what they already took in the window) or
    /// FAULT_PROOF_ROLE (not bounded).
    /// @param account the staker
    /// @param role the role tag
    /// @param amount the most to take, > 0
    /// @param reason a tag the slasher chooses (e.g. dispute id) for the event
    /// @return slashed the amount actually taken (0 when nothing is there or the bound is used up; no event then)
    function slash(address account, bytes32 role, uint256 amount, bytes32 reason)
        external
        nonReentrant
        returns (uint256)
    {
        bool proven = hasRole(FAULT_PROOF_ROLE, msg.sender);
        if (!proven) _checkRole(SLASHER_ROLE);
        if (amount == 0) revert ZeroAmount();
        uint256 active = _active[account][role];
        uint256 unbonding = _unbonding[account][role].amount;
        uint256 take = Math.min(amount, active + unbonding);
        if (!proven) take = _takeWithinBound(account, role, take, active + unbonding);
        if (take == 0) return 0;

        uint256 fromActive = Math.min(take, active);
        uint256 fromUnbonding = take - fromActive;
        _active[account][role] = active - fromActive;
        if (fromUnbonding == unbonding) {
            delete _unbonding[account][role];
        } else {
            _unbonding[account][role].amount = unbonding - fromUnbonding;
        }
        _totalStaked -= take;
        emit Slashed(account, role, take, reason, msg.sender);
        stakeToken.safeTransfer(_slashSink, take);
        return take;
    }

    /// @notice Sets the receiver of slashed stake. Only DEFAULT_ADMIN_ROLE.
    /// @param newSink the new sink, not the zero address
    function setSlashSink(address newSink) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashSink(newSink);
    }

    /// @notice Sets the most a bounded slasher (SLASHER_ROLE) may take from one (account, role) per SLASH_WINDOW,
    /// in basis points of its stake. Only DEFAULT_ADMIN_ROLE.
    /// @param newBps 0..BPS (0 stops bounded slashing; FAULT_PROOF_ROLE is not affected)
    function setMaxSlashBps(uint16 newBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxSlashBps(newBps);
    }

    /// @notice Sets the unbonding period for future unbond requests (pending ones keep their release time).
    /// Only DEFAULT_ADMIN_ROLE.
    /// @param newPeriod seconds, <= MAX_UNBONDING_PERIOD and, except on the local chain, >= MIN_UNBONDING_PERIOD
    function setUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(newPeriod);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice Active (not unbonding) stake of `account` for `role`.
    /// @param account the staker
    /// @param role the role tag
    /// @return the active stake in wei
    function stakeOf(address account, bytes32 role) external view returns (uint256) {
        return _active[account][role];
    }

    /// @notice The unbonding bucket of `account` for `role`.
    /// @param account the staker
    /// @param role the role tag
    /// @return amount unbonding stake in wei
    /// @return releaseTime when it can be withdrawn (0 when there is none)
    function unbondingOf(address account, bytes32 role) external view returns (uint256 amount, uint64 releaseTime) {
        Unbonding storage bucket = _unbonding[account][role];
        return (bucket.amount, bucket.releaseTime);
    }

    /// @notice All HYP held for stakers: active plus unbonding, over all accounts and roles.
    /// @return total in wei
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @notice Seconds between an unbond request and its withdrawal.
    /// @return the current period
    function unbondingPeriod() external view returns (uint64) {
        return _unbondingPeriod;
    }

    /// @notice The most a bounded slasher may take from one (account, role) per SLASH_WINDOW.
    /// @return basis points of the stake
    function maxSlashBps() external view returns (uint16) {
        return _maxSlashBps;
    }

    /// @notice What bounded slashers (SLASHER_ROLE) took from `account`'s `role` stake in its current window.
    /// @param account the staker
    /// @param role the role tag
    /// @return start when the window began (0: never slashed by a bounded slasher)
    /// @return taken wei taken since `start` (counts only while start + SLASH_WINDOW is in the future)
    function slashWindowOf(address account, bytes32 role) external view returns (uint64 start, uint256 taken) {
        SlashWindow storage w = _slashWindows[account][role];
        return (w.start, w.taken);
    }

    /// @notice The most a bounded slasher (SLASHER_ROLE) could take from `account`'s `role` stake right now.
    /// @param account the staker
    /// @param role the role tag
    /// @return wei
    function boundedSlashRoom(address account, bytes32 role) external view returns (uint256) {
        uint256 staked = _active[account][role] + _unbonding[account][role].amount;
        (, uint256 taken) = _currentWindow(account, role);
        return Math.min(_room(staked, taken), staked);
    }

    /// @notice Receiver of slashed stake.
    /// @return the sink address
    function slashSink() external view returns (address) {
        return _slashSink;
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _stake(bytes32 role, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        if (role == bytes32(0)) revert InvalidRole();
        // The one place that interacts before its effects, as OpenZeppelin's ERC4626 deposit does: pulling first
        // lets an amount the caller does not have fail in the token with its clear ERC20InsufficientBalance /
        // ERC20InsufficientAllowance, instead of an arithmetic panic in the sums below. It is safe because every
        // stake-changing entry point is nonReentrant, and afterwards
        // the sums cannot overflow: they never exceed the tokens this contract holds.
        stakeToken.safeTransferFrom(msg.sender, address(this), amount);
        _active[msg.sender][role] += amount;
        _totalStaked += amount;
        emit Staked(msg.sender, role, amount);
    }

    /// @dev Limits `take` to what the bound leaves in the current window and books it there.
    function _takeWithinBound(address account, bytes32 role, uint256 take, uint256 staked)
        private
        returns (uint256)
    {
        (uint64 start, uint256 taken) = _currentWindow(account, role);
        take = Math.min(take, _room(staked, taken));
        if (take > 0) _slashWindows[account][role] = SlashWindow({start: start, taken: taken + take});
        return take;
    }

    /// @dev The window in force now: the stored one while it lasts, else a fresh one starting now.
    function _currentWindow(address account, bytes32 role) private view returns (uint64 start, uint256 taken) {
        SlashWindow storage w = _slashWindows[account][role];
        // forge-lint: disable-next-line(block-timestamp)
        if (w.start != 0 && block.timestamp < uint256(w.start) + SLASH_WINDOW) return (w.start, w.taken);
        return (uint64(block.timestamp), 0);
    }

    /// @dev What bounded slashers may still take in a window: maxSlashBps of (stake now + taken in the window).
    function _room(uint256 staked, uint256 taken) private view returns (uint256) {
        uint256 limit = Math.mulDiv(staked + taken, _maxSlashBps, BPS);
        return limit > taken ? limit - taken : 0;
    }

    function _setMaxSlashBps(uint16 newBps) private {
        if (newBps > BPS) revert MaxSlashBpsTooHigh(newBps, BPS);
        emit MaxSlashBpsChanged(_maxSlashBps, newBps);
        _maxSlashBps = newBps;
    }

    function _setSlashSink(address newSink) private {
        if (newSink == address(0)) revert InvalidSlashSink();
        emit SlashSinkChanged(_slashSink, newSink);
        _slashSink = newSink;
    }

    function _setUnbondingPeriod(uint64 newPeriod) private {
        if (newPeriod > MAX_UNBONDING_PERIOD) revert UnbondingPeriodTooLong(newPeriod, MAX_UNBONDING_PERIOD);
        if (newPeriod < MIN_UNBONDING_PERIOD && block.chainid != LOCAL_CHAIN_ID) {
            revert UnbondingPeriodTooShort(newPeriod, MIN_UNBONDING_PERIOD);
        }
        emit UnbondingPeriodChanged(_unbondingPeriod, newPeriod);
        _unbondingPeriod = newPeriod;
    }
}

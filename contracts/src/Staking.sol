// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title Staking
/// @notice Holds HYP staked per (account, role). A role is a bytes32 tag such as PROVIDER or VALIDATOR;
/// other contracts read `stakeOf(account, role)` to decide who may act. Leaving takes two steps:
/// `requestUnbond` moves stake into an unbonding bucket (still slashable, no longer counted as
/// active), and `withdraw` pays it out once `unbondingPeriod` has passed. Contracts that governance
/// grants SLASHER_ROLE (dispute resolution, validators' challenges) can slash; slashed HYP goes to
/// `slashSink`.
/// @dev Each (account, role) has at most one unbonding bucket. A second `requestUnbond` adds to the
/// pending amount and moves the bucket's release time to max(current release time, now + unbondingPeriod):
/// storage stays O(1), and no stake leaves before its own request time plus the period in force when it was
/// requested (so slashing evidence always has a full period to arrive, even after governance lowers the period).
/// Outside the local development chain (chain id 31337) the period is at least MIN_UNBONDING_PERIOD, so nobody
/// can request and withdraw in one transaction to dodge a pending slash.
contract Staking is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role tag for inference and compute providers.
    bytes32 public constant PROVIDER = keccak256("PROVIDER");
    /// @notice Role tag for validators.
    bytes32 public constant VALIDATOR = keccak256("VALIDATOR");
    /// @notice Access role of contracts allowed to slash (granted by DEFAULT_ADMIN_ROLE, i.e. governance).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
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

    mapping(address account => mapping(bytes32 role => uint256)) private _active;
    mapping(address account => mapping(bytes32 role => Unbonding)) private _unbonding;
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

    /// @notice An amount of zero was given where a positive amount is required.
    error ZeroAmount();
    /// @notice The role tag bytes32(0) is not a role.
    error InvalidRole();
    /// @notice The stake token given to the constructor was the zero address.
    error InvalidStakeToken();
    /// @notice The admin given to the constructor was the zero address.
    error InvalidAdmin();
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
    /// @notice The permit failed and the existing allowance does not cover the stake.
    error PermitFailed(uint256 allowance, uint256 needed);

    /// @param stakeToken_ the token to stake (HYP); a plain ERC-20 without transfer fees or rebasing
    /// @param admin receives DEFAULT_ADMIN_ROLE (governance)
    /// @param unbondingPeriod_ seconds between an unbond request and its withdrawal (<= MAX_UNBONDING_PERIOD and,
    /// except on the local chain, >= MIN_UNBONDING_PERIOD)
    /// @param slashSink_ receiver of slashed stake (not the zero address)
    constructor(IERC20 stakeToken_, address admin, uint64 unbondingPeriod_, address slashSink_) {
        if (address(stakeToken_) == address(0)) revert InvalidStakeToken();
        if (admin == address(0)) revert InvalidAdmin();
        stakeToken = stakeToken_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setUnbondingPeriod(unbondingPeriod_);
        _setSlashSink(slashSink_);
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
    /// Never takes more than is there; the taken HYP goes to the slash sink. Only SLASHER_ROLE.
    /// @param account the staker
    /// @param role the role tag
    /// @param amount the most to take, > 0
    /// @param reason a tag the slasher chooses (e.g. dispute id) for the event
    /// @return slashed the amount actually taken (0 when nothing was staked; no event then)
    function slash(address account, bytes32 role, uint256 amount, bytes32 reason)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
        returns (uint256 slashed)
    {
        if (amount == 0) revert ZeroAmount();
        uint256 active = _active[account][role];
        uint256 fromActive = amount < active ? amount : active;
        uint256 unbonding = _unbonding[account][role].amount;
        uint256 rest = amount - fromActive;
        uint256 fromUnbonding = rest < unbonding ? rest : unbonding;
        slashed = fromActive + fromUnbonding;
        if (slashed == 0) return 0;

        _active[account][role] = active - fromActive;
        if (fromUnbonding == unbonding) {
            delete _unbonding[account][role];
        } else {
            _unbonding[account][role].amount = unbonding - fromUnbonding;
        }
        _totalStaked -= slashed;
        emit Slashed(account, role, slashed, reason, msg.sender);
        stakeToken.safeTransfer(_slashSink, slashed);
    }

    /// @notice Sets the receiver of slashed stake. Only DEFAULT_ADMIN_ROLE.
    /// @param newSink the new sink, not the zero address
    function setSlashSink(address newSink) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashSink(newSink);
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

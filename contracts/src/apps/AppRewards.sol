// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title AppRewards
/// @notice App incentives (MyShell/Deva-like) that wash usage cannot earn. Creators publish apps (a content id of the
/// app's spec: system prompt, model, tools; a price per use; the creator's share). A paid use moves `amount` of the
/// payment token from the payer at once: a protocol fee (FEE_BPS, rounded up) to the fee sink (the treasury; never
/// the reward pool, see below), the creator's
/// share of the rest to the creator, the remainder to the provider that served it. Fees paid by someone other than
/// the app's creator and the serving provider count as the app's eligible fees for the current epoch. After an epoch
/// ends, its reward budget is `min(EPOCH_SHARE_BPS of the unreserved pool, REWARD_CAP_BPS of its eligible fees)`,
/// shared among its apps in proportion to their eligible fees and pulled by `claim`. The pool is funded only by
/// `fund` (the network's emission for apps, or sponsors).
/// @dev The wash-trading rule (docs/ARCHITECTURE.md "App incentives"): an app's reward for an epoch is at most
/// REWARD_CAP_BPS of its eligible fees, and REWARD_CAP_BPS < FEE_BPS. Whoever pays a fee loses FEE_BPS of it to the
/// sink for good, whatever other accounts it controls (creator, provider, sybil payers) get the rest back. Adding W of
/// eligible fees raises an epoch's rewards of the apps one party controls by at most REWARD_CAP_BPS × W (when the cap
/// binds, by the cap; when the pool binds, the budget does not grow and the party's share grows by at most
/// W / eligibleFees of a budget ≤ REWARD_CAP_BPS × eligibleFees), and it costs FEE_BPS × W. Fees never reach the pool,
/// or a party dominating later epochs could win back its own fees from it. Address checks cannot tell a sybil from a customer; this bound does not need to. Payments where the payer
/// is the creator or the provider are not even eligible (earn nothing at all). Fees round up and rewards round down,
/// so tiny payments cannot round the bound away. No owner, no admin.
contract AppRewards is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 public constant BPS = 10_000;
    /// @notice Protocol fee of every paid use, to the fee sink (10 %).
    uint256 public constant FEE_BPS = 1_000;
    /// @notice Most an app earns per unit of eligible fee (5 %): strictly below FEE_BPS, so wash usage loses money.
    uint256 public constant REWARD_CAP_BPS = 500;
    /// @notice Share of the unreserved pool an epoch may pay out (10 %), so the pool lasts.
    uint256 public constant EPOCH_SHARE_BPS = 1_000;
    /// @notice Largest creator share (of what is left after the protocol fee).
    uint256 public constant MAX_CREATOR_BPS = BPS;

    struct App {
        address creator;
        bytes32 spec; // content id digest of the app's spec (system prompt, model, tools)
        uint256 price; // payment-token units per use, as the gateway charges it
        uint16 creatorBps; // creator's share of a payment after the protocol fee
    }

    struct Epoch {
        uint256 eligibleFees; // Σ eligible payments of all apps
        uint256 reserved; // the epoch's reward budget, fixed when it is closed
        uint256 paid; // rewards claimed from it
        bool closed;
    }

    IERC20 public immutable token;
    /// @notice Where protocol fees go (the treasury): never the reward pool.
    address public immutable feeSink;
    uint64 public immutable startBlock;
    uint64 public immutable epochBlocks;

    /// @notice Reward tokens not yet reserved by any epoch (what `fund` brought in).
    uint256 public pool;
    /// @notice Everything reserved by closed epochs and not yet claimed.
    uint256 public outstanding;
    uint256 public appCount;

    mapping(uint256 appId => App) private _apps;
    mapping(uint256 epoch => Epoch) private _epochs;
    mapping(uint256 epoch => mapping(uint256 appId => uint256)) private _eligible;
    mapping(uint256 epoch => mapping(uint256 appId => bool)) private _claimed;

    event AppPublished(uint256 indexed appId, address indexed creator, bytes32 spec, uint256 price, uint16 creatorBps);
    event AppUpdated(uint256 indexed appId, bytes32 spec, uint256 price, uint16 creatorBps);
    event Funded(address indexed from, uint256 amount);
    /// @notice A paid use: `eligible` says whether it counts toward rewards (payer neither creator nor provider).
    event Paid(uint256 indexed appId, uint256 indexed epoch, address indexed payer, address provider, uint256 amount,
        uint256 fee, uint256 toCreator, uint256 toProvider, bool eligible);
    event EpochClosed(uint256 indexed epoch, uint256 eligibleFees, uint256 reserved);
    event RewardClaimed(uint256 indexed appId, uint256 indexed epoch, address indexed creator, uint256 amount);

    error ZeroAddress();
    error ZeroAmount();
    error SelfProvider();
    error BadShare(uint256 creatorBps);
    error UnknownApp(uint256 appId);
    error NotCreator(uint256 appId, address caller);
    error EpochNotOver(uint256 epoch, uint256 current);
    error AlreadyClaimed(uint256 epoch, uint256 appId);
    error UnsupportedToken(uint256 received, uint256 expected);

    /// @param token_ the payment token fees, shares and rewards are paid in (hUSD)
    /// @param feeSink_ where protocol fees go (the treasury)
    /// @param epochBlocks_ blocks per reward epoch
    constructor(IERC20 token_, address feeSink_, uint64 epochBlocks_) {
        if (address(token_) == address(0) || feeSink_ == address(0)) revert ZeroAddress();
        if (feeSink_ == address(this)) revert SelfProvider();
        feeSink = feeSink_;
        if (epochBlocks_ == 0) revert ZeroAmount();
        token = token_;
        epochBlocks = epochBlocks_;
        startBlock = uint64(block.number);
    }

    // ---- apps ----------------------------------------------------------------------------------------------

    /// @notice Publishes an app owned by the caller; returns its id.
    function publish(bytes32 spec, uint256 price, uint16 creatorBps) external returns (uint256 appId) {
        if (creatorBps > MAX_CREATOR_BPS) revert BadShare(creatorBps);
        appId = appCount++;
        _apps[appId] = App({creator: msg.sender, spec: spec, price: price, creatorBps: creatorBps});
        emit AppPublished(appId, msg.sender, spec, price, creatorBps);
    }

    /// @notice The creator changes its app's spec, price or share (takes effect for later payments).
    function update(uint256 appId, bytes32 spec, uint256 price, uint16 creatorBps) external {
        App storage a = _app(appId);
        if (msg.sender != a.creator) revert NotCreator(appId, msg.sender);
        if (creatorBps > MAX_CREATOR_BPS) revert BadShare(creatorBps);
        a.spec = spec;
        a.price = price;
        a.creatorBps = creatorBps;
        emit AppUpdated(appId, spec, price, creatorBps);
    }

    // ---- money in ------------------------------------------------------------------------------------------

    /// @notice Adds `amount` to the reward pool (the network's emission for apps, or any sponsor).
    function fund(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _pull(msg.sender, amount);
        pool += amount;
        emit Funded(msg.sender, amount);
    }

    /// @notice Pays `amount` for a use of `appId` served by `provider`: the fee (rounded up) to the sink, the
    /// creator's share of the rest to the creator, the remainder to the provider, all at once.
    function pay(uint256 appId, address provider, uint256 amount) external nonReentrant {
        App memory a = _app(appId);
        if (provider == address(0)) revert ZeroAddress();
        // paid to this contract it would sit outside the pool's books for good
        if (provider == address(this)) revert SelfProvider();
        if (amount == 0) revert ZeroAmount();
        _pull(msg.sender, amount);
        uint256 fee = Math.mulDiv(amount, FEE_BPS, BPS, Math.Rounding.Ceil);
        uint256 toCreator = Math.mulDiv(amount - fee, a.creatorBps, BPS);
        uint256 toProvider = amount - fee - toCreator;
        uint256 e = currentEpoch();
        bool eligible = msg.sender != a.creator && msg.sender != provider;
        if (eligible) {
            _eligible[e][appId] += amount;
            _epochs[e].eligibleFees += amount;
        }
        emit Paid(appId, e, msg.sender, provider, amount, fee, toCreator, toProvider, eligible);
        token.safeTransfer(feeSink, fee); // fee >= 1: amount > 0 and the fee rounds up
        if (toCreator != 0) token.safeTransfer(a.creator, toCreator);
        if (toProvider != 0) token.safeTransfer(provider, toProvider);
    }

    // ---- rewards -------------------------------------------------------------------------------------------

    /// @notice Fixes the budget of a finished epoch (anyone; `claim` does it too):
    /// min(EPOCH_SHARE_BPS of the pool, REWARD_CAP_BPS of the epoch's eligible fees), rounded down.
    function closeEpoch(uint256 epoch) public {
        Epoch storage ep = _epochs[epoch];
        if (ep.closed) return;
        uint256 current = currentEpoch();
        if (epoch >= current) revert EpochNotOver(epoch, current);
        uint256 budget = Math.min(Math.mulDiv(pool, EPOCH_SHARE_BPS, BPS),
            Math.mulDiv(ep.eligibleFees, REWARD_CAP_BPS, BPS));
        ep.closed = true;
        ep.reserved = budget;
        pool -= budget;
        outstanding += budget;
        emit EpochClosed(epoch, ep.eligibleFees, budget);
    }

    /// @notice Pays `appId`'s reward for a finished epoch to its creator (anyone may call; once per app and
    /// epoch): reserved × app's eligible fees / epoch's eligible fees, rounded down.
    function claim(uint256 epoch, uint256 appId) external nonReentrant returns (uint256 amount) {
        App memory a = _app(appId);
        closeEpoch(epoch);
        if (_claimed[epoch][appId]) revert AlreadyClaimed(epoch, appId);
        _claimed[epoch][appId] = true;
        amount = rewardOf(epoch, appId);
        _epochs[epoch].paid += amount;
        outstanding -= amount;
        emit RewardClaimed(appId, epoch, a.creator, amount);
        if (amount != 0) token.safeTransfer(a.creator, amount);
    }

    /// @notice What `appId` earns from a closed epoch (0 before it is closed).
    function rewardOf(uint256 epoch, uint256 appId) public view returns (uint256) {
        Epoch storage ep = _epochs[epoch];
        if (!ep.closed || ep.eligibleFees == 0) return 0;
        return Math.mulDiv(ep.reserved, _eligible[epoch][appId], ep.eligibleFees);
    }

    // ---- views ---------------------------------------------------------------------------------------------

    function currentEpoch() public view returns (uint256) {
        return (block.number - startBlock) / epochBlocks;
    }

    function getApp(uint256 appId) external view returns (App memory) {
        return _app(appId);
    }

    function getEpoch(uint256 epoch) external view returns (Epoch memory) {
        return _epochs[epoch];
    }

    function eligibleFees(uint256 epoch, uint256 appId) external view returns (uint256) {
        return _eligible[epoch][appId];
    }

    function claimed(uint256 epoch, uint256 appId) external view returns (bool) {
        return _claimed[epoch][appId];
    }

    function _app(uint256 appId) private view returns (App storage a) {
        a = _apps[appId];
        if (a.creator == address(0)) revert UnknownApp(appId);
    }

    /// @dev Pulls exactly `amount` (fee-on-transfer tokens would break the accounting, so they are refused).
    function _pull(address from, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
    }
}

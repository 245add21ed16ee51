// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Staking} from "./Staking.sol";

/// @title DataPools
/// @notice Vana-like data pools: a pool owner opens a pool with a reward token and two deadlines; contributors add
/// items (content ids) until the first; validators score each contribution's usefulness until the second; anyone
/// deposits rewards at any time; after scoring ends each contribution may claim
/// `deposited * score / totalScore` (what it has not yet claimed of it), where a contribution's score is the mean of its
/// validators' scores. Validators are the accounts the pool owner names, and, when the pool sets a minimum stake above
/// zero, any account with at least that much VALIDATOR stake in Staking.
/// @dev No admin. Each claim rounds down, so the claims of a pool never exceed its deposits (the dust stays in the
/// pool). A pool that ends with no score at all returns its deposits to its owner (`reclaimUnscored`). A validator
/// cannot score its own contribution; staked validators are checked when they score (later unbonding does not undo a
/// score). Contributions are one item each, unique per pool by content id; nothing here loops over contributions, so
/// pools of any size cost the same per call. Scores are integers in [0, MAX_SCORE].
/// @dev forge-lint: each narrowing cast marked unsafe-typecast is of a value bounded before it (ids from this
/// contract's counters or the registry's, scores at most MAX_SCORE, amounts checked against the type's maximum or bounded
/// by deposits); time comparisons deal in windows of hours to days, where a block producer's drift of seconds is harmless.
contract DataPools is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A pool.
    /// @param contributionsEnd last second contributions are accepted
    /// @param scoringEnd last second scores are accepted; claims start after it
    /// @param minValidatorStake VALIDATOR stake that makes an account a validator of this pool (0: named only)
    /// @param deposited rewards deposited in total
    /// @param claimed rewards claimed in total
    /// @param totalScore sum of the contributions' scores
    struct Pool {
        address owner;
        uint64 contributionsEnd;
        uint64 scoringEnd;
        IERC20 token;
        uint96 minValidatorStake;
        uint128 deposited;
        uint128 claimed;
        uint256 totalScore;
        uint256 contributions;
    }

    /// @notice One contributed item.
    /// @param score the mean of its validators' scores (what the rewards follow)
    struct Contribution {
        uint64 poolId;
        uint32 score;
        uint32 scoreCount;
        address contributor;
        uint64 scoreSum;
        uint128 claimed;
        bytes contentId;
    }

    /// @notice Highest score a validator may give.
    uint32 public constant MAX_SCORE = 1_000_000;
    /// @notice Longest content id in bytes.
    uint256 public constant MAX_CID_BYTES = 64;
    /// @notice Longest a pool's contribution or scoring phase may last.
    uint64 public constant MAX_PHASE = 365 days;

    /// @notice Where staked validators' stake is read.
    Staking public immutable staking;

    uint256 private _nextPoolId = 1;
    uint256 private _nextContributionId = 1;
    mapping(uint256 poolId => Pool) private _pools;
    mapping(uint256 poolId => mapping(address account => bool)) private _namedValidators;
    mapping(uint256 poolId => mapping(bytes32 contentIdHash => bool)) private _items;
    mapping(uint256 contributionId => Contribution) private _contributions;
    /// @dev A validator's score of a contribution, plus one (0: not scored).
    mapping(uint256 contributionId => mapping(address validator => uint256)) private _scores;

    /// @notice `owner` opened pool `poolId` paying rewards in `token`.
    event PoolCreated(
        uint256 indexed poolId,
        address indexed owner,
        address token,
        uint64 contributionsEnd,
        uint64 scoringEnd,
        uint256 minValidatorStake,
        bytes metadataId
    );
    /// @notice The pool owner named (or unnamed) `validator`.
    event ValidatorSet(uint256 indexed poolId, address indexed validator, bool allowed);
    /// @notice `from` deposited `amount` of rewards into `poolId`.
    event RewardsDeposited(uint256 indexed poolId, address indexed from, uint256 amount);
    /// @notice `contributor` added an item to `poolId`.
    event Contributed(uint256 indexed poolId, uint256 indexed contributionId, address indexed contributor, bytes contentId);
    /// @notice `validator` scored `contributionId` `score`; its mean score is now `meanScore`.
    event Scored(uint256 indexed contributionId, address indexed validator, uint32 score, uint32 meanScore);
    /// @notice The contributor of `contributionId` claimed `amount`.
    event RewardClaimed(uint256 indexed contributionId, address indexed contributor, uint256 amount);
    /// @notice A pool without scores returned `amount` to its owner.
    event UnscoredReclaimed(uint256 indexed poolId, uint256 amount);

    /// @notice No such pool.
    error UnknownPool(uint256 poolId);
    /// @notice No such contribution.
    error UnknownContribution(uint256 contributionId);
    /// @notice Only the pool's owner may do this.
    error NotPoolOwner(uint256 poolId, address caller);
    /// @notice The deadlines are not now < contributionsEnd <= scoringEnd, or a phase is longer than MAX_PHASE.
    error InvalidSchedule(uint64 contributionsEnd, uint64 scoringEnd);
    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice An amount of zero was given, or there is nothing to claim.
    error ZeroAmount();
    /// @notice Deposits into one pool would exceed 2^128 - 1 units.
    error DepositTooLarge();
    /// @notice The content id is empty or longer than MAX_CID_BYTES.
    error InvalidContentId(uint256 length);
    /// @notice The item is already in the pool.
    error DuplicateItem(uint256 poolId);
    /// @notice The contribution phase ended at `contributionsEnd`.
    error ContributionsClosed(uint64 contributionsEnd);
    /// @notice The scoring phase is not on: it runs from creation until `scoringEnd` (and a validator may not score
    /// before the item exists).
    error ScoringClosed(uint64 scoringEnd);
    /// @notice Scoring ends at `scoringEnd`: no claims or reclaims before.
    error ScoringNotOver(uint64 scoringEnd);
    /// @notice The caller is neither named by the pool owner nor staked enough.
    error NotValidator(uint256 poolId, address caller);
    /// @notice A validator may not score its own contribution.
    error OwnContribution(uint256 contributionId);
    /// @notice The score is above MAX_SCORE.
    error ScoreTooHigh(uint32 score);
    /// @notice The pool has scores, so its deposits belong to the contributors.
    error PoolWasScored(uint256 poolId);
    /// @notice The token delivered a different amount than asked (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 received, uint256 expected);

    /// @param staking_ the Staking contract whose VALIDATOR stake qualifies validators of pools with a minimum stake
    constructor(Staking staking_) {
        if (address(staking_) == address(0)) revert ZeroAddress();
        staking = staking_;
    }

    // ----------------------------------------------------------------------------------------------
    // Pool owners
    // ----------------------------------------------------------------------------------------------

    /// @notice Opens a pool owned by the caller.
    /// @param token the reward token (a plain ERC-20)
    /// @param contributionsEnd last second of the contribution phase (after now, at most MAX_PHASE ahead)
    /// @param scoringEnd last second of the scoring phase (not before contributionsEnd, at most MAX_PHASE after it)
    /// @param minValidatorStake VALIDATOR stake that makes any account a validator (0: only named validators)
    /// @param metadataId content id of the pool's description (schema, what is wanted), 0..MAX_CID_BYTES bytes
    /// @return poolId the new pool's id
    function createPool(
        IERC20 token,
        uint64 contributionsEnd,
        uint64 scoringEnd,
        uint96 minValidatorStake,
        bytes calldata metadataId
    ) external returns (uint256 poolId) {
        if (address(token) == address(0)) revert ZeroAddress();
        if (
            // forge-lint: disable-next-line(block-timestamp)
            contributionsEnd <= block.timestamp || scoringEnd < contributionsEnd
                // forge-lint: disable-next-line(block-timestamp)
                || contributionsEnd - block.timestamp > MAX_PHASE || scoringEnd - contributionsEnd > MAX_PHASE
        ) revert InvalidSchedule(contributionsEnd, scoringEnd);
        if (metadataId.length > MAX_CID_BYTES) revert InvalidContentId(metadataId.length);
        poolId = _nextPoolId++;
        Pool storage p = _pools[poolId];
        p.owner = msg.sender;
        p.token = token;
        p.contributionsEnd = contributionsEnd;
        p.scoringEnd = scoringEnd;
        p.minValidatorStake = minValidatorStake;
        emit PoolCreated(poolId, msg.sender, address(token), contributionsEnd, scoringEnd, minValidatorStake, metadataId);
    }

    /// @notice Names `validator` as a validator of `poolId` (or removes it). Only the pool owner, until scoring ends.
    function setValidator(uint256 poolId, address validator, bool allowed) external {
        Pool storage p = _pool(poolId);
        if (p.owner != msg.sender) revert NotPoolOwner(poolId, msg.sender);
        if (validator == address(0)) revert ZeroAddress();
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > p.scoringEnd) revert ScoringClosed(p.scoringEnd);
        _namedValidators[poolId][validator] = allowed;
        emit ValidatorSet(poolId, validator, allowed);
    }

    /// @notice Returns the deposits of a pool that ended without a single score to its owner. Only the pool owner,
    /// after scoring ended.
    function reclaimUnscored(uint256 poolId) external nonReentrant {
        Pool storage p = _pool(poolId);
        if (p.owner != msg.sender) revert NotPoolOwner(poolId, msg.sender);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= p.scoringEnd) revert ScoringNotOver(p.scoringEnd);
        if (p.totalScore != 0) revert PoolWasScored(poolId);
        uint256 amount = p.deposited - p.claimed;
        if (amount == 0) revert ZeroAmount();
        p.claimed = p.deposited;
        emit UnscoredReclaimed(poolId, amount);
        p.token.safeTransfer(msg.sender, amount);
    }

    // ----------------------------------------------------------------------------------------------
    // Anyone
    // ----------------------------------------------------------------------------------------------

    /// @notice Deposits `amount` of the pool's token as rewards (approve this contract first). Any time.
    function deposit(uint256 poolId, uint256 amount) external nonReentrant {
        Pool storage p = _pool(poolId);
        if (amount == 0) revert ZeroAmount();
        if (uint256(p.deposited) + amount > type(uint128).max) revert DepositTooLarge();
        // forge-lint: disable-next-line(unsafe-typecast)
        p.deposited += uint128(amount);
        emit RewardsDeposited(poolId, msg.sender, amount);
        uint256 before = p.token.balanceOf(address(this));
        p.token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = p.token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
    }

    /// @notice Adds an item (its content id) to `poolId` as the caller's contribution. Until contributionsEnd; each item
    /// once per pool.
    /// @return contributionId the contribution's id
    function contribute(uint256 poolId, bytes calldata contentId) external returns (uint256 contributionId) {
        Pool storage p = _pool(poolId);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > p.contributionsEnd) revert ContributionsClosed(p.contributionsEnd);
        if (contentId.length == 0 || contentId.length > MAX_CID_BYTES) revert InvalidContentId(contentId.length);
        bytes32 itemHash = keccak256(contentId);
        if (_items[poolId][itemHash]) revert DuplicateItem(poolId);
        _items[poolId][itemHash] = true;
        contributionId = _nextContributionId++;
        Contribution storage c = _contributions[contributionId];
        // forge-lint: disable-next-line(unsafe-typecast)
        c.poolId = uint64(poolId);
        c.contributor = msg.sender;
        c.contentId = contentId;
        p.contributions += 1;
        emit Contributed(poolId, contributionId, msg.sender, contentId);
    }

    /// @notice Scores a contribution (or replaces the caller's earlier score of it). Only a validator of its pool, not
    /// its contributor, until scoringEnd.
    function score(uint256 contributionId, uint32 value) external {
        Contribution storage c = _contribution(contributionId);
        Pool storage p = _pools[c.poolId];
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > p.scoringEnd) revert ScoringClosed(p.scoringEnd);
        if (!isValidator(c.poolId, msg.sender)) revert NotValidator(c.poolId, msg.sender);
        if (c.contributor == msg.sender) revert OwnContribution(contributionId);
        if (value > MAX_SCORE) revert ScoreTooHigh(value);

        uint256 previous = _scores[contributionId][msg.sender];
        if (previous == 0) {
            c.scoreCount += 1;
        } else {
            // forge-lint: disable-next-line(unsafe-typecast)
            c.scoreSum -= uint64(previous - 1);
        }
        c.scoreSum += value;
        _scores[contributionId][msg.sender] = uint256(value) + 1;
        uint32 mean = uint32(c.scoreSum / c.scoreCount);
        p.totalScore = p.totalScore - c.score + mean;
        c.score = mean;
        emit Scored(contributionId, msg.sender, value, mean);
    }

    /// @notice Pays the contributor of `contributionId` what it has not yet claimed of
    /// `deposited * score / totalScore` (rounded down). Anyone may call; the money goes to the contributor. After
    /// scoringEnd; again after later deposits.
    /// @return amount what was paid
    function claim(uint256 contributionId) external nonReentrant returns (uint256 amount) {
        Contribution storage c = _contribution(contributionId);
        Pool storage p = _pools[c.poolId];
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= p.scoringEnd) revert ScoringNotOver(p.scoringEnd);
        amount = _claimable(p, c);
        if (amount == 0) revert ZeroAmount();
        // forge-lint: disable-next-line(unsafe-typecast)
        c.claimed += uint128(amount);
        // forge-lint: disable-next-line(unsafe-typecast)
        p.claimed += uint128(amount);
        emit RewardClaimed(contributionId, c.contributor, amount);
        p.token.safeTransfer(c.contributor, amount);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice Whether `account` may score contributions to `poolId` now.
    function isValidator(uint256 poolId, address account) public view returns (bool) {
        Pool storage p = _pool(poolId);
        if (_namedValidators[poolId][account]) return true;
        return p.minValidatorStake != 0 && staking.stakeOf(account, staking.VALIDATOR()) >= p.minValidatorStake;
    }

    /// @notice A pool as stored.
    function poolOf(uint256 poolId) external view returns (Pool memory) {
        return _pool(poolId);
    }

    /// @notice A contribution as stored.
    function contributionOf(uint256 contributionId) external view returns (Contribution memory) {
        return _contribution(contributionId);
    }

    /// @notice `validator`'s score of `contributionId` and whether it scored it at all.
    function scoreOf(uint256 contributionId, address validator) external view returns (uint32 value, bool scored) {
        uint256 s = _scores[contributionId][validator];
        // forge-lint: disable-next-line(unsafe-typecast)
        return (s == 0 ? 0 : uint32(s - 1), s != 0);
    }

    /// @notice What `claim(contributionId)` would pay now (0 before scoring ends).
    function claimable(uint256 contributionId) external view returns (uint256) {
        Contribution storage c = _contribution(contributionId);
        return _claimable(_pools[c.poolId], c);
    }

    /// @notice The id the next pool will get.
    function nextPoolId() external view returns (uint256) {
        return _nextPoolId;
    }

    /// @notice The id the next contribution will get.
    function nextContributionId() external view returns (uint256) {
        return _nextContributionId;
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    /// @dev floor(deposited * score / totalScore) summed over a pool's contributions is at most deposited (each term
    /// rounds down and the scores add up to totalScore), so claims never exceed deposits.
    function _claimable(Pool storage p, Contribution storage c) private view returns (uint256) {
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= p.scoringEnd || p.totalScore == 0) return 0;
        uint256 entitled = Math.mulDiv(p.deposited, c.score, p.totalScore);
        return entitled - c.claimed;
    }

    function _pool(uint256 poolId) private view returns (Pool storage p) {
        p = _pools[poolId];
        if (p.owner == address(0)) revert UnknownPool(poolId);
    }

    function _contribution(uint256 contributionId) private view returns (Contribution storage c) {
        c = _contributions[contributionId];
        if (c.contributor == address(0)) revert UnknownContribution(contributionId);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {YumaColumn} from "./YumaColumn.sol";
import {YumaFixed} from "./YumaFixed.sol";

/// @notice What the registry needs from Staking: the validator stake of an account.
interface IValidatorStake {
    function stakeOf(address account, bytes32 role) external view returns (uint256);
}

/// @notice What the registry needs from SubnetEmissions.
interface ISubnetEmissionsHook {
    function subnetCreated(uint256 netuid) external;
    function closeEpoch(uint256 netuid) external returns (uint256 pool);
}

/// @title SubnetRegistry
/// @notice Bittensor-style subnets on Hypha. An owner creates a subnet by locking HYP and fixing its
/// hyper-parameters (tempo, max UIDs, validator permits, immunity period, kappa, bonds penalty and moving average,
/// weights rate limit, commit-reveal interval, activity cutoff). Anyone registers a UID by burning HYP at a price
/// that follows demand; a full subnet replaces its lowest-scoring non-immune UID. Validators (UIDs with a permit)
/// commit salted weight hashes and reveal them later. Every `tempo` blocks anyone closes the epoch: the registry
/// freezes each UID's input (account, stake read from Staking, registration block, last update, commit block,
/// permit, hash of revealed weights) into one hash that SubnetEpochs's optimistic posts and challenges refer to,
/// takes the epoch's emission from SubnetEmissions and recomputes the validator permits.
///
/// Burn price rule (documented in docs/ARCHITECTURE.md): each registration multiplies the price by
/// `BURN_BUMP_BPS` / 10_000 (1.5×); between registrations it halves every `BURN_HALF_LIFE` blocks (integer halvings,
/// then linear inside the current half-life); it is always clamped to [minBurn, maxBurn]. Steady demand of one
/// registration per ~0.58 half-lives keeps it level; bursts make each next UID dearer, quiet periods make it cheap.
/// Burned HYP stays locked in this contract forever (HyphaToken has no burn): `burned` counts it.
contract SubnetRegistry is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Stake role whose Staking stake counts as validator stake.
    bytes32 public constant VALIDATOR = keccak256("VALIDATOR");
    /// @notice Stake unit of the epoch (subtensor's u64 smallest unit): 1e9 wei = 1 nano-HYP.
    uint256 public constant STAKE_UNIT = 1e9;
    /// @notice At most this many UIDs per subnet (bounds every loop over a subnet).
    uint16 public constant MAX_UIDS_LIMIT = 256;
    /// @notice At most this many validator permits per subnet.
    uint16 public constant MAX_VALIDATORS_LIMIT = 64;
    /// @notice Multiplier applied to the burn price by each registration, in basis points.
    uint256 public constant BURN_BUMP_BPS = 15_000;
    /// @notice Blocks over which the burn price halves without registrations.
    uint64 public constant BURN_HALF_LIFE = 360;
    /// @notice No UID's stake counts above this (nano-HYP), so a subnet's total stays below 2^63 (I64F64's range).
    uint64 public constant MAX_STAKE_PER_UID = uint64(type(int64).max) / MAX_UIDS_LIMIT;
    /// @notice Tempo bounds (blocks).
    uint64 public constant MIN_TEMPO = 2;
    uint64 public constant MAX_TEMPO = 50_400;

    /// @notice A subnet's hyper-parameters, fixed at creation (subtensor's names and units).
    struct Hyperparameters {
        uint64 tempo; // blocks per epoch
        uint16 maxUids; // UIDs before registration starts replacing
        uint16 maxValidators; // validator permits (top stake)
        uint64 immunityPeriod; // blocks a new UID cannot be replaced
        uint16 kappa; // consensus quantile, u16 proportion (32767 = 0.5)
        uint16 bondsPenalty; // β, u16 proportion (65535 = bonds clipped at consensus)
        uint64 bondsMovingAverage; // millionths; EMA coefficient 1 − it/1e6
        uint64 weightsRateLimit; // blocks between two commits of one UID
        uint64 commitRevealInterval; // blocks a commit stays hidden before it may be revealed
        uint64 activityCutoff; // blocks after the last commit a validator counts as active
        uint256 minBurn; // registration price floor (wei)
        uint256 maxBurn; // registration price ceiling (wei)
    }

    struct Subnet {
        address owner;
        uint256 locked;
        uint16 n; // UIDs so far (never shrinks: full subnets replace)
        uint64 epoch; // index of the next epoch to close
        uint64 lastEpochBlock; // block the last epoch closed at (creation block before the first)
        uint256 burnPrice; // price after the last registration
        uint64 lastRegistrationBlock;
    }

    struct Uid {
        address account;
        uint64 registeredAt;
        uint64 lastUpdate;
        uint64 commitBlock; // block of the commit the current weights came from (max: none)
        bool permit;
        bytes32 weightsHash;
        uint256 score; // emission claimed from the latest finalized epoch (the pruning score)
        uint64 scoreEpoch;
    }

    struct Commit {
        bytes32 hash;
        uint64 block;
    }

    /// @notice A closed epoch's frozen input.
    struct EpochSnapshot {
        bytes32 inputsHash; // keccak256(abi.encode(YumaColumn.UidInput[]))
        uint64 block; // the epoch's current block
        uint64 lastStepBlock; // the previous epoch's block (0 for the first)
        uint16 n;
        uint256 pool; // emission to distribute (wei), from SubnetEmissions
    }

    IERC20 public immutable hyp;
    IValidatorStake public immutable staking;
    /// @notice HYP an owner locks to create a subnet.
    uint256 public immutable subnetLock;
    address private immutable _deployer;
    ISubnetEmissionsHook public emissions;
    address public epochs;

    uint256 public subnetCount;
    /// @notice HYP burned by registrations (held here forever).
    uint256 public burned;
    /// @notice HYP locked by subnet owners.
    uint256 public totalLocked;

    mapping(uint256 netuid => Subnet) private _subnets;
    mapping(uint256 netuid => Hyperparameters) private _params;
    mapping(uint256 netuid => mapping(uint256 uid => Uid)) private _uids;
    mapping(uint256 netuid => mapping(address account => uint256 uidPlusOne)) private _uidOf;
    mapping(uint256 netuid => mapping(uint256 uid => Commit)) private _commits;
    mapping(uint256 netuid => mapping(uint256 epoch => EpochSnapshot)) private _snapshots;
    mapping(uint256 netuid => mapping(uint256 uid => Commit)) private _seedCommits;

    event Bound(address emissions, address epochs);
    event SubnetCreated(uint256 indexed netuid, address indexed owner, uint256 locked);
    event UidRegistered(uint256 indexed netuid, uint256 indexed uid, address indexed account, uint256 burn,
        address replaced);
    event WeightsCommitted(uint256 indexed netuid, uint256 indexed uid, bytes32 hash);
    event WeightsRevealed(uint256 indexed netuid, uint256 indexed uid, uint16[] uids, uint16[] values);
    event SeedCommitted(uint256 indexed netuid, uint256 indexed uid, bytes32 hash);
    event SeedRevealed(uint256 indexed netuid, uint256 indexed uid, bytes32 seed, uint64 commitBlock);
    event EpochClosed(uint256 indexed netuid, uint256 indexed epoch, bytes32 inputsHash, uint64 block, uint256 pool);
    /// @notice The frozen inputs of a closed epoch, in full (posters and challengers read them from here).
    event EpochInputs(uint256 indexed netuid, uint256 indexed epoch, bytes inputs); // abi.encode(UidInput[])
    event ScoreRecorded(uint256 indexed netuid, uint256 indexed uid, uint256 epoch, uint256 score);

    error NotDeployer(address caller);
    error AlreadyBound();
    error NotBound();
    error NotEpochs(address caller);
    error BadHyperparameter(string name, uint256 value);
    error UnknownSubnet(uint256 netuid);
    error AlreadyRegistered(uint256 netuid, address account, uint256 uid);
    error BurnAboveLimit(uint256 price, uint256 maxBurn);
    error SubnetFull(uint256 netuid);
    error NotRegistered(uint256 netuid, address account);
    error RateLimited(uint256 netuid, uint256 uid, uint64 nextBlock);
    error NoCommit(uint256 netuid, uint256 uid);
    error RevealTooEarly(uint64 fromBlock);
    error RevealExpired(uint64 untilBlock);
    error WrongReveal(bytes32 expected, bytes32 got);
    error NoPermit(uint256 netuid, uint256 uid);
    error BadWeights(string reason);
    error SeedPending(uint256 netuid, uint256 uid, uint64 replaceableFrom);
    error SeedRevealTooEarly(uint64 fromBlock);
    error EpochNotDue(uint256 netuid, uint64 dueBlock);
    error UnknownEpoch(uint256 netuid, uint256 epoch);

    /// @param hyp_ the HYP token (locks and burns)
    /// @param staking_ Staking, read for validator stake (role VALIDATOR)
    /// @param subnetLock_ HYP locked per subnet creation
    constructor(IERC20 hyp_, IValidatorStake staking_, uint256 subnetLock_) {
        hyp = hyp_;
        staking = staking_;
        subnetLock = subnetLock_;
        _deployer = msg.sender;
    }

    /// @notice Binds SubnetEmissions and SubnetEpochs (the deployer only, once).
    function bind(ISubnetEmissionsHook emissions_, address epochs_) external {
        if (msg.sender != _deployer) revert NotDeployer(msg.sender);
        if (address(emissions) != address(0)) revert AlreadyBound();
        if (address(emissions_) == address(0) || epochs_ == address(0)) revert NotBound();
        emissions = emissions_;
        epochs = epochs_;
        emit Bound(address(emissions_), epochs_);
    }

    // ---------------------------------------------------------------------------------------------
    // Subnets and UIDs
    // ---------------------------------------------------------------------------------------------

    /// @notice Creates a subnet owned by the caller, locking `subnetLock` HYP (approve first).
    /// @return netuid the new subnet's id (0, 1, ...)
    function createSubnet(Hyperparameters calldata p) external nonReentrant returns (uint256 netuid) {
        if (address(emissions) == address(0)) revert NotBound();
        _checkParams(p);
        netuid = subnetCount++;
        Subnet storage s = _subnets[netuid];
        s.owner = msg.sender;
        s.locked = subnetLock;
        s.lastEpochBlock = uint64(block.number);
        s.burnPrice = p.minBurn;
        s.lastRegistrationBlock = uint64(block.number);
        _params[netuid] = p;
        totalLocked += subnetLock;
        emissions.subnetCreated(netuid);
        hyp.safeTransferFrom(msg.sender, address(this), subnetLock);
        emit SubnetCreated(netuid, msg.sender, subnetLock);
    }

    function _checkParams(Hyperparameters calldata p) private pure {
        if (p.tempo < MIN_TEMPO || p.tempo > MAX_TEMPO) revert BadHyperparameter("tempo", p.tempo);
        if (p.maxUids == 0 || p.maxUids > MAX_UIDS_LIMIT) revert BadHyperparameter("maxUids", p.maxUids);
        if (p.maxValidators == 0 || p.maxValidators > MAX_VALIDATORS_LIMIT || p.maxValidators > p.maxUids) {
            revert BadHyperparameter("maxValidators", p.maxValidators);
        }
        if (p.bondsMovingAverage > 1_000_000) revert BadHyperparameter("bondsMovingAverage", p.bondsMovingAverage);
        if (p.commitRevealInterval == 0 || p.commitRevealInterval > p.tempo * 10) {
            revert BadHyperparameter("commitRevealInterval", p.commitRevealInterval);
        }
        if (p.immunityPeriod > 1_000_000) revert BadHyperparameter("immunityPeriod", p.immunityPeriod);
        if (p.weightsRateLimit > 1_000_000) revert BadHyperparameter("weightsRateLimit", p.weightsRateLimit);
        if (p.activityCutoff == 0 || p.activityCutoff > 1_000_000) {
            revert BadHyperparameter("activityCutoff", p.activityCutoff);
        }
        if (p.minBurn == 0 || p.maxBurn < p.minBurn || p.maxBurn > 1e27) revert BadHyperparameter("maxBurn", p.maxBurn);
    }

    /// @notice The burn price of a registration now (see the contract's doc for the rule).
    function burnPrice(uint256 netuid) public view returns (uint256) {
        Subnet storage s = _subnet(netuid);
        Hyperparameters storage p = _params[netuid];
        uint256 elapsed = block.number - s.lastRegistrationBlock;
        uint256 halvings = elapsed / BURN_HALF_LIFE;
        uint256 price = halvings >= 128 ? 0 : s.burnPrice >> halvings;
        // linear inside the current half-life: from price down to price/2
        price -= price * (elapsed % BURN_HALF_LIFE) / (2 * BURN_HALF_LIFE);
        if (price < p.minBurn) price = p.minBurn;
        if (price > p.maxBurn) price = p.maxBurn;
        return price;
    }

    /// @notice Registers the caller on a UID by burning the current price (approve first). A full subnet replaces
    /// its lowest-scoring non-immune UID (ties: the earliest registered, then the lowest UID).
    /// @param maxBurn the most the caller accepts to burn (the price moves with demand)
    /// @return uid the caller's UID
    function register(uint256 netuid, uint256 maxBurn) external nonReentrant returns (uint256 uid) {
        Subnet storage s = _subnet(netuid);
        Hyperparameters storage p = _params[netuid];
        uint256 existing = _uidOf[netuid][msg.sender];
        if (existing != 0) revert AlreadyRegistered(netuid, msg.sender, existing - 1);
        uint256 price = burnPrice(netuid);
        if (price > maxBurn) revert BurnAboveLimit(price, maxBurn);
        address replaced;
        if (s.n < p.maxUids) {
            uid = s.n++;
        } else {
            uid = _pruneCandidate(netuid, s.n, p.immunityPeriod);
            replaced = _uids[netuid][uid].account;
            delete _uidOf[netuid][replaced];
            delete _commits[netuid][uid];
            delete _seedCommits[netuid][uid];
        }
        _uids[netuid][uid] = Uid({
            account: msg.sender,
            registeredAt: uint64(block.number),
            lastUpdate: 0,
            commitBlock: type(uint64).max,
            permit: false,
            weightsHash: bytes32(0),
            score: 0,
            scoreEpoch: 0
        });
        _uidOf[netuid][msg.sender] = uid + 1;
        uint256 bumped = price * BURN_BUMP_BPS / 10_000;
        s.burnPrice = bumped > p.maxBurn ? p.maxBurn : bumped;
        s.lastRegistrationBlock = uint64(block.number);
        burned += price;
        hyp.safeTransferFrom(msg.sender, address(this), price);
        emit UidRegistered(netuid, uid, msg.sender, price, replaced);
    }

    /// @dev Lowest score among UIDs out of immunity; a score from an older epoch than the newest counts as 0.
    function _pruneCandidate(uint256 netuid, uint256 n, uint64 immunity) private view returns (uint256 best) {
        bool found;
        uint256 bestScore;
        uint64 bestRegistered;
        uint64 latest;
        for (uint256 i; i < n; ++i) {
            uint64 e = _uids[netuid][i].scoreEpoch;
            if (e > latest) latest = e;
        }
        for (uint256 i; i < n; ++i) {
            Uid storage u = _uids[netuid][i];
            if (uint256(u.registeredAt) + immunity > block.number) continue;
            uint256 score = u.scoreEpoch == latest ? u.score : 0;
            if (!found || score < bestScore || (score == bestScore && u.registeredAt < bestRegistered)) {
                found = true;
                best = i;
                bestScore = score;
                bestRegistered = u.registeredAt;
            }
        }
        if (!found) revert SubnetFull(netuid);
    }

    // ---------------------------------------------------------------------------------------------
    // Weights: commit, then reveal
    // ---------------------------------------------------------------------------------------------

    /// @notice The hash a validator commits: binds the subnet, the account, the weights and a secret salt.
    function weightsHash(uint256 netuid, address account, uint16[] calldata uids, uint16[] calldata values,
        bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(netuid, account, uids, values, salt));
    }

    /// @notice Commits hidden weights of the caller's UID; at most one pending commit, one per `weightsRateLimit`
    /// blocks. The UID counts as updated (active) from this block, as in subtensor.
    function commitWeights(uint256 netuid, bytes32 hash) external {
        uint256 uid = _callerUid(netuid);
        Hyperparameters storage p = _params[netuid];
        Uid storage u = _uids[netuid][uid];
        if (u.lastUpdate != 0 && block.number < uint256(u.lastUpdate) + p.weightsRateLimit) {
            revert RateLimited(netuid, uid, uint64(u.lastUpdate + p.weightsRateLimit));
        }
        _commits[netuid][uid] = Commit({hash: hash, block: uint64(block.number)});
        u.lastUpdate = uint64(block.number);
        emit WeightsCommitted(netuid, uid, hash);
    }

    /// @notice Reveals the caller's pending commit: allowed from `commitRevealInterval` blocks after the commit for
    /// one tempo. The caller needs a validator permit; UIDs strictly increasing and existing, values non-zero, not
    /// its own UID alone.
    function revealWeights(uint256 netuid, uint16[] calldata uids, uint16[] calldata values, bytes32 salt) external {
        uint256 uid = _callerUid(netuid);
        uint64 commitBlock = _openCommit(netuid, uid, weightsHash(netuid, msg.sender, uids, values, salt));
        Uid storage u = _uids[netuid][uid];
        if (!u.permit) revert NoPermit(netuid, uid);
        _checkWeights(uids, values, _subnets[netuid].n);
        delete _commits[netuid][uid];
        u.weightsHash = keccak256(abi.encode(uids, values));
        u.commitBlock = commitBlock;
        emit WeightsRevealed(netuid, uid, uids, values);
    }

    /// @notice The hash a validator commits before it evaluates miners: binds the subnet, the account and the seed
    /// its evaluation prompts are derived from (hypha-node `subnet.EvaluationSeed`).
    function seedHash(uint256 netuid, address account, bytes32 seed) public pure returns (bytes32) {
        return keccak256(abi.encode(netuid, account, seed));
    }

    /// @notice Commits the seed of the caller's next evaluation round, before any evaluation request is sent, so the
    /// validator cannot pick its prompts after seeing answers and miners cannot know them in advance. One pending
    /// commit; an unrevealed one can be replaced only a tempo after it was made (a validator that lost its seed is
    /// not stuck; every replaced commit stays visible in the events).
    function commitSeed(uint256 netuid, bytes32 hash) external {
        uint256 uid = _callerUid(netuid);
        Commit memory c = _seedCommits[netuid][uid];
        uint64 replaceableFrom = c.block + _params[netuid].tempo;
        if (c.hash != bytes32(0) && block.number < replaceableFrom) revert SeedPending(netuid, uid, replaceableFrom);
        _seedCommits[netuid][uid] = Commit({hash: hash, block: uint64(block.number)});
        emit SeedCommitted(netuid, uid, hash);
    }

    /// @notice Reveals the caller's pending seed (from the block after its commit), so anyone can re-derive the
    /// evaluation prompts the validator sent and audit its scores against the miners' signed receipts.
    function revealSeed(uint256 netuid, bytes32 seed) external {
        uint256 uid = _callerUid(netuid);
        Commit memory c = _seedCommits[netuid][uid];
        if (c.hash == bytes32(0)) revert NoCommit(netuid, uid);
        if (block.number <= c.block) revert SeedRevealTooEarly(c.block + 1);
        bytes32 got = seedHash(netuid, msg.sender, seed);
        if (got != c.hash) revert WrongReveal(c.hash, got);
        delete _seedCommits[netuid][uid];
        emit SeedRevealed(netuid, uid, seed, c.block);
    }

    /// @notice The caller-independent view of a UID's pending seed commit (zero hash: none).
    function getSeedCommit(uint256 netuid, uint256 uid) external view returns (Commit memory) {
        return _seedCommits[netuid][uid];
    }

    /// @dev The pending commit's block, once its reveal window is open and `got` matches it.
    function _openCommit(uint256 netuid, uint256 uid, bytes32 got) private view returns (uint64) {
        Commit memory c = _commits[netuid][uid];
        if (c.hash == bytes32(0)) revert NoCommit(netuid, uid);
        Hyperparameters storage p = _params[netuid];
        uint64 from = c.block + p.commitRevealInterval;
        if (block.number < from) revert RevealTooEarly(from);
        if (block.number > uint256(from) + p.tempo) revert RevealExpired(from + p.tempo);
        if (got != c.hash) revert WrongReveal(c.hash, got);
        return c.block;
    }

    function _checkWeights(uint16[] calldata uids, uint16[] calldata values, uint256 n) private pure {
        if (uids.length != values.length) revert BadWeights("uids and values differ in length");
        if (uids.length == 0) revert BadWeights("empty");
        for (uint256 k; k < uids.length; ++k) {
            if (uids[k] >= n) revert BadWeights("unknown uid");
            if (k > 0 && uids[k] <= uids[k - 1]) revert BadWeights("uids not strictly increasing");
            if (values[k] == 0) revert BadWeights("zero value");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Epochs
    // ---------------------------------------------------------------------------------------------

    /// @notice Closes the subnet's current epoch once `tempo` blocks have passed (anyone): freezes the inputs,
    /// takes the epoch's emission and recomputes validator permits for the next epoch (top `maxValidators` by stake).
    /// @return epoch the index of the epoch closed
    function closeEpoch(uint256 netuid) external nonReentrant returns (uint256 epoch) {
        Subnet storage s = _subnet(netuid);
        Hyperparameters storage p = _params[netuid];
        uint64 due = s.lastEpochBlock + uint64(p.tempo);
        if (block.number < due) revert EpochNotDue(netuid, due);
        YumaColumn.UidInput[] memory inputs = epochInputs(netuid);
        epoch = s.epoch++;
        uint64 lastStep = epoch == 0 ? 0 : s.lastEpochBlock;
        s.lastEpochBlock = uint64(block.number);
        bytes32 inputsHash = keccak256(abi.encode(inputs));
        uint256 pool = emissions.closeEpoch(netuid);
        _snapshots[netuid][epoch] = EpochSnapshot({
            inputsHash: inputsHash, block: uint64(block.number), lastStepBlock: lastStep, n: uint16(inputs.length),
            pool: pool
        });
        _updatePermits(netuid, inputs, p.maxValidators);
        emit EpochClosed(netuid, epoch, inputsHash, uint64(block.number), pool);
        emit EpochInputs(netuid, epoch, abi.encode(inputs));
    }

    /// @notice The inputs an epoch closed now would freeze (what a poster feeds the off-chain epoch).
    function epochInputs(uint256 netuid) public view returns (YumaColumn.UidInput[] memory inputs) {
        uint256 n = _subnet(netuid).n;
        inputs = new YumaColumn.UidInput[](n);
        for (uint256 i; i < n; ++i) {
            Uid storage u = _uids[netuid][i];
            uint256 st = staking.stakeOf(u.account, VALIDATOR) / STAKE_UNIT;
            inputs[i] = YumaColumn.UidInput({
                account: u.account,
                stake: st > MAX_STAKE_PER_UID ? MAX_STAKE_PER_UID : uint64(st),
                registeredAt: u.registeredAt,
                lastUpdate: u.lastUpdate,
                commitBlock: u.commitBlock,
                permit: u.permit,
                weightsHash: u.weightsHash
            });
        }
    }

    function _updatePermits(uint256 netuid, YumaColumn.UidInput[] memory inputs, uint16 k) private {
        uint256 n = inputs.length;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += inputs[i].stake;
        }
        int64[] memory shares = new int64[](n);
        for (uint256 i; i < n; ++i) {
            shares[i] = YumaFixed.stakeShare(inputs[i].stake, total); // as the epoch normalises, so ties match
        }
        bool[] memory permits = YumaColumn.isTopkNonzero(shares, k);
        for (uint256 i; i < n; ++i) {
            if (_uids[netuid][i].permit != permits[i]) _uids[netuid][i].permit = permits[i];
        }
    }

    /// @notice SubnetEpochs records the emission a UID claimed from a finalized epoch: its pruning score.
    function recordScore(uint256 netuid, uint256 uid, address account, uint256 epoch, uint256 score) external {
        if (msg.sender != epochs) revert NotEpochs(msg.sender);
        Uid storage u = _uids[netuid][uid];
        if (u.account != account) return; // the UID changed hands since that epoch
        if (epoch + 1 < u.scoreEpoch) return;
        u.score = score;
        u.scoreEpoch = uint64(epoch + 1);
        emit ScoreRecorded(netuid, uid, epoch, score);
    }

    // ---------------------------------------------------------------------------------------------
    // Reads
    // ---------------------------------------------------------------------------------------------

    function _subnet(uint256 netuid) private view returns (Subnet storage s) {
        s = _subnets[netuid];
        if (s.owner == address(0)) revert UnknownSubnet(netuid);
    }

    function _callerUid(uint256 netuid) private view returns (uint256) {
        _subnet(netuid);
        uint256 u = _uidOf[netuid][msg.sender];
        if (u == 0) revert NotRegistered(netuid, msg.sender);
        return u - 1;
    }

    function getSubnet(uint256 netuid) external view returns (Subnet memory) {
        return _subnet(netuid);
    }

    function getHyperparameters(uint256 netuid) external view returns (Hyperparameters memory) {
        _subnet(netuid);
        return _params[netuid];
    }

    function getUid(uint256 netuid, uint256 uid) external view returns (Uid memory) {
        return _uids[netuid][uid];
    }

    /// @notice The caller-facing UID lookup: (registered, uid).
    function uidOf(uint256 netuid, address account) external view returns (bool, uint256) {
        uint256 u = _uidOf[netuid][account];
        return (u != 0, u == 0 ? 0 : u - 1);
    }

    function getCommit(uint256 netuid, uint256 uid) external view returns (Commit memory) {
        return _commits[netuid][uid];
    }

    function getSnapshot(uint256 netuid, uint256 epoch) external view returns (EpochSnapshot memory snap) {
        snap = _snapshots[netuid][epoch];
        if (snap.block == 0) revert UnknownEpoch(netuid, epoch);
    }

    function subnetOwner(uint256 netuid) external view returns (address) {
        return _subnets[netuid].owner;
    }
}

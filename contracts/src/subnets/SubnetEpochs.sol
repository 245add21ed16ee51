// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SubnetRegistry} from "./SubnetRegistry.sol";
import {SubnetEmissions} from "./SubnetEmissions.sol";
import {YumaColumn} from "./YumaColumn.sol";
import {YumaFixed} from "./YumaFixed.sol";
import {YumaDividends} from "./YumaDividends.sol";

/// @title SubnetEpochs
/// @notice Optimistic Yuma epochs. After the registry closes an epoch, a poster bonds `postBond` HYP and posts one
/// leaf per UID (incentive, dividends, bonds and what checks them); the contract builds their Merkle root. During
/// `challengeBlocks` anyone may recompute one UID on chain (YumaColumn: consensus, rank, the new bonds column, and
/// through prefix sums carried in the leaves, incentive and both emissions) from the frozen inputs, the revealed
/// weights and the previous accepted epoch's bonds: any difference voids the post and pays its bond to the
/// challenger; a post that matches cannot be voided (the challenge reverts). Dividends need every column's bonds, so
/// each leaf j also carries the hash of the running vector R_j = R_{j−1} + B̂_·j · incentive_j (YumaDividends): the
/// column challenge of j checks that step, and `challengeDividends` of UID i recomputes normalize(R_{n−1} ⊙ active
/// stake)_i from leaf n−1's vector. After the window the post is final: the poster gets its bond back and each UID's
/// account pulls its emission with a Merkle proof.
contract SubnetEpochs is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Emission unit of the epoch computation (subtensor's u64 smallest unit): 1e9 wei.
    uint256 public constant EMISSION_UNIT = 1e9;

    /// @notice One UID's posted outputs (fixed-point values are I32F32 raw bits).
    struct Leaf {
        uint16 uid;
        address account;
        int64 consensus;
        int64 rank;
        int64 rankPrefix; // wrapping sum of rank over UIDs 0..uid
        int64 incentive;
        int64 dividends;
        int64 combinedPrefix; // wrapping sum of saturating(incentive + dividends) over UIDs 0..uid
        uint64 minerEmission; // EMISSION_UNITs
        uint64 validatorEmission; // EMISSION_UNITs
        bytes32 bondsHash; // keccak256(abi.encode(uint16[] newBondsOfEveryValidatorOnThisUid))
        bytes32 runningHash; // keccak256(abi.encode(int64[] R_uid)): every validator's dividend row sum over UIDs 0..uid
    }

    struct Post {
        address poster;
        uint64 postedAt;
        bool finalized;
        uint16 n;
        bytes32 root;
        uint64 emissionUnits; // the epoch's pool in EMISSION_UNITs
        uint64 claimedUnits;
    }

    /// @notice Everything a challenge of UID `uid` brings.
    struct Challenge {
        uint16 uid;
        YumaColumn.UidInput[] inputs; // the frozen inputs (hash checked)
        YumaColumn.WeightRow[] rows; // every UID's revealed weights (hashes checked; empty where none)
        Leaf leaf;
        bytes32[] proof;
        Leaf previous; // leaf uid-1 (ignored for uid 0)
        bytes32[] previousProof;
        Leaf last; // leaf n-1 (ignored when uid is n-1)
        bytes32[] lastProof;
        uint16[] previousBonds; // the previous accepted epoch's bonds column of uid (empty when none)
        Leaf previousEpochLeaf; // the previous accepted epoch's leaf of uid (ignored when there is none)
        bytes32[] previousEpochProof;
        int64[] runningBefore; // R_{uid−1}, the preimage of leaf uid−1's runningHash (ignored for uid 0)
    }

    /// @notice Everything a challenge of UID `uid`'s dividends brings.
    struct DividendsChallenge {
        uint16 uid;
        YumaColumn.UidInput[] inputs; // the frozen inputs (hash checked): they give every UID's active stake
        Leaf leaf;
        bytes32[] proof;
        Leaf last; // leaf n-1 (ignored when uid is n-1)
        bytes32[] lastProof;
        int64[] running; // R_{n−1}, the preimage of leaf n−1's runningHash
    }

    /// @notice Which output a successful challenge found wrong.
    enum Fault {
        Account,
        Consensus,
        Rank,
        RankPrefix,
        Incentive,
        CombinedPrefix,
        MinerEmission,
        ValidatorEmission,
        Bonds,
        Running, // the leaf's running dividends vector is not the previous one plus this column's step
        Dividends // the leaf's dividends are not normalize(R_{n−1} ⊙ active stake) at its UID
    }

    SubnetRegistry public immutable registry;
    SubnetEmissions public immutable emissions;
    IERC20 public immutable hyp;
    uint256 public immutable postBond;
    uint64 public immutable challengeBlocks;

    /// @notice Bonds held for open posts.
    uint256 public bondsHeld;
    mapping(uint256 netuid => uint256) public acceptedEpochs; // epochs 0..acceptedEpochs-1 are final
    mapping(uint256 netuid => mapping(uint256 epoch => Post)) private _posts;
    mapping(uint256 netuid => mapping(uint256 epoch => mapping(uint256 uid => bool))) public claimed;

    event Posted(uint256 indexed netuid, uint256 indexed epoch, address indexed poster, bytes32 root, uint256 n);
    event Challenged(uint256 indexed netuid, uint256 indexed epoch, uint256 indexed uid, address challenger,
        Fault fault, uint256 bond);
    event Finalized(uint256 indexed netuid, uint256 indexed epoch, bytes32 root);
    event Claimed(uint256 indexed netuid, uint256 indexed epoch, uint256 indexed uid, address account,
        uint256 amount);

    error WrongEpoch(uint256 netuid, uint256 epoch, uint256 expected);
    error AlreadyPosted(uint256 netuid, uint256 epoch, address poster);
    error LeafCount(uint256 got, uint256 expected);
    error LeafOutOfOrder(uint256 index, uint256 uid);
    error NoPost(uint256 netuid, uint256 epoch);
    error WindowClosed(uint64 closedAt);
    error WindowOpen(uint64 opensAt);
    error AlreadyFinal(uint256 netuid, uint256 epoch);
    error NotFinal(uint256 netuid, uint256 epoch);
    error InputsMismatch(bytes32 expected, bytes32 got);
    error RowMismatch(uint256 uid);
    error BadProof(string which);
    error PostIsCorrect(uint256 netuid, uint256 epoch, uint256 uid);
    error NotLeafAccount(address caller, address account);
    error AlreadyClaimed(uint256 netuid, uint256 epoch, uint256 uid);
    error PoolExceeded(uint256 requested, uint256 left);

    /// @param registry_ the subnets
    /// @param emissions_ the emission schedule that pays claims
    /// @param hyp_ token of posting bonds
    /// @param postBond_ HYP a poster bonds per post, paid to a successful challenger
    /// @param challengeBlocks_ blocks a post can be challenged
    constructor(SubnetRegistry registry_, SubnetEmissions emissions_, IERC20 hyp_, uint256 postBond_,
        uint64 challengeBlocks_) {
        registry = registry_;
        emissions = emissions_;
        hyp = hyp_;
        postBond = postBond_;
        challengeBlocks = challengeBlocks_;
    }

    // ---------------------------------------------------------------------------------------------
    // Post, challenge, finalize
    // ---------------------------------------------------------------------------------------------

    /// @notice Posts the result of a closed epoch, bonding `postBond` HYP (approve first). Epochs are accepted in
    /// order: only the epoch after the last final one can be posted, and only while no post of it is open.
    function post(uint256 netuid, uint256 epoch, Leaf[] calldata leaves) external nonReentrant returns (bytes32 root) {
        uint256 expected = acceptedEpochs[netuid];
        if (epoch != expected) revert WrongEpoch(netuid, epoch, expected);
        SubnetRegistry.EpochSnapshot memory snap = registry.getSnapshot(netuid, epoch);
        Post storage existing = _posts[netuid][epoch];
        if (existing.poster != address(0)) revert AlreadyPosted(netuid, epoch, existing.poster);
        if (leaves.length != snap.n) revert LeafCount(leaves.length, snap.n);
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            if (leaves[i].uid != i) revert LeafOutOfOrder(i, leaves[i].uid);
            hashes[i] = leafHash(leaves[i]);
        }
        root = merkleRoot(hashes);
        _posts[netuid][epoch] = Post({
            poster: msg.sender, postedAt: uint64(block.number), finalized: false, n: snap.n, root: root,
            emissionUnits: uint64(snap.pool / EMISSION_UNIT), claimedUnits: 0
        });
        bondsHeld += postBond;
        hyp.safeTransferFrom(msg.sender, address(this), postBond);
        emit Posted(netuid, epoch, msg.sender, root, leaves.length);
    }

    /// @notice Recomputes one UID of an open post; voids the post and pays its bond to the caller when any checked
    /// output differs. Reverts with PostIsCorrect when everything matches.
    /// @param data abi.encode(Challenge) (passed as bytes so clients need no nested-struct bindings)
    function challenge(uint256 netuid, uint256 epoch, bytes calldata data) external nonReentrant returns (Fault fault) {
        Challenge memory c = abi.decode(data, (Challenge));
        Post storage p = _posts[netuid][epoch];
        if (p.poster == address(0) || p.finalized) revert NoPost(netuid, epoch);
        uint64 closes = p.postedAt + challengeBlocks;
        if (block.number > closes) revert WindowClosed(closes);
        SubnetRegistry.EpochSnapshot memory snap = registry.getSnapshot(netuid, epoch);
        _checkInputs(c, snap);
        _checkLeaves(c, p);
        uint16[] memory previousBonds = _checkPreviousBonds(netuid, epoch, c);
        bool wrong;
        (wrong, fault) = _findFault(netuid, c, snap, p.emissionUnits, previousBonds);
        if (!wrong) revert PostIsCorrect(netuid, epoch, c.uid);
        _void(netuid, epoch, c.uid, fault);
    }

    /// @notice Recomputes one UID's dividends of an open post from the running vector of its last leaf and the frozen
    /// inputs' active stakes; voids the post and pays its bond to the caller when they differ. Reverts with
    /// PostIsCorrect when they match. (A wrong running vector is caught by the column challenge of the first UID
    /// whose step is wrong; until then its preimage is the honest one.)
    /// @param data abi.encode(DividendsChallenge)
    function challengeDividends(uint256 netuid, uint256 epoch, bytes calldata data)
        external nonReentrant returns (Fault fault)
    {
        DividendsChallenge memory c = abi.decode(data, (DividendsChallenge));
        Post storage p = _posts[netuid][epoch];
        if (p.poster == address(0) || p.finalized) revert NoPost(netuid, epoch);
        uint64 closes = p.postedAt + challengeBlocks;
        if (block.number > closes) revert WindowClosed(closes);
        SubnetRegistry.EpochSnapshot memory snap = registry.getSnapshot(netuid, epoch);
        _checkInputsHash(c.inputs, snap);
        uint256 n = p.n;
        if (c.uid >= n) revert BadProof("uid");
        if (!verify(p.root, leafHash(c.leaf), c.uid, n, c.proof) || c.leaf.uid != c.uid) revert BadProof("leaf");
        Leaf memory last = c.leaf;
        if (c.uid + 1 < n) {
            if (!verify(p.root, leafHash(c.last), n - 1, n, c.lastProof) || c.last.uid != n - 1) revert BadProof("last");
            last = c.last;
        }
        if (c.running.length != n || YumaDividends.hashOf(c.running) != last.runningHash) revert BadProof("running");
        int64[] memory active = YumaColumn.activeStakes(c.inputs, _params(netuid, snap));
        if (YumaDividends.dividendOf(c.running, active, c.uid) == c.leaf.dividends) {
            revert PostIsCorrect(netuid, epoch, c.uid);
        }
        fault = Fault.Dividends;
        _void(netuid, epoch, c.uid, fault);
    }

    /// @dev The poster's bond goes to the challenger; the epoch can be posted again.
    function _void(uint256 netuid, uint256 epoch, uint256 uid, Fault fault) private {
        delete _posts[netuid][epoch];
        bondsHeld -= postBond;
        hyp.safeTransfer(msg.sender, postBond);
        emit Challenged(netuid, epoch, uid, msg.sender, fault, postBond);
    }

    function _checkInputsHash(YumaColumn.UidInput[] memory inputs, SubnetRegistry.EpochSnapshot memory snap)
        private pure
    {
        bytes32 got = keccak256(abi.encode(inputs));
        if (got != snap.inputsHash) revert InputsMismatch(snap.inputsHash, got);
    }

    function _checkInputs(Challenge memory c, SubnetRegistry.EpochSnapshot memory snap) private pure {
        _checkInputsHash(c.inputs, snap);
        if (c.rows.length != c.inputs.length) revert RowMismatch(c.rows.length);
        for (uint256 i; i < c.rows.length; ++i) {
            bytes32 h = c.inputs[i].weightsHash;
            YumaColumn.WeightRow memory row = c.rows[i];
            if (h == bytes32(0)) {
                if (row.uids.length != 0) revert RowMismatch(i);
            } else if (keccak256(abi.encode(row.uids, row.values)) != h) {
                revert RowMismatch(i);
            }
        }
    }

    function _checkLeaves(Challenge memory c, Post storage p) private view {
        uint256 n = p.n;
        if (c.uid >= n) revert BadProof("uid");
        if (!verify(p.root, leafHash(c.leaf), c.uid, n, c.proof) || c.leaf.uid != c.uid) revert BadProof("leaf");
        if (c.uid > 0 && (!verify(p.root, leafHash(c.previous), c.uid - 1, n, c.previousProof)
                || c.previous.uid != c.uid - 1)) revert BadProof("previous");
        if (c.uid + 1 < n && (!verify(p.root, leafHash(c.last), n - 1, n, c.lastProof) || c.last.uid != n - 1)) {
            revert BadProof("last");
        }
    }

    /// @dev The previous accepted epoch's bonds column of the UID (none for the first epoch or a new UID).
    function _checkPreviousBonds(uint256 netuid, uint256 epoch, Challenge memory c)
        private view returns (uint16[] memory)
    {
        if (epoch == 0) return new uint16[](0);
        Post storage prev = _posts[netuid][epoch - 1];
        if (c.uid >= prev.n) return new uint16[](0);
        if (!verify(prev.root, leafHash(c.previousEpochLeaf), c.uid, prev.n, c.previousEpochProof)
            || c.previousEpochLeaf.uid != c.uid) revert BadProof("previous epoch leaf");
        if (keccak256(abi.encode(c.previousBonds)) != c.previousEpochLeaf.bondsHash) {
            revert BadProof("previous bonds");
        }
        return c.previousBonds;
    }

    function _findFault(
        uint256 netuid,
        Challenge memory c,
        SubnetRegistry.EpochSnapshot memory snap,
        uint64 emissionUnits,
        uint16[] memory previousBonds
    ) private view returns (bool, Fault) {
        if (c.leaf.account != c.inputs[c.uid].account) return (true, Fault.Account);
        YumaColumn.Column memory col =
            YumaColumn.compute(c.inputs, c.rows, _params(netuid, snap), c.uid, previousBonds);
        if (c.leaf.consensus != col.consensus) return (true, Fault.Consensus);
        if (c.leaf.rank != col.rank) return (true, Fault.Rank);
        (bool wrong, Fault fault) = _checkSums(c, snap.n);
        if (wrong) return (true, fault);
        (wrong, fault) = _checkEmissions(c, snap.n, emissionUnits, col);
        if (wrong) return (true, fault);
        if (c.leaf.bondsHash != keccak256(abi.encode(col.bonds))) return (true, Fault.Bonds);
        if (_runningIsWrong(c, snap.n, col.ema)) return (true, Fault.Running);
        return (false, Fault.Account);
    }

    /// @dev R_uid = R_{uid−1} + this column's step. R_{uid−1} is opened against leaf uid−1 only here, after every
    /// other check passed: a challenger can always open the honest prefix of the chain, and a fault found earlier
    /// needs no preimage (so the first wrong step is challengeable even when later vectors are made up).
    function _runningIsWrong(Challenge memory c, uint256 n, int64[] memory ema) private pure returns (bool) {
        int64[] memory before = new int64[](n);
        if (c.uid > 0) {
            if (c.runningBefore.length != n || YumaDividends.hashOf(c.runningBefore) != c.previous.runningHash) {
                revert BadProof("running before");
            }
            before = c.runningBefore;
        }
        return YumaDividends.hashOf(YumaDividends.step(before, ema, c.leaf.incentive)) != c.leaf.runningHash;
    }

    /// @dev The prefix sums step by one leaf, and incentive is rank over the last prefix (the sum of all ranks).
    function _checkSums(Challenge memory c, uint256 n) private pure returns (bool, Fault) {
        Leaf memory leaf = c.leaf;
        int64 rankBefore = c.uid == 0 ? int64(0) : c.previous.rankPrefix;
        if (leaf.rankPrefix != YumaFixed.wrapAdd(rankBefore, leaf.rank)) return (true, Fault.RankPrefix);
        int64 rankSum = c.uid + 1 == n ? leaf.rankPrefix : c.last.rankPrefix;
        if (leaf.incentive != (rankSum == 0 ? leaf.rank : YumaFixed.safeDiv(leaf.rank, rankSum))) {
            return (true, Fault.Incentive);
        }
        int64 combinedBefore = c.uid == 0 ? int64(0) : c.previous.combinedPrefix;
        int64 combined = YumaFixed.satAdd(leaf.incentive, leaf.dividends);
        if (leaf.combinedPrefix != YumaFixed.wrapAdd(combinedBefore, combined)) return (true, Fault.CombinedPrefix);
        return (false, Fault.Account);
    }

    /// @dev Both emissions are the leaf's shares of the epoch's pool (paid by stake when nothing was earned).
    function _checkEmissions(Challenge memory c, uint256 n, uint64 emissionUnits, YumaColumn.Column memory col)
        private pure returns (bool, Fault)
    {
        Leaf memory leaf = c.leaf;
        int64 emissionSum = c.uid + 1 == n ? leaf.combinedPrefix : c.last.combinedPrefix;
        int64 serverShare = emissionSum == 0 ? leaf.incentive : YumaFixed.safeDiv(leaf.incentive, emissionSum);
        if (leaf.minerEmission != YumaFixed.shareOf(serverShare, emissionUnits)) return (true, Fault.MinerEmission);
        int64 validatorShare = emissionSum == 0
            ? (col.activeStakeIsZero ? col.stake : col.activeStake)
            : YumaFixed.safeDiv(leaf.dividends, emissionSum);
        if (leaf.validatorEmission != YumaFixed.shareOf(validatorShare, emissionUnits)) {
            return (true, Fault.ValidatorEmission);
        }
        return (false, Fault.Account);
    }

    function _params(uint256 netuid, SubnetRegistry.EpochSnapshot memory snap)
        private view returns (YumaColumn.Params memory)
    {
        SubnetRegistry.Hyperparameters memory h = registry.getHyperparameters(netuid);
        return YumaColumn.Params({
            kappa: h.kappa,
            bondsPenalty: h.bondsPenalty,
            bondsMovingAverage: h.bondsMovingAverage,
            maxValidators: h.maxValidators,
            activityCutoff: h.activityCutoff,
            tempo: h.tempo,
            currentBlock: snap.block,
            lastStepBlock: snap.lastStepBlock
        });
    }

    /// @notice Makes an unchallenged post final once its window has passed (anyone); the poster's bond goes back.
    function finalize(uint256 netuid, uint256 epoch) external nonReentrant {
        Post storage p = _posts[netuid][epoch];
        if (p.poster == address(0)) revert NoPost(netuid, epoch);
        if (p.finalized) revert AlreadyFinal(netuid, epoch);
        uint64 opens = p.postedAt + challengeBlocks + 1;
        if (block.number < opens) revert WindowOpen(opens);
        p.finalized = true;
        acceptedEpochs[netuid] = epoch + 1;
        bondsHeld -= postBond;
        hyp.safeTransfer(p.poster, postBond);
        emit Finalized(netuid, epoch, p.root);
    }

    // ---------------------------------------------------------------------------------------------
    // Claims
    // ---------------------------------------------------------------------------------------------

    /// @notice The UID's account pulls its miner and validator emission of a final epoch (minted to it).
    function claim(uint256 netuid, uint256 epoch, Leaf calldata leaf, bytes32[] calldata proof)
        external nonReentrant returns (uint256 amount)
    {
        Post storage p = _posts[netuid][epoch];
        if (!p.finalized) revert NotFinal(netuid, epoch);
        if (msg.sender != leaf.account) revert NotLeafAccount(msg.sender, leaf.account);
        if (leaf.uid >= p.n || !verify(p.root, leafHash(leaf), leaf.uid, p.n, proof)) revert BadProof("leaf");
        if (claimed[netuid][epoch][leaf.uid]) revert AlreadyClaimed(netuid, epoch, leaf.uid);
        uint256 units = uint256(leaf.minerEmission) + leaf.validatorEmission;
        uint256 left = p.emissionUnits - p.claimedUnits;
        if (units > left) revert PoolExceeded(units, left);
        claimed[netuid][epoch][leaf.uid] = true;
        p.claimedUnits += uint64(units);
        amount = units * EMISSION_UNIT;
        registry.recordScore(netuid, leaf.uid, leaf.account, epoch, amount);
        if (amount > 0) emissions.payEpoch(leaf.account, amount);
        emit Claimed(netuid, epoch, leaf.uid, leaf.account, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Merkle tree (position-bound: leaf i sits at index i of a 2^depth tree padded with zero hashes)
    // ---------------------------------------------------------------------------------------------

    /// @notice The hash of one leaf (double keccak, so it can never equal an inner node).
    function leafHash(Leaf memory leaf) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(leaf))));
    }

    /// @notice Depth of the tree over `n` leaves: the smallest d with 2^d ≥ n.
    function depthOf(uint256 n) public pure returns (uint256 d) {
        while ((uint256(1) << d) < n) ++d;
    }

    /// @notice The root over `hashes` (inner node = keccak256(left ‖ right); missing leaves are zero).
    function merkleRoot(bytes32[] memory hashes) public pure returns (bytes32) {
        uint256 n = hashes.length;
        if (n == 0) return bytes32(0);
        uint256 width = uint256(1) << depthOf(n);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i; i < n; ++i) {
            level[i] = hashes[i];
        }
        while (width > 1) {
            width >>= 1;
            for (uint256 i; i < width; ++i) {
                level[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            }
        }
        return level[0];
    }

    /// @notice Whether `leaf` sits at `index` of the tree over `n` leaves with root `root`.
    function verify(bytes32 root, bytes32 leaf, uint256 index, uint256 n, bytes32[] memory proof)
        public pure returns (bool)
    {
        if (index >= n || proof.length != depthOf(n)) return false;
        bytes32 node = leaf;
        for (uint256 k; k < proof.length; ++k) {
            node = (index & 1) == 0
                ? keccak256(abi.encodePacked(node, proof[k]))
                : keccak256(abi.encodePacked(proof[k], node));
            index >>= 1;
        }
        return node == root;
    }

    // ---------------------------------------------------------------------------------------------
    // Reads
    // ---------------------------------------------------------------------------------------------

    function getPost(uint256 netuid, uint256 epoch) external view returns (Post memory) {
        return _posts[netuid][epoch];
    }
}

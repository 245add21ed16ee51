// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./HyphaTest.sol";
import {HyphaToken} from "../../src/HyphaToken.sol";
import {Staking} from "../../src/Staking.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SubnetRegistry, IValidatorStake, ISubnetEmissionsHook} from "../../src/subnets/SubnetRegistry.sol";
import {SubnetEmissions, IHypMinter, ISubnetRegistryView} from "../../src/subnets/SubnetEmissions.sol";
import {SubnetEpochs} from "../../src/subnets/SubnetEpochs.sol";
import {YumaColumn} from "../../src/subnets/YumaColumn.sol";
import {YumaFixed} from "../../src/subnets/YumaFixed.sol";
import {YumaDividends} from "../../src/subnets/YumaDividends.sol";

/// @notice Exposes YumaColumn.compute (it reads calldata) so tests can build posts from memory.
contract YumaColumnHarness {
    function compute(
        YumaColumn.UidInput[] memory inputs,
        YumaColumn.WeightRow[] memory rows,
        YumaColumn.Params memory p,
        uint256 j,
        uint16[] memory previousBonds
    ) external pure returns (YumaColumn.Column memory) {
        return YumaColumn.compute(inputs, rows, p, j, previousBonds);
    }

    function activeStakes(YumaColumn.UidInput[] memory inputs, YumaColumn.Params memory p)
        external pure returns (int64[] memory)
    {
        return YumaColumn.activeStakes(inputs, p);
    }

    function step(int64[] memory before, int64[] memory ema, int64 incentive) external pure returns (int64[] memory) {
        return YumaDividends.step(before, ema, incentive);
    }

    function dividendOf(int64[] memory running, int64[] memory active, uint256 i) external pure returns (int64) {
        return YumaDividends.dividendOf(running, active, i);
    }
}

/// @notice A deployed subnet stack (HYP, Staking, SubnetRegistry, SubnetEmissions, SubnetEpochs) and helpers that
/// drive a subnet through registration, weights and epochs, and build posts the way an honest poster does: every
/// output from YumaColumn and YumaDividends (the running dividend vectors step by step, then dividends from the last),
/// prefix sums and emissions exactly as the challenges recompute them.
contract SubnetStack is HyphaTest {
    uint256 public constant POST_BOND = 10 ether;
    uint64 public constant CHALLENGE_BLOCKS = 5;
    uint256 public constant RATE = 1 ether;
    uint64 public constant HALVING = 1_000;
    uint256 public constant LOCK = 100 ether;

    HyphaToken public hyp;
    Staking public staking;
    SubnetRegistry public registry;
    SubnetEmissions public emissions;
    SubnetEpochs public epochs;
    YumaColumnHarness public harness;

    /// @dev Per (netuid, epoch): the frozen inputs, every UID's revealed row, and the honest bonds columns.
    mapping(uint256 => mapping(uint256 => bytes)) internal _inputs;
    mapping(uint256 => mapping(uint256 => mapping(uint256 => bytes))) internal _bondsColumn;
    mapping(uint256 => mapping(uint256 => bytes)) internal _rows; // uid => abi.encode(uids, values) as revealed
    /// @dev Per (netuid, epoch, uid): abi.encode(int64[] R_uid) of the honest post.
    mapping(uint256 => mapping(uint256 => mapping(uint256 => bytes))) internal _running;

    constructor() {
        hyp = new HyphaToken(address(this), 0, 1e12 ether, address(this), 1e9 ether);
        staking = new Staking(hyp, address(this), 0, 1 days, address(this));
        registry = new SubnetRegistry(IERC20(address(hyp)), IValidatorStake(address(staking)), LOCK);
        emissions = new SubnetEmissions(IHypMinter(address(hyp)), ISubnetRegistryView(address(registry)), RATE, HALVING,
            address(this), 0, 0);
        epochs = new SubnetEpochs(registry, emissions, IERC20(address(hyp)), POST_BOND, CHALLENGE_BLOCKS);
        registry.bind(ISubnetEmissionsHook(address(emissions)), address(epochs));
        hyp.grantRole(hyp.MINTER_ROLE(), address(emissions));
        harness = new YumaColumnHarness();
    }

    /// @dev Gives `recipient` (EmissionAuction) `bps` of every block's emission from now on: the stack deployed
    /// SubnetEmissions and is its governance.
    function enableApps(address recipient, uint16 bps) public {
        emissions.setAppShare(bps);
        emissions.bindApps(recipient);
    }

    /// @dev Governance changes the app share.
    function setAppShare(uint16 bps) public {
        emissions.setAppShare(bps);
    }

    function defaultParams() public pure returns (SubnetRegistry.Hyperparameters memory) {
        return SubnetRegistry.Hyperparameters({
            tempo: 10, maxUids: 8, maxValidators: 4, immunityPeriod: 5, kappa: 32_767, bondsPenalty: 65_535,
            bondsMovingAverage: 900_000, weightsRateLimit: 1, commitRevealInterval: 2, activityCutoff: 1_000,
            minBurn: 1 ether, maxBurn: 100 ether
        });
    }

    /// @dev Gives `who` HYP and approvals on every subnet contract.
    function fund(address who, uint256 amount) public {
        vm.assertTrue(hyp.transfer(who, amount));
        vm.startPrank(who);
        hyp.approve(address(registry), type(uint256).max);
        hyp.approve(address(staking), type(uint256).max);
        hyp.approve(address(epochs), type(uint256).max);
        vm.stopPrank();
    }

    function createSubnet(address owner, SubnetRegistry.Hyperparameters memory p) public returns (uint256 netuid) {
        fund(owner, LOCK);
        vm.prank(owner);
        netuid = registry.createSubnet(p);
    }

    function register(uint256 netuid, address who) public returns (uint256 uid) {
        fund(who, 1_000 ether);
        vm.prank(who);
        uid = registry.register(netuid, type(uint256).max);
    }

    function stakeValidator(address who, uint256 amount) public {
        fund(who, amount);
        vm.prank(who);
        staking.stake(keccak256("VALIDATOR"), amount);
    }

    /// @dev Rolls to the epoch's due block and closes it, remembering its frozen inputs.
    function closeEpoch(uint256 netuid) public returns (uint256 epoch) {
        SubnetRegistry.Subnet memory s = registry.getSubnet(netuid);
        uint64 due = s.lastEpochBlock + registry.getHyperparameters(netuid).tempo;
        if (block.number < due) vm.roll(due);
        YumaColumn.UidInput[] memory inputs = registry.epochInputs(netuid);
        epoch = registry.closeEpoch(netuid);
        _inputs[netuid][epoch] = abi.encode(inputs);
    }

    /// @dev `who` commits and, after the interval, reveals these weights.
    function setWeights(uint256 netuid, address who, uint16[] memory uids, uint16[] memory values) public {
        bytes32 salt = keccak256(abi.encode(who, block.number));
        bytes32 h = keccak256(abi.encode(netuid, who, uids, values, salt));
        vm.prank(who);
        registry.commitWeights(netuid, h);
        vm.roll(block.number + registry.getHyperparameters(netuid).commitRevealInterval);
        vm.prank(who);
        registry.revealWeights(netuid, uids, values, salt);
        (, uint256 uid) = registry.uidOf(netuid, who);
        _rows[netuid][uid] = abi.encode(uids, values);
    }

    function inputsOf(uint256 netuid, uint256 epoch) public view returns (YumaColumn.UidInput[] memory) {
        return abi.decode(_inputs[netuid][epoch], (YumaColumn.UidInput[]));
    }

    /// @dev Every UID's current revealed weights (as the challenge wants them: empty where none).
    function rowsOf(uint256 netuid, YumaColumn.UidInput[] memory inputs)
        public view returns (YumaColumn.WeightRow[] memory rows)
    {
        rows = new YumaColumn.WeightRow[](inputs.length);
        for (uint256 i; i < inputs.length; ++i) {
            bytes memory enc = _rows[netuid][i];
            if (inputs[i].weightsHash == bytes32(0) || enc.length == 0) continue;
            (rows[i].uids, rows[i].values) = abi.decode(enc, (uint16[], uint16[]));
            if (keccak256(enc) != inputs[i].weightsHash) { // the UID changed hands: its old row is gone
                rows[i].uids = new uint16[](0);
                rows[i].values = new uint16[](0);
            }
        }
    }

    function paramsOf(uint256 netuid, uint256 epoch) public view returns (YumaColumn.Params memory) {
        SubnetRegistry.Hyperparameters memory h = registry.getHyperparameters(netuid);
        SubnetRegistry.EpochSnapshot memory snap = registry.getSnapshot(netuid, epoch);
        return YumaColumn.Params({
            kappa: h.kappa, bondsPenalty: h.bondsPenalty, bondsMovingAverage: h.bondsMovingAverage,
            maxValidators: h.maxValidators, activityCutoff: h.activityCutoff, tempo: h.tempo,
            currentBlock: snap.block, lastStepBlock: snap.lastStepBlock
        });
    }

    /// @dev The previous accepted epoch's bonds column of `uid` (empty for epoch 0 or a UID that did not exist).
    function previousBonds(uint256 netuid, uint256 epoch, uint256 uid) public view returns (uint16[] memory) {
        if (epoch == 0) return new uint16[](0);
        bytes memory enc = _bondsColumn[netuid][epoch - 1][uid];
        if (enc.length == 0) return new uint16[](0);
        return abi.decode(enc, (uint16[]));
    }

    /// @dev The honest post of a closed epoch.
    function honestLeaves(uint256 netuid, uint256 epoch) public returns (SubnetEpochs.Leaf[] memory leaves) {
        YumaColumn.Column[] memory cols = _columns(netuid, epoch);
        YumaColumn.UidInput[] memory inputs = inputsOf(netuid, epoch);
        uint256 n = cols.length;
        leaves = new SubnetEpochs.Leaf[](n);
        int64 rankPrefix;
        for (uint256 j; j < n; ++j) {
            rankPrefix = YumaFixed.wrapAdd(rankPrefix, cols[j].rank);
            leaves[j].uid = uint16(j);
            leaves[j].account = inputs[j].account;
            leaves[j].consensus = cols[j].consensus;
            leaves[j].rank = cols[j].rank;
            leaves[j].rankPrefix = rankPrefix;
            leaves[j].bondsHash = keccak256(abi.encode(cols[j].bonds));
        }
        int64[] memory running = new int64[](n);
        for (uint256 j; j < n; ++j) {
            leaves[j].incentive = rankPrefix == 0 ? leaves[j].rank : YumaFixed.safeDiv(leaves[j].rank, rankPrefix);
            running = harness.step(running, cols[j].ema, leaves[j].incentive);
            _running[netuid][epoch][j] = abi.encode(running);
            leaves[j].runningHash = keccak256(abi.encode(running));
        }
        int64[] memory dividends = _dividends(running, harness.activeStakes(inputs, paramsOf(netuid, epoch)));
        int64 combinedPrefix;
        for (uint256 j; j < n; ++j) {
            leaves[j].dividends = dividends[j];
            combinedPrefix = YumaFixed.wrapAdd(combinedPrefix, YumaFixed.satAdd(leaves[j].incentive, dividends[j]));
            leaves[j].combinedPrefix = combinedPrefix;
        }
        _emissions(leaves, cols, uint64(registry.getSnapshot(netuid, epoch).pool / 1e9));
    }

    function _columns(uint256 netuid, uint256 epoch) internal returns (YumaColumn.Column[] memory cols) {
        YumaColumn.UidInput[] memory inputs = inputsOf(netuid, epoch);
        YumaColumn.WeightRow[] memory rows = rowsOf(netuid, inputs);
        YumaColumn.Params memory p = paramsOf(netuid, epoch);
        cols = new YumaColumn.Column[](inputs.length);
        for (uint256 j; j < inputs.length; ++j) {
            cols[j] = harness.compute(inputs, rows, p, j, previousBonds(netuid, epoch, j));
            _bondsColumn[netuid][epoch][j] = abi.encode(cols[j].bonds);
        }
    }

    function _emissions(SubnetEpochs.Leaf[] memory leaves, YumaColumn.Column[] memory cols, uint64 units)
        internal pure
    {
        uint256 n = leaves.length;
        int64 sum = n == 0 ? int64(0) : leaves[n - 1].combinedPrefix;
        for (uint256 j; j < n; ++j) {
            int64 server = sum == 0 ? leaves[j].incentive : YumaFixed.safeDiv(leaves[j].incentive, sum);
            int64 validator = sum == 0
                ? (cols[j].activeStakeIsZero ? cols[j].stake : cols[j].activeStake)
                : YumaFixed.safeDiv(leaves[j].dividends, sum);
            leaves[j].minerEmission = YumaFixed.shareOf(server, units);
            leaves[j].validatorEmission = YumaFixed.shareOf(validator, units);
        }
    }

    function _dividends(int64[] memory running, int64[] memory active) internal view returns (int64[] memory d) {
        d = new int64[](running.length);
        for (uint256 i; i < running.length; ++i) {
            d[i] = harness.dividendOf(running, active, i);
        }
    }

    /// @dev R_uid of the honest post of (netuid, epoch) (honestLeaves must have run); the zero vector before UID 0.
    function runningOf(uint256 netuid, uint256 epoch, uint256 uid) public view returns (int64[] memory) {
        return abi.decode(_running[netuid][epoch][uid], (int64[]));
    }

    /// @dev Everything a dividends challenge of `uid` needs against the posted `leaves` (R_{n−1} of the honest post).
    function dividendsChallengeOf(uint256 netuid, uint256 epoch, SubnetEpochs.Leaf[] memory leaves, uint256 uid)
        public view returns (SubnetEpochs.DividendsChallenge memory c)
    {
        uint256 n = leaves.length;
        c.uid = uint16(uid);
        c.inputs = inputsOf(netuid, epoch);
        c.leaf = leaves[uid];
        c.proof = proofOf(leaves, uid);
        if (uid + 1 < n) {
            c.last = leaves[n - 1];
            c.lastProof = proofOf(leaves, n - 1);
        }
        c.running = runningOf(netuid, epoch, n - 1);
    }

    function hashes(SubnetEpochs.Leaf[] memory leaves) public view returns (bytes32[] memory h) {
        h = new bytes32[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            h[i] = epochs.leafHash(leaves[i]);
        }
    }

    /// @dev The position-bound proof of leaf `index` (siblings bottom-up, zero-padded to a power of two).
    function proofOf(SubnetEpochs.Leaf[] memory leaves, uint256 index) public view returns (bytes32[] memory proof) {
        uint256 depth = epochs.depthOf(leaves.length);
        uint256 width = uint256(1) << depth;
        bytes32[] memory level = new bytes32[](width);
        bytes32[] memory h = hashes(leaves);
        for (uint256 i; i < h.length; ++i) {
            level[i] = h[i];
        }
        proof = new bytes32[](depth);
        for (uint256 d; d < depth; ++d) {
            proof[d] = level[index ^ 1];
            width >>= 1;
            for (uint256 i; i < width; ++i) {
                level[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            }
            index >>= 1;
        }
    }

    /// @dev Everything a challenge of `uid` needs against the posted `leaves`.
    function challengeOf(uint256 netuid, uint256 epoch, SubnetEpochs.Leaf[] memory leaves, uint256 uid)
        public view returns (SubnetEpochs.Challenge memory c)
    {
        YumaColumn.UidInput[] memory inputs = inputsOf(netuid, epoch);
        c.uid = uint16(uid);
        c.inputs = inputs;
        c.rows = rowsOf(netuid, inputs);
        c.leaf = leaves[uid];
        c.proof = proofOf(leaves, uid);
        if (uid > 0) {
            c.previous = leaves[uid - 1];
            c.previousProof = proofOf(leaves, uid - 1);
        }
        if (uid + 1 < leaves.length) {
            c.last = leaves[leaves.length - 1];
            c.lastProof = proofOf(leaves, leaves.length - 1);
        }
        c.previousBonds = previousBonds(netuid, epoch, uid);
        if (uid > 0) c.runningBefore = runningOf(netuid, epoch, uid - 1);
        if (epoch > 0 && c.previousBonds.length > 0) {
            SubnetEpochs.Leaf[] memory prev = _acceptedLeaves[netuid][epoch - 1];
            c.previousEpochLeaf = prev[uid];
            c.previousEpochProof = proofOf(prev, uid);
        }
    }

    mapping(uint256 => mapping(uint256 => SubnetEpochs.Leaf[])) internal _acceptedLeaves;

    /// @dev Remembers the leaves of a post that became final (the next epoch's challenges prove against them).
    function remember(uint256 netuid, uint256 epoch, SubnetEpochs.Leaf[] memory leaves) public {
        delete _acceptedLeaves[netuid][epoch];
        for (uint256 i; i < leaves.length; ++i) {
            _acceptedLeaves[netuid][epoch].push(leaves[i]);
        }
    }

    function acceptedLeaves(uint256 netuid, uint256 epoch) public view returns (SubnetEpochs.Leaf[] memory) {
        return _acceptedLeaves[netuid][epoch];
    }

    /// @dev Posts `leaves` as `poster`, rolls past the window and finalizes.
    function postAndFinalize(uint256 netuid, uint256 epoch, SubnetEpochs.Leaf[] memory leaves, address poster) public {
        fund(poster, POST_BOND);
        vm.prank(poster);
        epochs.post(netuid, epoch, leaves);
        vm.roll(block.number + CHALLENGE_BLOCKS + 1);
        epochs.finalize(netuid, epoch);
        remember(netuid, epoch, leaves);
    }
}

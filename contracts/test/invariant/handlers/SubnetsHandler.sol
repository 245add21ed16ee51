// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {SubnetStack} from "../../utils/SubnetFixture.sol";
import {SubnetEpochs} from "../../../src/subnets/SubnetEpochs.sol";
import {SubnetEmissions} from "../../../src/subnets/SubnetEmissions.sol";

/// @notice Drives one subnet through random weights, epochs posted honestly or wrongly (then challenged), finalized
/// posts, claims by every UID and owner claims, with time moving in between. Checks each step on the spot (a wrong
/// post must lose, an honest one must never) and counts what the invariants compare.
contract SubnetsHandler is HyphaTest {
    SubnetStack public immutable s;
    SubnetEpochs public immutable epochs;
    uint256 public immutable netuid;
    address[] public actors;
    address public constant OWNER = address(0x0E1);
    address public constant POSTER = address(0xB0B);
    address public constant CHALLENGER = address(0xC4A11);

    uint256 public honestPostsLost; // must stay 0
    uint256 public wrongPostsSurvived; // must stay 0
    uint256 public claimedTotal;
    uint256 public bondsWonByChallengers;
    uint256 public epochsOverpaid; // must stay 0: an epoch's claims above its pool
    uint256 public epochsLosingMoreThanRounding; // must stay 0: an epoch's claims short of its pool beyond rounding
    uint256 public largestShortfallUnits; // the most EMISSION_UNITs an epoch's claims fell short of its pool
    mapping(bytes32 => uint256) public calls;

    constructor(SubnetStack s_) {
        s = s_;
        epochs = s_.epochs();
        netuid = s_.createSubnet(OWNER, s_.defaultParams());
        for (uint256 i; i < 5; ++i) {
            actors.push(address(uint160(0xA000 + i)));
            s_.register(netuid, actors[i]);
        }
        s_.stakeValidator(actors[0], 1_000 ether);
        s_.stakeValidator(actors[1], 500 ether);
        s_.stakeValidator(actors[2], 250 ether);
    }

    function roll(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 500));
        ++calls["roll"];
    }

    /// @dev A validator with a permit sets weights (seeded values on every other UID).
    function setWeights(uint256 validatorSeed, uint256 salt) external {
        address v = actors[bound(validatorSeed, 0, 2)];
        (, uint256 uid) = s.registry().uidOf(netuid, v);
        if (!s.registry().getUid(netuid, uid).permit) return;
        uint16[] memory uids = new uint16[](4);
        uint16[] memory values = new uint16[](4);
        uint256 k;
        for (uint256 j; j < 5; ++j) {
            if (j == uid) continue;
            uids[k] = uint16(j);
            values[k] = uint16(1 + uint256(keccak256(abi.encode(salt, j))) % 65_535);
            ++k;
        }
        vm.roll(block.number + 1);
        s.setWeights(netuid, v, uids, values);
        ++calls["setWeights"];
    }

    /// @dev Closes the next epoch and settles it: optionally a wrong post first (which must lose its bond), then an
    /// honest post that survives a challenge of a random UID, finalization, and every UID's claim.
    function epoch(bool wrongFirst, uint256 fieldSeed, uint256 uidSeed, int64 delta) external {
        uint256 e = s.closeEpoch(netuid);
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, e, s.stakeDividends(netuid, e));
        uint256 uid = bound(uidSeed, 0, leaves.length - 1);
        if (wrongFirst && delta != 0) {
            SubnetEpochs.Leaf[] memory wrong = s.honestLeaves(netuid, e, s.stakeDividends(netuid, e));
            unchecked {
                uint256 field = bound(fieldSeed, 0, 3);
                if (field == 0) wrong[uid].consensus += delta;
                if (field == 1) wrong[uid].rank += delta;
                if (field == 2) wrong[uid].minerEmission += uint64(delta);
                if (field == 3) wrong[uid].bondsHash = keccak256(abi.encode(delta));
            }
            _post(e, wrong);
            SubnetEpochs.Challenge memory c = s.challengeOf(netuid, e, wrong, uid);
            vm.prank(CHALLENGER);
            try epochs.challenge(netuid, e, abi.encode(c)) {
                bondsWonByChallengers += s.POST_BOND();
            } catch {
                ++wrongPostsSurvived;
                return;
            }
            ++calls["wrongPost"];
        }
        _post(e, leaves);
        SubnetEpochs.Challenge memory honest = s.challengeOf(netuid, e, leaves, uid);
        vm.prank(CHALLENGER);
        try epochs.challenge(netuid, e, abi.encode(honest)) {
            ++honestPostsLost;
        } catch {}
        vm.roll(block.number + s.CHALLENGE_BLOCKS() + 1);
        epochs.finalize(netuid, e);
        s.remember(netuid, e, leaves);
        uint256 epochClaimed;
        for (uint256 j; j < leaves.length; ++j) {
            bytes32[] memory proof = s.proofOf(leaves, j);
            vm.prank(leaves[j].account);
            epochClaimed += epochs.claim(netuid, e, leaves[j], proof);
        }
        claimedTotal += epochClaimed;
        _checkConservation(e, epochClaimed, leaves.length);
        ++calls["epoch"];
    }

    /// @dev Emission conservation: every UID's claim of an epoch together is its pool, short only by rounding (each
    /// of the n miner and n validator shares is an I32F32 proportion, at most 2^-32 short, then floored to an
    /// EMISSION_UNIT), never above it.
    function _checkConservation(uint256 e, uint256 claimedWei, uint256 n) internal {
        uint256 poolUnits = s.registry().getSnapshot(netuid, e).pool / epochs.EMISSION_UNIT();
        uint256 claimedUnits = claimedWei / epochs.EMISSION_UNIT();
        if (claimedUnits > poolUnits) {
            ++epochsOverpaid;
            return;
        }
        uint256 shortfall = poolUnits - claimedUnits;
        if (shortfall > largestShortfallUnits) largestShortfallUnits = shortfall;
        uint256 rounding = 2 * n * (poolUnits / 2 ** 31 + 2);
        if (poolUnits > 0 && shortfall > rounding) ++epochsLosingMoreThanRounding;
    }

    function claimOwner() external {
        SubnetEmissions e = s.emissions();
        if (e.ownerOwed(netuid) == 0) return;
        vm.prank(OWNER);
        e.claimOwner(netuid);
        ++calls["claimOwner"];
    }

    function _post(uint256 e, SubnetEpochs.Leaf[] memory leaves) internal {
        s.fund(POSTER, s.POST_BOND());
        vm.prank(POSTER);
        epochs.post(netuid, e, leaves);
    }
}

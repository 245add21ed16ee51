// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {SubnetStack} from "../../utils/SubnetFixture.sol";
import {SubnetEpochs} from "../../../src/subnets/SubnetEpochs.sol";
import {SubnetEmissions} from "../../../src/subnets/SubnetEmissions.sol";
import {YumaFixed} from "../../../src/subnets/YumaFixed.sol";

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
    /// @notice The app share's recipient (the auction in production), bound by the invariant test.
    address public constant APPS = address(0xA995);
    /// @dev Governance may rebind the app share to this replacement and back.
    address public constant APPS2 = address(0xA996);

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

    /// @dev Closes the next epoch and settles it: optionally a wrong post first (which must lose its bond: a changed
    /// column output to the column challenge, dividends moved from one UID to another with every sum and emission
    /// redone to the dividends challenge), then an honest post that survives both challenges of a random UID,
    /// finalization, and every UID's claim.
    function epoch(bool wrongFirst, uint256 fieldSeed, uint256 uidSeed, int64 delta) external {
        uint256 e = s.closeEpoch(netuid);
        SubnetEpochs.Leaf[] memory leaves = s.honestLeaves(netuid, e);
        uint256 uid = bound(uidSeed, 0, leaves.length - 1);
        if (wrongFirst && delta != 0) {
            SubnetEpochs.Leaf[] memory wrong = s.honestLeaves(netuid, e);
            uint256 field = bound(fieldSeed, 0, 5);
            unchecked {
                if (field == 0) wrong[uid].consensus += delta;
                if (field == 1) wrong[uid].rank += delta;
                if (field == 2) wrong[uid].minerEmission += uint64(delta);
                if (field == 3) wrong[uid].bondsHash = keccak256(abi.encode(delta));
                if (field == 4) wrong[uid].runningHash = keccak256(abi.encode(delta));
            }
            bool nothingToShift = field == 5 && !_shiftDividends(e, wrong, uid, delta);
            if (!nothingToShift) {
                _post(e, wrong);
                bool won = field == 5 ? _challengeDividends(e, wrong, uid) : _challenge(e, wrong, uid);
                if (!won) {
                    ++wrongPostsSurvived;
                    return;
                }
                bondsWonByChallengers += s.POST_BOND();
                ++calls[field == 5 ? bytes32("wrongDividends") : bytes32("wrongPost")];
            }
        }
        _post(e, leaves);
        if (_challenge(e, leaves, uid)) ++honestPostsLost;
        if (epochs.getPost(netuid, e).poster != address(0) && _challengeDividends(e, leaves, uid)) ++honestPostsLost;
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

    function _challenge(uint256 e, SubnetEpochs.Leaf[] memory leaves, uint256 uid) internal returns (bool won) {
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, e, leaves, uid);
        vm.prank(CHALLENGER);
        try epochs.challenge(netuid, e, abi.encode(c)) {
            won = true;
        } catch {}
    }

    function _challengeDividends(uint256 e, SubnetEpochs.Leaf[] memory leaves, uint256 uid) internal returns (bool won) {
        SubnetEpochs.DividendsChallenge memory c = s.dividendsChallengeOf(netuid, e, leaves, uid);
        vm.prank(CHALLENGER);
        try epochs.challengeDividends(netuid, e, abi.encode(c)) {
            won = true;
        } catch {}
    }

    /// @dev Moves up to |delta| of dividends from `uid` to the next UID and redoes the combined prefixes and both
    /// emissions so that every column challenge passes; false when `uid` has no dividends to move.
    function _shiftDividends(uint256 e, SubnetEpochs.Leaf[] memory leaves, uint256 uid, int64 delta)
        internal view returns (bool)
    {
        int64 have = leaves[uid].dividends;
        if (have <= 0) return false;
        uint256 to = (uid + 1) % leaves.length;
        int64 moved = int64(uint64(1 + (uint256(uint64(delta)) % uint256(uint64(have)))));
        leaves[uid].dividends -= moved;
        leaves[to].dividends += moved;
        int64 combined;
        for (uint256 j; j < leaves.length; ++j) {
            combined = YumaFixed.wrapAdd(combined, YumaFixed.satAdd(leaves[j].incentive, leaves[j].dividends));
            leaves[j].combinedPrefix = combined;
        }
        uint64 units = uint64(s.registry().getSnapshot(netuid, e).pool / epochs.EMISSION_UNIT());
        for (uint256 j; j < leaves.length; ++j) {
            leaves[j].minerEmission = YumaFixed.shareOf(YumaFixed.safeDiv(leaves[j].incentive, combined), units);
            leaves[j].validatorEmission = YumaFixed.shareOf(YumaFixed.safeDiv(leaves[j].dividends, combined), units);
        }
        return combined != 0;
    }

    /// @dev Anyone mints the app share to its recipient.
    function claimApps() external {
        s.emissions().claimApps();
    }

    /// @dev Governance moves the app share within its bounds.
    function setAppShare(uint16 bps) external {
        s.setAppShare(uint16(bound(bps, 0, 2_000)));
    }

    /// Governance swaps the app recipient: the old one must get exactly what accrued to it, the new one nothing yet.
    function rebindApps() external {
        SubnetEmissions e = s.emissions();
        address old = e.appRecipient();
        address next = old == APPS ? APPS2 : APPS;
        uint256 owed = e.appsOwed();
        uint256 oldBefore = s.hyp().balanceOf(old);
        s.enableApps(next, e.appShareBps());
        require(s.hyp().balanceOf(old) - oldBefore == owed, "the old recipient lost what accrued to it");
        require(e.appsOwed() == 0, "the new recipient got what accrued before it");
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

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {ProviderRegistry} from "../../../src/ProviderRegistry.sol";
import {OfferRegistry} from "../../../src/OfferRegistry.sol";

/// @notice Providers publish, update, heartbeat, withdraw one or all of their offers, deactivate and reactivate, while
/// strangers prune and time passes. The handler keeps its own model of what the calls that succeeded should have left
/// (a ghost copy of each offer, built only from what the contract emitted), and each action checks the outcome the rules
/// predict.
contract OfferRegistryHandler is HyphaTest {
    uint256 public constant MODELS = 3;
    uint256 public constant TOKENS = 2;

    ProviderRegistry public immutable providers;
    OfferRegistry public immutable offers;
    address[] public actors;

    struct Ghost {
        bool exists;
        address provider;
        bytes32 termsHash;
    }

    /// @dev Every id any action ever touched, so invariants can check the ones no longer listed too.
    bytes32[] public touched;
    mapping(bytes32 => bool) internal _isTouched;
    mapping(bytes32 => Ghost) public ghost;
    uint256 public ghostCount;
    mapping(address => uint256) public ghostCountOf;
    mapping(address => uint64) public ghostLastHeartbeat;
    uint256 public withdrawals;

    constructor(ProviderRegistry providers_, OfferRegistry offers_, address[] memory actors_) {
        providers = providers_;
        offers = offers_;
        actors = actors_;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function touchedCount() external view returns (uint256) {
        return touched.length;
    }

    function publish(uint256 actorSeed, uint256 modelSeed, uint256 tokenSeed, uint128 price, uint32 ctx) external {
        address actor = actors[actorSeed % actors.length];
        bytes32 modelId = bytes32(modelSeed % MODELS + 1);
        address token = address(uint160(tokenSeed % TOKENS + 1));
        ctx = uint32(bound(ctx, 1, type(uint32).max));
        bytes32 id = offers.offerId(actor, modelId, token);
        bool active = providers.isActive(actor);
        vm.prank(actor);
        try offers.publish(modelId, token, "m:1", price, price, ctx, 1) returns (bytes32 got) {
            vm.assertTrue(active, "inactive provider published");
            vm.assertEq(got, id);
            _touch(id);
            if (!ghost[id].exists) {
                ghostCount++;
                ghostCountOf[actor]++;
            }
            ghost[id] = Ghost(true, actor, _terms(modelId, token, price, ctx));
            ghostLastHeartbeat[actor] = uint64(block.timestamp);
        } catch (bytes memory err) {
            vm.assertFalse(active, "active provider refused");
            vm.assertEq(err, abi.encodeWithSelector(OfferRegistry.ProviderNotActive.selector, actor));
        }
    }

    function heartbeat(uint256 actorSeed) external {
        address actor = actors[actorSeed % actors.length];
        vm.prank(actor);
        try offers.heartbeat() {
            vm.assertGt(ghostCountOf[actor], 0);
            ghostLastHeartbeat[actor] = uint64(block.timestamp);
        } catch (bytes memory err) {
            vm.assertEq(ghostCountOf[actor], 0, "heartbeat refused to a provider with offers");
            vm.assertEq(err, abi.encodeWithSelector(OfferRegistry.NoOffers.selector, actor));
        }
    }

    function withdraw(uint256 actorSeed, uint256 modelSeed, uint256 tokenSeed) external {
        address actor = actors[actorSeed % actors.length];
        bytes32 modelId = bytes32(modelSeed % MODELS + 1);
        address token = address(uint160(tokenSeed % TOKENS + 1));
        bytes32 id = offers.offerId(actor, modelId, token);
        vm.prank(actor);
        try offers.withdraw(modelId, token) {
            vm.assertTrue(ghost[id].exists, "withdrew an offer that did not exist");
            _forget(id);
        } catch (bytes memory err) {
            vm.assertFalse(ghost[id].exists, "withdraw of an existing offer refused");
            vm.assertEq(err, abi.encodeWithSelector(OfferRegistry.UnknownOffer.selector, id));
        }
    }

    function withdrawAll(uint256 actorSeed) external {
        address actor = actors[actorSeed % actors.length];
        vm.prank(actor);
        offers.withdrawAll();
        for (uint256 i = 0; i < touched.length; ++i) {
            if (ghost[touched[i]].exists && ghost[touched[i]].provider == actor) _forget(touched[i]);
        }
        vm.assertEq(ghostCountOf[actor], 0);
    }

    function prune(uint256 idSeed) external {
        if (touched.length == 0) return;
        bytes32 id = touched[idSeed % touched.length];
        Ghost memory g = ghost[id];
        uint64 until = ghostLastHeartbeat[g.provider] + offers.maxAge();
        vm.prank(address(0xBEEF));
        try offers.prune(id) {
            vm.assertTrue(g.exists && block.timestamp > until, "pruned a live or missing offer");
            _forget(id);
        } catch (bytes memory err) {
            bytes memory expected = g.exists
                ? abi.encodeWithSelector(OfferRegistry.OfferStillLive.selector, id, until)
                : abi.encodeWithSelector(OfferRegistry.UnknownOffer.selector, id);
            vm.assertEq(err, expected);
        }
    }

    function toggleActive(uint256 actorSeed) external {
        address actor = actors[actorSeed % actors.length];
        bool active = providers.isActive(actor);
        vm.prank(actor);
        if (active) providers.deactivate();
        else providers.reactivate();
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 * offers.maxAge()));
    }

    /// @dev What an offer's terms hash to, in the handler's and the invariant's words.
    function _terms(bytes32 modelId, address token, uint128 price, uint32 ctx) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, token, "m:1", price, price, ctx, uint32(1)));
    }

    function _touch(bytes32 id) internal {
        if (!_isTouched[id]) {
            _isTouched[id] = true;
            touched.push(id);
        }
    }

    function _forget(bytes32 id) internal {
        address p = ghost[id].provider;
        ghost[id].exists = false;
        ghostCount--;
        ghostCountOf[p]--;
        withdrawals++;
    }
}

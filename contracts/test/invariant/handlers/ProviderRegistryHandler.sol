// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {HyphaToken} from "../../../src/HyphaToken.sol";
import {Staking} from "../../../src/Staking.sol";
import {ProviderRegistry} from "../../../src/ProviderRegistry.sol";

/// @notice Providers register, update, deactivate and reactivate while their stake grows, unbonds and gets
/// slashed and governance moves the minimum. Each action checks the outcome the rules predict.
contract ProviderRegistryHandler is HyphaTest {
    uint256 public constant ACTORS = 4;
    uint256 public constant FUNDS = 10_000 ether;

    HyphaToken public immutable hyp;
    Staking public immutable staking;
    ProviderRegistry public immutable registry;
    address public immutable admin;
    address public immutable slasher;
    bytes32 public immutable role;
    address[] public actors;
    mapping(address => uint256) internal keyOf;

    mapping(address => bool) public ghostRegistered;
    uint256 public ghostRegisteredCount;

    constructor(HyphaToken hyp_, Staking staking_, ProviderRegistry registry_, address admin_, address slasher_) {
        hyp = hyp_;
        staking = staking_;
        registry = registry_;
        admin = admin_;
        slasher = slasher_;
        role = staking_.PROVIDER();
        for (uint256 i = 0; i < ACTORS; ++i) {
            (address actor, uint256 key) = makeAccount(string.concat("provider", vm.toString(i)));
            actors.push(actor);
            keyOf[actor] = key;
        }
    }

    function fundActors() external {
        for (uint256 i = 0; i < ACTORS; ++i) {
            vm.assertTrue(hyp.transfer(actors[i], FUNDS));
            vm.prank(actors[i]);
            hyp.approve(address(staking), type(uint256).max);
        }
    }

    function register(uint256 actorSeed, uint256 serviceCount, uint256 endpointLength) external {
        address actor = actors[actorSeed % ACTORS];
        bytes32[] memory services = _services(bound(serviceCount, 1, 32));
        string memory endpoint = _text(bound(endpointLength, 1, 256));
        uint256 have = staking.stakeOf(actor, role);
        uint256 need = registry.minStake();
        bytes memory proof = _ownKeyProof(actor);
        vm.prank(actor);
        try registry.register(endpoint, actor, services, "bafy", proof) {
            vm.assertFalse(ghostRegistered[actor], "registered twice");
            vm.assertGe(have, need, "registered below the minimum stake");
            ghostRegistered[actor] = true;
            ghostRegisteredCount++;
        } catch (bytes memory err) {
            if (ghostRegistered[actor]) {
                vm.assertEq(err, abi.encodeWithSelector(ProviderRegistry.AlreadyRegistered.selector, actor));
            } else {
                vm.assertEq(err, abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, have, need));
            }
        }
    }

    function update(uint256 actorSeed, uint256 serviceCount) external {
        address actor = actors[actorSeed % ACTORS];
        bool wasActive = registry.getProvider(actor).active;
        bytes32[] memory services = _services(bound(serviceCount, 1, 32));
        bytes memory proof = _ownKeyProof(actor);
        vm.prank(actor);
        try registry.update("http://127.0.0.1:1", actor, services, "", proof) {
            vm.assertTrue(ghostRegistered[actor], "update by an unregistered account");
            vm.assertEq(registry.getProvider(actor).active, wasActive, "update changed the active flag");
        } catch (bytes memory err) {
            vm.assertFalse(ghostRegistered[actor]);
            vm.assertEq(err, abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, actor));
        }
    }

    function deactivate(uint256 actorSeed) external {
        address actor = actors[actorSeed % ACTORS];
        bool wasActive = registry.getProvider(actor).active;
        vm.prank(actor);
        try registry.deactivate() {
            vm.assertTrue(ghostRegistered[actor] && wasActive);
            vm.assertFalse(registry.isActive(actor));
        } catch (bytes memory err) {
            vm.assertEq(
                err,
                ghostRegistered[actor]
                    ? abi.encodeWithSelector(ProviderRegistry.ProviderNotActive.selector, actor)
                    : abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, actor)
            );
        }
    }

    function reactivate(uint256 actorSeed) external {
        address actor = actors[actorSeed % ACTORS];
        bool wasActive = registry.getProvider(actor).active;
        uint256 have = staking.stakeOf(actor, role);
        uint256 need = registry.minStake();
        vm.prank(actor);
        try registry.reactivate() {
            vm.assertTrue(ghostRegistered[actor] && !wasActive && have >= need);
            vm.assertTrue(registry.isActive(actor));
        } catch (bytes memory err) {
            bytes memory expected = !ghostRegistered[actor]
                ? abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, actor)
                : wasActive
                    ? abi.encodeWithSelector(ProviderRegistry.ProviderAlreadyActive.selector, actor)
                    : abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, have, need);
            vm.assertEq(err, expected);
        }
    }

    function stake(uint256 actorSeed, uint256 amount) external {
        address actor = actors[actorSeed % ACTORS];
        uint256 balance = hyp.balanceOf(actor);
        if (balance == 0) return;
        vm.prank(actor);
        staking.stake(role, bound(amount, 1, balance));
    }

    function unbond(uint256 actorSeed, uint256 amount) external {
        address actor = actors[actorSeed % ACTORS];
        uint256 active = staking.stakeOf(actor, role);
        if (active == 0) return;
        vm.prank(actor);
        staking.requestUnbond(role, bound(amount, 1, active));
    }

    function slash(uint256 actorSeed, uint256 amount) external {
        vm.prank(slasher);
        staking.slash(actors[actorSeed % ACTORS], role, bound(amount, 1, FUNDS), "registry-invariant");
    }

    function setMinStake(uint256 amount) external {
        vm.prank(admin);
        registry.setMinStake(bound(amount, 0, 2 * FUNDS));
    }

    function actorCount() external pure returns (uint256) {
        return ACTORS;
    }

    function _services(uint256 n) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            s[i] = bytes32(i + 1);
        }
    }

    function _text(uint256 length) internal pure returns (string memory) {
        bytes memory b = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            b[i] = "h";
        }
        return string(b);
    }

    /// @dev The actor's proof that its own key may be its signing key.
    function _ownKeyProof(address actor) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keyOf[actor], registry.signingKeyProofDigest(actor, actor));
        return abi.encodePacked(r, s, v);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {HyphaToken} from "../../src/HyphaToken.sol";
import {Staking} from "../../src/Staking.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {ProviderRegistryHandler} from "./handlers/ProviderRegistryHandler.sol";

/// @notice The provider list holds each registered provider exactly once, every stored registration is well
/// formed, and isActive always equals "not deactivated and staked at least the minimum now".
contract ProviderRegistryInvariantTest is HyphaTest, InvariantTest {
    Staking internal staking;
    ProviderRegistry internal registry;
    ProviderRegistryHandler internal handler;

    function setUp() public {
        address admin = makeAddr("admin");
        address slasher = makeAddr("slasher");
        vm.warp(1_700_000_000);
        HyphaToken hyp = new HyphaToken(admin, 1 days, 1e9 ether, address(this), 1e8 ether);
        staking = new Staking(hyp, admin, 1 days, 1 days, makeAddr("sink"));
        registry = new ProviderRegistry(staking, admin, 1 days, 1_000 ether);
        handler = new ProviderRegistryHandler(hyp, staking, registry, admin, slasher);
        bytes32 slasherRole = staking.SLASHER_ROLE();
        vm.prank(admin);
        staking.grantRole(slasherRole, slasher);
        vm.assertTrue(hyp.transfer(address(handler), handler.ACTORS() * handler.FUNDS()));
        handler.fundActors();

        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = ProviderRegistryHandler.register.selector;
        selectors[1] = ProviderRegistryHandler.update.selector;
        selectors[2] = ProviderRegistryHandler.deactivate.selector;
        selectors[3] = ProviderRegistryHandler.reactivate.selector;
        selectors[4] = ProviderRegistryHandler.stake.selector;
        selectors[5] = ProviderRegistryHandler.unbond.selector;
        selectors[6] = ProviderRegistryHandler.slash.selector;
        selectors[7] = ProviderRegistryHandler.setMinStake.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call: forge runs a separate campaign per
    /// invariant_* function, so separate functions would multiply the suite's time for the same coverage.
    function invariant_RegistryIsConsistent() public view {
        _assertListHoldsEachRegisteredProviderOnce();
        _assertIsActiveMatchesFlagAndCurrentStake();
        _assertStoredRegistrationsAreWellFormed();
    }

    function _assertListHoldsEachRegisteredProviderOnce() internal view {
        uint256 count = registry.providerCount();
        vm.assertEq(count, handler.ghostRegisteredCount(), "providerCount != registrations");
        for (uint256 i = 0; i < count; ++i) {
            address p = registry.providerAt(i);
            vm.assertTrue(handler.ghostRegistered(p) && registry.isRegistered(p), "listed but not registered");
            for (uint256 j = 0; j < i; ++j) {
                vm.assertNotEq(registry.providerAt(j), p, "provider listed twice");
            }
        }
    }

    function _assertIsActiveMatchesFlagAndCurrentStake() internal view {
        bytes32 role = staking.PROVIDER();
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address a = handler.actors(i);
            ProviderRegistry.Provider memory p = registry.getProvider(a);
            bool expected = p.active && staking.stakeOf(a, role) >= registry.minStake();
            vm.assertEq(registry.isActive(a), expected, "isActive != active flag and stake >= minimum");
            if (p.active) vm.assertTrue(registry.isRegistered(a), "active but not registered");
        }
    }

    function _assertStoredRegistrationsAreWellFormed() internal view {
        for (uint256 i = 0; i < registry.providerCount(); ++i) {
            ProviderRegistry.Provider memory p = registry.getProvider(registry.providerAt(i));
            uint256 endpointLength = bytes(p.endpoint).length;
            vm.assertTrue(endpointLength >= 1 && endpointLength <= 256, "endpoint length");
            vm.assertTrue(p.signingKey != address(0), "signing key");
            vm.assertTrue(p.services.length >= 1 && p.services.length <= 32, "service count");
            vm.assertTrue(p.registeredAt != 0 && p.updatedAt >= p.registeredAt, "timestamps");
        }
    }
}

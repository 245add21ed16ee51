// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./HyphaTest.sol";
import {HyphaToken} from "../../src/HyphaToken.sol";
import {Staking} from "../../src/Staking.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {OfferRegistry} from "../../src/OfferRegistry.sol";

/// @notice The real contracts an OfferRegistry depends on (HYP, Staking, ProviderRegistry), and helpers that make an
/// account an active provider the way a node does: stake the minimum, then register with its own key as signing key.
abstract contract OfferFixture is HyphaTest {
    uint256 internal constant MIN_STAKE = 1_000 ether;
    uint64 internal constant MAX_AGE = 10 minutes;

    HyphaToken internal hyp;
    Staking internal staking;
    ProviderRegistry internal providers;
    OfferRegistry internal offers;

    function _deployOfferFixture() internal {
        address admin = makeAddr("admin");
        vm.warp(1_700_000_000);
        hyp = new HyphaToken(admin, 1 days, 1e9 ether, address(this), 1e8 ether);
        staking = new Staking(hyp, admin, 1 days, 7 days, makeAddr("sink"));
        providers = new ProviderRegistry(staking, admin, 1 days, MIN_STAKE);
        offers = new OfferRegistry(providers, MAX_AGE);
    }

    /// @dev A staked, registered, active provider named `name`.
    function _activeProvider(string memory name) internal returns (address who) {
        uint256 key;
        (who, key) = makeAccount(name);
        vm.assertTrue(hyp.transfer(who, MIN_STAKE));
        vm.startPrank(who);
        hyp.approve(address(staking), MIN_STAKE);
        staking.stake(staking.PROVIDER(), MIN_STAKE);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, providers.signingKeyProofDigest(who, who));
        bytes32[] memory services = new bytes32[](1);
        services[0] = "inference";
        providers.register("https://provider.example", who, services, "", abi.encodePacked(r, s, v));
        vm.stopPrank();
    }
}

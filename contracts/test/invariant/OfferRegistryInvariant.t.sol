// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {InvariantTest} from "../utils/InvariantTest.sol";
import {OfferFixture} from "../utils/OfferFixture.sol";
import {OfferRegistry} from "../../src/OfferRegistry.sol";
import {OfferRegistryHandler} from "./handlers/OfferRegistryHandler.sol";

/// @notice The registry's lists hold exactly the offers that were published and not since withdrawn or pruned (as the
/// handler's ghost model of successful calls says), each once, with the terms last published; a withdrawn offer is
/// never listed; liveness is exactly "now <= provider's last heartbeat + maxAge".
contract OfferRegistryInvariantTest is OfferFixture, InvariantTest {
    OfferRegistryHandler internal handler;

    function setUp() public {
        _deployOfferFixture();
        address[] memory actors = new address[](3);
        for (uint256 i = 0; i < actors.length; ++i) {
            actors[i] = _activeProvider(string.concat("provider", vm.toString(i)));
        }
        handler = new OfferRegistryHandler(providers, offers, actors);

        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = OfferRegistryHandler.publish.selector;
        selectors[1] = OfferRegistryHandler.heartbeat.selector;
        selectors[2] = OfferRegistryHandler.withdraw.selector;
        selectors[3] = OfferRegistryHandler.withdrawAll.selector;
        selectors[4] = OfferRegistryHandler.prune.selector;
        selectors[5] = OfferRegistryHandler.toggleActive.selector;
        selectors[6] = OfferRegistryHandler.warp.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call (see ProviderRegistryInvariantTest for why).
    function invariant_BookkeepingMatchesTheGhost() public view {
        _assertGlobalListIsTheGhostSet();
        _assertProviderListsPartitionTheGlobalList();
        _assertEveryTouchedIdAgreesWithTheGhost();
    }

    function _assertGlobalListIsTheGhostSet() internal view {
        uint256 count = offers.offerCount();
        vm.assertEq(count, handler.ghostCount(), "offerCount != published - withdrawn");
        OfferRegistry.OfferView[] memory all = offers.offersPage(0, 100);
        vm.assertEq(all.length, count, "one page holds them all here");
        for (uint256 i = 0; i < all.length; ++i) {
            (bool exists, address provider,) = handler.ghost(all[i].id);
            vm.assertTrue(exists, "a withdrawn or never published offer is listed");
            vm.assertEq(all[i].provider, provider, "listed under another provider");
            vm.assertEq(all[i].id, offers.offerId(all[i].provider, all[i].modelId, all[i].token), "id != its key");
            for (uint256 j = 0; j < i; ++j) {
                vm.assertTrue(all[j].id != all[i].id, "offer listed twice");
            }
        }
    }

    function _assertProviderListsPartitionTheGlobalList() internal view {
        uint256 sum = 0;
        for (uint256 a = 0; a < handler.actorCount(); ++a) {
            address actor = handler.actors(a);
            OfferRegistry.OfferView[] memory mine = offers.offersOf(actor);
            vm.assertEq(mine.length, handler.ghostCountOf(actor), "offersOf length");
            vm.assertLe(mine.length, offers.MAX_OFFERS_PER_PROVIDER());
            for (uint256 i = 0; i < mine.length; ++i) {
                vm.assertEq(mine[i].provider, actor, "someone else's offer in offersOf");
                (bool exists,,) = handler.ghost(mine[i].id);
                vm.assertTrue(exists, "a withdrawn offer in offersOf");
                for (uint256 j = 0; j < i; ++j) {
                    vm.assertTrue(mine[j].id != mine[i].id, "offer listed twice in offersOf");
                }
                vm.assertEq(mine[i].lastHeartbeat, handler.ghostLastHeartbeat(actor), "lastHeartbeat");
                vm.assertEq(mine[i].liveUntil, handler.ghostLastHeartbeat(actor) + MAX_AGE, "liveUntil");
            }
            sum += mine.length;
        }
        vm.assertEq(sum, offers.offerCount(), "provider lists do not add up to the global list");
    }

    function _assertEveryTouchedIdAgreesWithTheGhost() internal view {
        for (uint256 i = 0; i < handler.touchedCount(); ++i) {
            bytes32 id = handler.touched(i);
            (bool exists, address provider, bytes32 terms) = handler.ghost(id);
            uint64 until = handler.ghostLastHeartbeat(provider) + MAX_AGE;
            vm.assertEq(offers.isLive(id), exists && block.timestamp <= until, "isLive");
            if (!exists) continue;
            OfferRegistry.OfferView memory o = offers.getOffer(id);
            bytes32 stored = keccak256(
                abi.encode(
                    o.modelId, o.token, o.model, o.inputPerMillion, o.outputPerMillion, o.contextLength, o.concurrency
                )
            );
            vm.assertEq(stored, terms, "stored terms != last published");
        }
    }
}

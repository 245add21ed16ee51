// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {OfferFixture} from "./utils/OfferFixture.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {OfferRegistry} from "../src/OfferRegistry.sol";

contract OfferRegistryTest is OfferFixture {
    bytes32 internal constant MODEL = keccak256("tiny-random");
    bytes32 internal constant OTHER_MODEL = keccak256("other");
    string internal constant NAME = "tiny-random:latest";

    address internal alice;
    address internal bob;
    address internal usd;
    address internal eur;

    function setUp() public {
        _deployOfferFixture();
        alice = _activeProvider("alice");
        bob = _activeProvider("bob");
        usd = makeAddr("usd");
        eur = makeAddr("eur");
    }

    // ------------------------------------------------------------------ constructor

    function test_Constructor_SetsEverything() public view {
        vm.assertEq(address(offers.providers()), address(providers));
        vm.assertEq(offers.maxAge(), MAX_AGE);
        vm.assertEq(offers.offerCount(), 0);
    }

    function test_Constructor_RevertsOnBadArguments() public {
        vm.expectRevert(OfferRegistry.InvalidProviderRegistry.selector);
        new OfferRegistry(ProviderRegistry(address(0)), MAX_AGE);
        vm.expectRevert(OfferRegistry.InvalidMaxAge.selector);
        new OfferRegistry(providers, 0);
    }

    // ------------------------------------------------------------------ publish

    function test_Publish_StoresTheOfferAndCountsAsHeartbeat() public {
        bytes32 id = offers.offerId(alice, MODEL, usd);
        vm.expectEmit(address(offers));
        emit OfferRegistry.OfferPublished(id, alice, MODEL, usd, NAME, 100, 300, 4096, 8);
        vm.expectEmit(address(offers));
        emit OfferRegistry.Heartbeat(alice, uint64(block.timestamp) + MAX_AGE);
        vm.prank(alice);
        vm.assertEq(offers.publish(MODEL, usd, NAME, 100, 300, 4096, 8), id);

        vm.assertEq(offers.offerCount(), 1);
        OfferRegistry.OfferView memory o = offers.getOffer(id);
        vm.assertEq(o.id, id);
        vm.assertEq(o.provider, alice);
        vm.assertEq(o.modelId, MODEL);
        vm.assertEq(o.token, usd);
        vm.assertEq(o.model, NAME);
        vm.assertEq(o.inputPerMillion, 100);
        vm.assertEq(o.outputPerMillion, 300);
        vm.assertEq(o.contextLength, 4096);
        vm.assertEq(o.concurrency, 8);
        vm.assertEq(o.lastHeartbeat, block.timestamp);
        vm.assertEq(o.liveUntil, block.timestamp + MAX_AGE);
        vm.assertEq(offers.lastHeartbeat(alice), block.timestamp);
        vm.assertTrue(offers.isLive(id));
    }

    function test_Publish_SameModelAndTokenReplacesTheTerms() public {
        _publish(alice, MODEL, usd);
        vm.warp(block.timestamp + 60);
        vm.prank(alice);
        offers.publish(MODEL, usd, "renamed", 1, 2, 8192, 1);
        vm.assertEq(offers.offerCount(), 1);
        OfferRegistry.OfferView memory o = offers.getOffer(offers.offerId(alice, MODEL, usd));
        vm.assertEq(o.model, "renamed");
        vm.assertEq(o.inputPerMillion, 1);
        vm.assertEq(o.outputPerMillion, 2);
        vm.assertEq(o.contextLength, 8192);
        vm.assertEq(o.concurrency, 1);
        vm.assertEq(o.lastHeartbeat, block.timestamp);
    }

    function test_Publish_OtherTokenOrModelIsAnotherOffer() public {
        _publish(alice, MODEL, usd);
        _publish(alice, MODEL, eur);
        _publish(alice, OTHER_MODEL, usd);
        _publish(bob, MODEL, usd);
        vm.assertEq(offers.offerCount(), 4);
        vm.assertEq(offers.offersOf(alice).length, 3);
        vm.assertEq(offers.offersOf(bob).length, 1);
    }

    function test_Publish_RefusesUnregisteredAndInactiveProviders() public {
        address mallory = makeAddr("mallory");
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.ProviderNotActive.selector, mallory));
        vm.prank(mallory);
        offers.publish(MODEL, usd, NAME, 1, 1, 1, 1);

        vm.prank(alice);
        providers.deactivate();
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.ProviderNotActive.selector, alice));
        vm.prank(alice);
        offers.publish(MODEL, usd, NAME, 1, 1, 1, 1);
    }

    function test_Publish_RefusesHostileTerms() public {
        vm.startPrank(alice);
        vm.expectRevert(OfferRegistry.EmptyModelId.selector);
        offers.publish(bytes32(0), usd, NAME, 1, 1, 1, 1);
        vm.expectRevert(OfferRegistry.InvalidToken.selector);
        offers.publish(MODEL, address(0), NAME, 1, 1, 1, 1);
        vm.expectRevert(OfferRegistry.EmptyModelName.selector);
        offers.publish(MODEL, usd, "", 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.ModelNameTooLong.selector, 129, 128));
        offers.publish(MODEL, usd, _name(129), 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.InvalidModelNameByte.selector, 4));
        offers.publish(MODEL, usd, "tiny random", 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.InvalidModelNameByte.selector, 0));
        offers.publish(MODEL, usd, "\x1b[31m", 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.InvalidModelNameByte.selector, 1));
        offers.publish(MODEL, usd, unicode"m\u00e9", 1, 1, 1, 1);
        vm.expectRevert(OfferRegistry.ZeroContextLength.selector);
        offers.publish(MODEL, usd, NAME, 1, 1, 0, 1);
        vm.expectRevert(OfferRegistry.ZeroConcurrency.selector);
        offers.publish(MODEL, usd, NAME, 1, 1, 1, 0);
        vm.stopPrank();
        vm.assertEq(offers.offerCount(), 0);
        vm.assertEq(offers.lastHeartbeat(alice), 0);
    }

    function test_Publish_AcceptsTheLongestNameAndFreeOffers() public {
        vm.prank(alice);
        offers.publish(MODEL, usd, _name(128), 0, 0, 1, 1);
        vm.assertEq(bytes(offers.getOffer(offers.offerId(alice, MODEL, usd)).model).length, 128);
    }

    function test_Publish_BoundsOffersPerProvider() public {
        for (uint256 i = 0; i < 32; ++i) {
            _publish(alice, bytes32(i + 1), usd);
        }
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.TooManyOffers.selector, 32));
        vm.prank(alice);
        offers.publish(bytes32(uint256(33)), usd, NAME, 1, 1, 1, 1);
        // Updating one of the 32 still works.
        _publish(alice, bytes32(uint256(1)), usd);
        vm.assertEq(offers.offersOf(alice).length, 32);
    }

    // ------------------------------------------------------------------ heartbeat and liveness

    function test_Heartbeat_KeepsEveryOfferOfTheProviderLive() public {
        bytes32 a = _publish(alice, MODEL, usd);
        bytes32 b = _publish(alice, OTHER_MODEL, usd);
        vm.warp(block.timestamp + MAX_AGE);
        vm.assertTrue(offers.isLive(a), "live at exactly lastHeartbeat + maxAge");
        vm.expectEmit(address(offers));
        emit OfferRegistry.Heartbeat(alice, uint64(block.timestamp) + MAX_AGE);
        vm.prank(alice);
        offers.heartbeat();
        vm.warp(block.timestamp + MAX_AGE);
        vm.assertTrue(offers.isLive(a) && offers.isLive(b));
        vm.assertEq(offers.getOffer(b).liveUntil, block.timestamp);
    }

    function test_Liveness_EndsAfterMaxAgeWithoutHeartbeat() public {
        bytes32 a = _publish(alice, MODEL, usd);
        bytes32 b = _publish(bob, MODEL, usd);
        vm.warp(block.timestamp + MAX_AGE / 2);
        vm.prank(bob);
        offers.heartbeat();
        vm.warp(block.timestamp + MAX_AGE / 2 + 1);
        vm.assertFalse(offers.isLive(a), "alice stopped heartbeating");
        vm.assertTrue(offers.isLive(b), "bob heartbeat half way");
        // Still listed until withdrawn or pruned: readers filter on liveUntil.
        vm.assertEq(offers.offerCount(), 2);
    }

    function test_Heartbeat_RefusesAProviderWithoutOffers() public {
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.NoOffers.selector, alice));
        vm.prank(alice);
        offers.heartbeat();
    }

    function test_IsLive_FalseForUnknownOffer() public view {
        vm.assertFalse(offers.isLive(keccak256("nothing")));
        vm.assertEq(offers.liveUntil(alice), 0);
    }

    // ------------------------------------------------------------------ withdraw, withdrawAll, prune

    function test_Withdraw_RemovesOneOffer() public {
        bytes32 a = _publish(alice, MODEL, usd);
        bytes32 b = _publish(alice, OTHER_MODEL, usd);
        vm.expectEmit(address(offers));
        emit OfferRegistry.OfferWithdrawn(a, alice, alice);
        vm.prank(alice);
        offers.withdraw(MODEL, usd);
        vm.assertEq(offers.offerCount(), 1);
        vm.assertEq(offers.offersOf(alice)[0].id, b);
        vm.assertFalse(offers.isLive(a));
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.UnknownOffer.selector, a));
        offers.getOffer(a);
    }

    /// @dev Removing from the middle moves the last offer into the gap, in both lists; removing the moved one later
    /// must find it at its new place.
    function test_Withdraw_FromTheMiddleKeepsBothListsConsistent() public {
        bytes32 a = _publish(alice, bytes32(uint256(1)), usd);
        _publish(bob, bytes32(uint256(9)), usd);
        bytes32 b = _publish(alice, bytes32(uint256(2)), usd);
        bytes32 c = _publish(alice, bytes32(uint256(3)), usd);
        vm.startPrank(alice);
        offers.withdraw(bytes32(uint256(1)), usd);
        offers.withdraw(bytes32(uint256(3)), usd);
        vm.stopPrank();
        OfferRegistry.OfferView[] memory mine = offers.offersOf(alice);
        vm.assertEq(mine.length, 1);
        vm.assertEq(mine[0].id, b);
        OfferRegistry.OfferView[] memory all = offers.offersPage(0, 100);
        // Global list: [a, bob's, b, c] -> (a out, c into its place) [c, bob's, b] -> (c out, b in) [b, bob's].
        vm.assertEq(all.length, 2);
        vm.assertEq(all[0].id, b);
        vm.assertEq(all[1].provider, bob);
        vm.prank(alice);
        offers.withdraw(bytes32(uint256(2)), usd);
        vm.assertEq(offers.offersOf(alice).length, 0);
        vm.assertEq(offers.offerCount(), 1);
        vm.assertFalse(offers.isLive(a) || offers.isLive(c));
    }

    function test_Withdraw_UnknownOrSomeoneElsesOfferReverts() public {
        _publish(alice, MODEL, usd);
        bytes32 bobs = offers.offerId(bob, MODEL, usd);
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.UnknownOffer.selector, bobs));
        vm.prank(bob);
        offers.withdraw(MODEL, usd);
        vm.assertEq(offers.offerCount(), 1);
    }

    function test_Withdraw_AllowedForAnInactiveProvider() public {
        _publish(alice, MODEL, usd);
        vm.startPrank(alice);
        providers.deactivate();
        offers.withdraw(MODEL, usd);
        vm.stopPrank();
        vm.assertEq(offers.offerCount(), 0);
    }

    function test_WithdrawAll_RemovesOnlyTheCallersOffers() public {
        for (uint256 i = 0; i < 5; ++i) {
            _publish(alice, bytes32(i + 1), usd);
        }
        bytes32 b = _publish(bob, MODEL, usd);
        vm.prank(alice);
        offers.withdrawAll();
        vm.assertEq(offers.offerCount(), 1);
        vm.assertEq(offers.offersOf(alice).length, 0);
        vm.assertEq(offers.offersPage(0, 10)[0].id, b);
        vm.prank(alice);
        offers.withdrawAll(); // nothing left: no-op
    }

    function test_WithdrawAll_ThirtyTwoOffers() public {
        for (uint256 i = 0; i < 32; ++i) {
            _publish(alice, bytes32(i + 1), usd);
        }
        vm.prank(alice);
        offers.withdrawAll();
        vm.assertEq(offers.offerCount(), 0);
    }

    function test_Prune_RemovesOnlyExpiredOffers() public {
        bytes32 a = _publish(alice, MODEL, usd);
        address anyone = makeAddr("anyone");
        uint64 until = uint64(block.timestamp) + MAX_AGE;
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.OfferStillLive.selector, a, until));
        vm.prank(anyone);
        offers.prune(a);
        vm.warp(until + 1);
        vm.expectEmit(address(offers));
        emit OfferRegistry.OfferWithdrawn(a, alice, anyone);
        vm.prank(anyone);
        offers.prune(a);
        vm.assertEq(offers.offerCount(), 0);
        vm.assertEq(offers.offersOf(alice).length, 0);
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.UnknownOffer.selector, a));
        offers.prune(a);
    }

    // ------------------------------------------------------------------ reads

    function test_OffersPage_PagesAndClips() public {
        for (uint256 i = 0; i < 5; ++i) {
            _publish(alice, bytes32(i + 1), usd);
        }
        vm.assertEq(offers.offersPage(0, 2).length, 2);
        vm.assertEq(offers.offersPage(4, 2).length, 1);
        vm.assertEq(offers.offersPage(5, 2).length, 0);
        vm.assertEq(offers.offersPage(type(uint256).max, 100).length, 0);
        vm.assertEq(offers.offersPage(2, 0).length, 0);
        vm.assertEq(offers.offersPage(3, 1)[0].modelId, bytes32(uint256(4)));
        vm.expectRevert(abi.encodeWithSelector(OfferRegistry.PageTooLarge.selector, 101, 100));
        offers.offersPage(0, 101);
    }

    // ------------------------------------------------------------------ gas (execution gas, excluding the 21k base)

    /// @dev The recurring costs stay small: a heartbeat is what every provider pays every few minutes.
    function test_Gas_StaysSmall() public {
        vm.prank(alice);
        uint256 before = gasleft();
        offers.publish(MODEL, usd, NAME, 100, 300, 4096, 8);
        uint256 publishNew = before - gasleft();

        vm.prank(alice);
        before = gasleft();
        offers.publish(MODEL, usd, NAME, 200, 600, 4096, 8);
        uint256 publishUpdate = before - gasleft();

        vm.warp(block.timestamp + 60);
        vm.prank(alice);
        before = gasleft();
        offers.heartbeat();
        uint256 beat = before - gasleft();

        vm.prank(alice);
        before = gasleft();
        offers.withdraw(MODEL, usd);
        uint256 withdrawn = before - gasleft();

        vm.assertLe(publishNew, 240_000, "publish (new)");
        vm.assertLe(publishUpdate, 30_000, "publish (update)");
        vm.assertLe(beat, 10_000, "heartbeat");
        vm.assertLe(withdrawn, 30_000, "withdraw");
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Every hostile combination of terms is refused with the first rule it breaks, and stores nothing.
    function testFuzz_Publish_ChecksTermsInOrder(
        bytes32 modelId,
        address token,
        bytes calldata name,
        uint128 inputPerMillion,
        uint128 outputPerMillion,
        uint32 contextLength,
        uint32 concurrency
    ) public {
        bytes memory expected = _expectedError(modelId, token, name, contextLength, concurrency);
        if (expected.length != 0) vm.expectRevert(expected);
        vm.prank(alice);
        offers.publish(modelId, token, string(name), inputPerMillion, outputPerMillion, contextLength, concurrency);
        vm.assertEq(offers.offerCount(), expected.length == 0 ? 1 : 0);
        if (expected.length == 0) {
            OfferRegistry.OfferView memory o = offers.getOffer(offers.offerId(alice, modelId, token));
            vm.assertEq(o.inputPerMillion, inputPerMillion);
            vm.assertEq(o.outputPerMillion, outputPerMillion);
            vm.assertEq(bytes(o.model), name);
        }
    }

    /// @dev Whatever the timing, an offer is live exactly while now <= last heartbeat + maxAge.
    function testFuzz_Liveness_FollowsLastHeartbeat(uint256 beatAfter, uint256 checkAfter) public {
        bytes32 id = _publish(alice, MODEL, usd);
        beatAfter = bound(beatAfter, 0, 10 * MAX_AGE);
        checkAfter = bound(checkAfter, 0, 10 * MAX_AGE);
        vm.warp(block.timestamp + beatAfter);
        vm.prank(alice);
        offers.heartbeat();
        uint256 beat = block.timestamp;
        vm.warp(beat + checkAfter);
        vm.assertEq(offers.isLive(id), checkAfter <= MAX_AGE);
        vm.assertEq(offers.getOffer(id).liveUntil, beat + MAX_AGE);
    }

    /// @dev Pages cover the list exactly once, in order, whatever the page size.
    function testFuzz_OffersPage_CoversEveryOfferOnce(uint256 n, uint256 pageSize) public {
        n = bound(n, 0, 32);
        pageSize = bound(pageSize, 1, 100);
        for (uint256 i = 0; i < n; ++i) {
            _publish(alice, bytes32(i + 1), usd);
        }
        uint256 seen = 0;
        for (uint256 start = 0; start < n; start += pageSize) {
            OfferRegistry.OfferView[] memory page = offers.offersPage(start, pageSize);
            for (uint256 i = 0; i < page.length; ++i) {
                vm.assertEq(page[i].modelId, bytes32(seen + 1));
                ++seen;
            }
        }
        vm.assertEq(seen, n);
    }

    // ------------------------------------------------------------------ helpers

    function _publish(address who, bytes32 modelId, address token) internal returns (bytes32) {
        vm.prank(who);
        return offers.publish(modelId, token, NAME, 100, 300, 4096, 8);
    }

    function _name(uint256 length) internal pure returns (string memory) {
        bytes memory b = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            b[i] = "m";
        }
        return string(b);
    }

    function _expectedError(
        bytes32 modelId,
        address token,
        bytes calldata name,
        uint32 contextLength,
        uint32 concurrency
    ) internal pure returns (bytes memory) {
        if (modelId == bytes32(0)) {
            return abi.encodeWithSelector(OfferRegistry.EmptyModelId.selector);
        }
        if (token == address(0)) return abi.encodeWithSelector(OfferRegistry.InvalidToken.selector);
        if (name.length == 0) return abi.encodeWithSelector(OfferRegistry.EmptyModelName.selector);
        if (name.length > 128) {
            return abi.encodeWithSelector(OfferRegistry.ModelNameTooLong.selector, name.length, 128);
        }
        for (uint256 i = 0; i < name.length; ++i) {
            if (uint8(name[i]) < 0x21 || uint8(name[i]) > 0x7e) {
                return abi.encodeWithSelector(OfferRegistry.InvalidModelNameByte.selector, i);
            }
        }
        if (contextLength == 0) return abi.encodeWithSelector(OfferRegistry.ZeroContextLength.selector);
        if (concurrency == 0) return abi.encodeWithSelector(OfferRegistry.ZeroConcurrency.selector);
        return "";
    }
}

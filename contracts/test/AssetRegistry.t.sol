// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProvenanceFixture} from "./utils/ProvenanceFixture.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";

contract AssetRegistryTest is ProvenanceFixture {
    address internal alice;
    address internal bob;
    address internal mallory;

    function setUp() public {
        _deployProvenance();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        mallory = makeAddr("mallory");
    }

    // ------------------------------------------------------------------ registration

    function test_register_recordsContentLicenceAndLineage_andMintsToTheCaller() public {
        uint256 data = _registerAs(alice, 1, _noParents());
        vm.expectEmit(address(registry));
        emit AssetRegistry.ParentLinked(2, data, 2_500);
        uint256 model = _registerAs(bob, 2, _one(data, 2_500));

        vm.assertEq(data, 1);
        vm.assertEq(model, 2);
        vm.assertEq(registry.ownerOf(model), bob);
        AssetRegistry.Asset memory a = registry.assetOf(model);
        vm.assertEq(a.contentId, _cid(2));
        vm.assertEq(a.metadataId, _cid(1_000_002));
        vm.assertEq(uint256(a.kind), uint256(AssetRegistry.Kind.Model));
        vm.assertEq(uint256(a.status), uint256(AssetRegistry.Status.Active));
        vm.assertEq(a.licence.spdx, "Apache-2.0");
        vm.assertEq(a.parents.length, 1);
        vm.assertEq(uint256(a.parents[0].assetId), data);
        vm.assertEq(uint256(a.parents[0].shareBps), 2_500);
        vm.assertEq(registry.royaltyWalkOf(data), 1);
        vm.assertEq(registry.royaltyWalkOf(model), 2);
    }

    function test_register_refusesAnEdgeToAnUnknownAsset_includingItsOwnFutureId() public {
        _registerAs(alice, 1, _noParents());
        uint256 next = registry.nextAssetId();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, next));
        registry.register(AssetRegistry.Kind.Model, _declaration(2, _one(next, 100)));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, 0));
        registry.register(AssetRegistry.Kind.Model, _declaration(2, _one(0, 100)));
    }

    function test_register_refusesDuplicateParentsTooManyParentsAndSharesAboveTheWhole() public {
        uint256 d = _registerAs(alice, 1, _noParents());
        uint256 e = _registerAs(alice, 2, _noParents());
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.DuplicateParent.selector, d));
        registry.register(AssetRegistry.Kind.Model, _declaration(3, _two(d, 10, d, 10)));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.SharesAboveWhole.selector, 10_001));
        registry.register(AssetRegistry.Kind.Model, _declaration(3, _two(d, 5_000, e, 5_001)));

        AssetRegistry.Parent[] memory nine = new AssetRegistry.Parent[](9);
        for (uint256 i = 0; i < 9; ++i) {
            nine[i] = AssetRegistry.Parent({assetId: uint64(_registerAs(alice, 10 + i, _noParents())), shareBps: 1});
        }
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.TooManyParents.selector, 9));
        registry.register(AssetRegistry.Kind.Model, _declaration(3, nine));

        // the whole (10_000) is allowed: the owner then keeps only rounding remainders
        _registerAs(bob, 4, _two(d, 5_000, e, 5_000));
    }

    function test_register_refusesBadContentIdsSpdxAndTerms() public {
        AssetRegistry.Declaration memory dec = _declaration(1, _noParents());
        dec.contentId = "";
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.InvalidContentId.selector, 0));
        registry.register(AssetRegistry.Kind.Dataset, dec);
        dec.contentId = new bytes(65);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.InvalidContentId.selector, 65));
        registry.register(AssetRegistry.Kind.Dataset, dec);

        dec = _declaration(1, _noParents());
        dec.licence.spdx = "MIT\x1b[2J";
        vm.expectRevert(AssetRegistry.InvalidSpdx.selector);
        registry.register(AssetRegistry.Kind.Dataset, dec);
        dec.licence.spdx = "";
        vm.expectRevert(AssetRegistry.InvalidSpdx.selector);
        registry.register(AssetRegistry.Kind.Dataset, dec);

        dec = _declaration(1, _noParents());
        dec.licence.price = 5; // free with a price
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.InvalidTerms.selector, AssetRegistry.Terms.Free, address(0), 5));
        registry.register(AssetRegistry.Kind.Dataset, dec);
        dec.licence = _paidLicence(0); // paid without a price
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.InvalidTerms.selector, AssetRegistry.Terms.PaidPerUse, address(usd), 0));
        registry.register(AssetRegistry.Kind.Dataset, dec);
        dec.licence = AssetRegistry.Licence({
            spdx: "CC-BY-NC-4.0", terms: AssetRegistry.Terms.NonCommercial, token: IERC20(address(usd)), price: 0
        });
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.InvalidTerms.selector, AssetRegistry.Terms.NonCommercial, address(usd), 0));
        registry.register(AssetRegistry.Kind.Dataset, dec);
    }

    function test_register_refusesARevokedParent_butADeprecatedOneIsFine() public {
        uint256 d = _registerAs(alice, 1, _noParents());
        uint256 e = _registerAs(alice, 2, _noParents());
        vm.startPrank(alice);
        registry.revoke(d, "takedown");
        registry.deprecate(e, "superseded");
        vm.stopPrank();
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.AssetIsRevoked.selector, d));
        registry.register(AssetRegistry.Kind.Model, _declaration(3, _one(d, 100)));
        _registerAs(bob, 3, _one(e, 100));
    }

    /// @dev Eight parents of eight parents of ... would make one payment visit hundreds of assets; the registry stops
    /// lineage whose royalty walk passes MAX_ROYALTY_WALK.
    function test_register_refusesLineageWhoseRoyaltyWalkIsTooLarge() public {
        AssetRegistry.Parent[] memory eight = new AssetRegistry.Parent[](8);
        for (uint256 i = 0; i < 8; ++i) {
            eight[i] = AssetRegistry.Parent({assetId: uint64(_registerAs(alice, 100 + i, _noParents())), shareBps: 10});
        }
        uint256 wide = _registerAs(alice, 200, eight); // walk 9
        vm.assertEq(registry.royaltyWalkOf(wide), 9);
        AssetRegistry.Parent[] memory wides = new AssetRegistry.Parent[](8);
        for (uint256 i = 0; i < 7; ++i) {
            AssetRegistry.Declaration memory dec = _declaration(300 + i, eight);
            vm.prank(alice);
            wides[i] = AssetRegistry.Parent({assetId: uint64(registry.register(AssetRegistry.Kind.Model, dec)), shareBps: 10});
        }
        wides[7] = AssetRegistry.Parent({assetId: uint64(wide), shareBps: 10});
        // 1 + 8 * 9 = 73 > 64
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.LineageTooLarge.selector, 73));
        registry.register(AssetRegistry.Kind.Model, _declaration(400, wides));
    }

    // ------------------------------------------------------------------ versions

    function test_publishVersion_chainsVersions_onlyByTheOwner_withoutForks() public {
        uint256 v1 = _registerAs(alice, 1, _noParents());
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.NotAssetOwner.selector, v1, mallory));
        registry.publishVersion(v1, _declaration(2, _noParents()));

        vm.prank(alice);
        uint256 v2 = registry.publishVersion(v1, _declaration(2, _noParents()));
        vm.assertEq(uint256(registry.assetOf(v1).nextVersion), v2);
        vm.assertEq(uint256(registry.assetOf(v2).previousVersion), v1);
        vm.assertEq(uint256(registry.assetOf(v2).kind), uint256(AssetRegistry.Kind.Dataset));

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.VersionExists.selector, v1, v2));
        registry.publishVersion(v1, _declaration(3, _noParents()));
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, 99));
        registry.publishVersion(99, _declaration(3, _noParents()));
    }

    function test_publishVersion_ofARevokedAssetIsRefused() public {
        uint256 v1 = _registerAs(alice, 1, _noParents());
        vm.prank(alice);
        registry.revoke(v1, "");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.AssetIsRevoked.selector, v1));
        registry.publishVersion(v1, _declaration(2, _noParents()));
    }

    // ------------------------------------------------------------------ licence, deprecation, revocation

    function test_setLicence_onlyByTheOwner_andTheNewOwnerAfterATransfer() public {
        uint256 d = _registerAs(alice, 1, _noParents());
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.NotAssetOwner.selector, d, mallory));
        registry.setLicence(d, _paidLicence(7));

        vm.prank(alice);
        registry.transferFrom(alice, bob, d);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.NotAssetOwner.selector, d, alice));
        registry.setLicence(d, _paidLicence(7));
        vm.expectEmit(address(registry));
        emit AssetRegistry.LicenceSet(d, "LicenseRef-Hypha-Commercial", AssetRegistry.Terms.PaidPerUse, address(usd), 7);
        vm.prank(bob);
        registry.setLicence(d, _paidLicence(7));
        vm.assertEq(uint256(registry.licenceOf(d).price), 7);
    }

    function test_deprecateThenRevoke_areRecordedAndFinal_andNothingIsErased() public {
        uint256 d = _registerAs(alice, 1, _noParents());
        uint256 m = _registerAs(bob, 2, _one(d, 1_000));
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.NotAssetOwner.selector, d, mallory));
        registry.revoke(d, "");

        vm.expectEmit(address(registry));
        emit AssetRegistry.AssetDeprecated(d, "v2 is out");
        vm.prank(alice);
        registry.deprecate(d, "v2 is out");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.AssetIsDeprecated.selector, d));
        registry.deprecate(d, "again");
        vm.expectEmit(address(registry));
        emit AssetRegistry.AssetRevoked(d, "licence withdrawn");
        vm.prank(alice);
        registry.revoke(d, "licence withdrawn");

        vm.assertEq(uint256(registry.statusOf(d)), uint256(AssetRegistry.Status.Revoked));
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.AssetIsRevoked.selector, d));
        registry.revoke(d, "");
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.AssetIsRevoked.selector, d));
        registry.deprecate(d, "");
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.AssetIsRevoked.selector, d));
        registry.setLicence(d, _freeLicence());
        vm.stopPrank();
        // the record and the lineage stay
        vm.assertEq(registry.assetOf(d).contentId, _cid(1));
        vm.assertEq(uint256(registry.parentsOf(m)[0].assetId), d);
        vm.assertEq(registry.ownerOf(d), alice);
    }

    function test_reasonsAreBounded() public {
        uint256 d = _registerAs(alice, 1, _noParents());
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.ReasonTooLong.selector, 257));
        registry.revoke(d, string(new bytes(257)));
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Builds a random lineage graph where each new asset names random ids (known, unknown or its own future id)
    /// as parents: only edges to existing assets are accepted, and every stored edge points to a smaller id, so the
    /// graph has no cycle.
    function testFuzz_lineageOnlyReachesExistingAssets_soItIsAcyclic(uint256 seed) public {
        for (uint256 step = 0; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 next = registry.nextAssetId();
            uint256 count = r % 4;
            AssetRegistry.Parent[] memory ps = new AssetRegistry.Parent[](count);
            bool valid = true;
            for (uint256 i = 0; i < count; ++i) {
                uint256 pid = (r >> (8 * (i + 1))) % (next + 2); // 0, existing ids, next (self), next + 1
                ps[i] = AssetRegistry.Parent({assetId: uint64(pid), shareBps: 100});
                if (pid == 0 || pid >= next) valid = false;
                for (uint256 j = 0; j < i; ++j) {
                    if (ps[j].assetId == ps[i].assetId) valid = false;
                }
            }
            vm.prank(alice);
            try registry.register(AssetRegistry.Kind.Model, _declaration(step, ps)) returns (uint256 id) {
                vm.assertTrue(valid, "an edge to an unknown asset or a duplicate was accepted");
                vm.assertEq(id, next);
            } catch {
                vm.assertFalse(valid, "a valid lineage was refused");
            }
        }
        for (uint256 id = 1; id < registry.nextAssetId(); ++id) {
            AssetRegistry.Parent[] memory ps = registry.parentsOf(id);
            for (uint256 i = 0; i < ps.length; ++i) {
                vm.assertLt(ps[i].assetId, id);
                vm.assertGt(ps[i].assetId, 0);
            }
        }
    }

    function testFuzz_onlyTheOwnerActsOnAnAsset(address caller, uint8 action) public {
        uint256 d = _registerAs(alice, 1, _noParents());
        vm.assume(caller != alice);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.NotAssetOwner.selector, d, caller));
        if (action % 4 == 0) registry.deprecate(d, "");
        else if (action % 4 == 1) registry.revoke(d, "");
        else if (action % 4 == 2) registry.setLicence(d, _freeLicence());
        else registry.publishVersion(d, _declaration(2, _noParents()));
    }

    // ------------------------------------------------------------------ content-id claims (squatting)

    /// @dev A squatter registers the author's bytes first, and another copies the author's own pending declaration
    /// (a mempool front-run: same content, metadata, licence and lineage, mined before it). The author's registration
    /// still succeeds, and the (content id, author) key resolves to the author's asset, not to either copy.
    function test_squatterAndFrontRunner_getTheirOwnClaims_neverTheAuthors() public {
        uint256 data = _registerAs(bob, 1, _noParents());
        AssetRegistry.Declaration memory authors = _declaration(7, _one(data, 2_000));
        vm.prank(mallory);
        uint256 squat = registry.register(AssetRegistry.Kind.Model, _declaration(7, _noParents()));
        address frontRunner = makeAddr("frontRunner");
        vm.prank(frontRunner);
        uint256 copy = registry.register(AssetRegistry.Kind.Model, authors);
        vm.prank(alice);
        uint256 real = registry.register(AssetRegistry.Kind.Model, authors);

        vm.assertEq(registry.assetByContent(_cid(7), alice), real);
        vm.assertEq(registry.assetByContent(_cid(7), mallory), squat);
        vm.assertEq(registry.assetByContent(_cid(7), frontRunner), copy);
        vm.assertEq(registry.assetByContent(_cid(7), bob), 0);
        vm.assertEq(registry.registrantOf(real), alice);
        vm.assertEq(registry.registrantOf(squat), mallory);

        // Revenue a payer routes by (content id, author) reaches the author and its lineage; the squatter gets nothing.
        usd.mint(address(this), 1_000);
        usd.approve(address(splitter), 1_000);
        splitter.pay(registry.assetByContent(_cid(7), alice), IERC20(address(usd)), 1_000);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), alice), 800);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), bob), 200);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), mallory), 0);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), frontRunner), 0);
    }

    function test_aRegistrantClaimsAContentIdOnce_evenAsANewVersion() public {
        uint256 first = _registerAs(alice, 1, _noParents());
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.ContentAlreadyClaimed.selector, alice, first));
        registry.register(AssetRegistry.Kind.Model, _declaration(1, _noParents()));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.ContentAlreadyClaimed.selector, alice, first));
        registry.publishVersion(first, _declaration(1, _noParents()));
        vm.assertEq(registry.nextAssetId(), 2, "nothing was minted");
    }

    /// @dev A transfer moves the token (and so the revenue) but not the claim: the key a payer resolved stays valid,
    /// and the new owner cannot claim the content again under the old registrant's name.
    function test_aTransferKeepsTheClaim_andTheNewOwnerIsPaid() public {
        uint256 id = _registerAs(alice, 1, _noParents());
        vm.prank(alice);
        registry.transferFrom(alice, bob, id);
        vm.assertEq(registry.assetByContent(_cid(1), alice), id);
        vm.assertEq(registry.registrantOf(id), alice);
        vm.assertEq(registry.assetByContent(_cid(1), bob), 0);
        usd.mint(address(this), 50);
        usd.approve(address(splitter), 50);
        splitter.pay(registry.assetByContent(_cid(1), alice), IERC20(address(usd)), 50);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), bob), 50);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, 9));
        registry.registrantOf(9);
    }

    /// @dev Any interleaving of registrations of a few contents by a few accounts: every (content, account) pair that
    /// registered resolves to exactly the asset that account registered with that content, whoever came first; pairs
    /// that never registered resolve to nothing; a repeat by the same account is refused.
    function testFuzz_eachClaimResolvesToItsRegistrantsAsset(uint256 seed) public {
        address[3] memory who = [alice, bob, mallory];
        uint256[3][3] memory expected;
        for (uint256 step = 0; step < 16; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 c = r % 3;
            uint256 w = (r >> 8) % 3;
            vm.prank(who[w]);
            if (expected[c][w] != 0) {
                vm.expectRevert(abi.encodeWithSelector(AssetRegistry.ContentAlreadyClaimed.selector, who[w], expected[c][w]));
                registry.register(AssetRegistry.Kind.Model, _declaration(c, _noParents()));
            } else {
                expected[c][w] = registry.register(AssetRegistry.Kind.Model, _declaration(c, _noParents()));
            }
        }
        for (uint256 c = 0; c < 3; ++c) {
            for (uint256 w = 0; w < 3; ++w) {
                vm.assertEq(registry.assetByContent(_cid(c), who[w]), expected[c][w]);
                if (expected[c][w] != 0) {
                    vm.assertEq(registry.registrantOf(expected[c][w]), who[w]);
                    vm.assertEq(registry.assetOf(expected[c][w]).contentId, _cid(c));
                }
            }
        }
    }
}

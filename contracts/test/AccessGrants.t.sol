// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProvenanceFixture} from "./utils/ProvenanceFixture.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {AccessGrants} from "../src/AccessGrants.sol";

contract AccessGrantsTest is ProvenanceFixture {
    address internal owner;
    address internal reader;
    address internal buyer;
    address internal mallory;
    address internal upstream;
    uint256 internal dataset;
    bytes32 internal constant BUYER_KEY = bytes32(uint256(0xb0b));
    bytes32 internal constant SPEC = keccak256("job spec cid");

    function setUp() public {
        _deployProvenance();
        owner = makeAddr("owner");
        reader = makeAddr("reader");
        buyer = makeAddr("buyer");
        mallory = makeAddr("mallory");
        upstream = makeAddr("upstream");
        uint256 raw = _registerAs(upstream, 1, _noParents());
        dataset = _registerAs(owner, 2, _one(raw, 1_000)); // a derived dataset: 10 % of its revenue goes upstream
        vm.prank(owner);
        registry.setLicence(dataset, _paidLicence(50e6));
        usd.mint(buyer, 1_000e6);
        vm.prank(buyer);
        usd.approve(address(grants), type(uint256).max);
    }

    // ------------------------------------------------------------------ grants by the owner

    function test_grant_givesTheGranteeItsKey_andNobodyElseGetsOne() public {
        vm.expectEmit(address(grants));
        emit AccessGrants.AccessGranted(dataset, reader, 0, hex"c0ffee");
        vm.prank(owner);
        grants.grant(dataset, reader, hex"c0ffee");
        vm.assertEq(grants.keyOf(dataset, reader), hex"c0ffee");
        vm.assertTrue(grants.hasAccess(dataset, reader));
        vm.assertFalse(grants.hasAccess(dataset, mallory));
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
        grants.keyOf(dataset, mallory);
    }

    function test_grant_onlyByTheAssetsOwner_withABoundedKey() public {
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, dataset, mallory));
        grants.grant(dataset, mallory, hex"01");
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.InvalidKey.selector, 0));
        grants.grant(dataset, reader, "");
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.InvalidKey.selector, 513));
        grants.grant(dataset, reader, new bytes(513));
        vm.expectRevert(AccessGrants.InvalidGrantee.selector);
        grants.grant(dataset, address(0), hex"01");
        vm.stopPrank();
    }

    function test_revoke_deletesTheKey_andOnlyTheOwnerRevokes() public {
        vm.prank(owner);
        grants.grant(dataset, reader, hex"c0ffee");
        vm.prank(reader);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, dataset, reader));
        grants.revoke(dataset, reader);
        vm.prank(owner);
        grants.revoke(dataset, reader);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
        grants.keyOf(dataset, reader);
        vm.assertEq(grants.grantOf(dataset, reader).encryptedKey, "");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
        grants.revoke(dataset, reader);
    }

    function test_rotateKey_leavesRevokedGranteesWithNothingNew_whileReissuedGrantsHoldTheNewKey() public {
        vm.startPrank(owner);
        grants.grant(dataset, reader, hex"0a");
        grants.grant(dataset, mallory, hex"0b");
        grants.revoke(dataset, mallory);
        vm.expectEmit(address(grants));
        emit AccessGrants.KeyRotated(dataset, 1);
        grants.rotateKey(dataset);
        vm.stopPrank();
        // nobody holds a key of the new epoch until re-issued
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
        grants.keyOf(dataset, reader);
        vm.prank(owner);
        grants.grant(dataset, reader, hex"1a");
        vm.assertEq(grants.keyOf(dataset, reader), hex"1a");
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
        grants.keyOf(dataset, mallory);
        vm.assertFalse(grants.hasAccess(dataset, mallory));
    }

    function test_grantJob_scopesAccessToAJobSpec() public {
        vm.prank(owner);
        grants.grantJob(dataset, SPEC, "");
        vm.assertTrue(grants.jobHasAccess(dataset, SPEC));
        vm.assertEq(grants.jobKeyOf(dataset, SPEC), "");
        vm.assertFalse(grants.jobHasAccess(dataset, keccak256("other spec")));
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, dataset, mallory));
        grants.grantJob(dataset, keccak256("mine"), hex"01");
        vm.prank(owner);
        grants.revokeJob(dataset, SPEC);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
        grants.jobKeyOf(dataset, SPEC);
    }

    function test_revokedAssetTakesNoNewGrants() public {
        vm.startPrank(owner);
        grants.grant(dataset, reader, hex"0a");
        registry.revoke(dataset, "");
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, dataset));
        grants.grant(dataset, mallory, hex"0b");
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, dataset));
        grants.grantJob(dataset, SPEC, hex"0b");
        grants.revoke(dataset, reader); // revoking still works
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ paid access

    function _request() internal returns (uint256 id) {
        vm.prank(buyer);
        id = grants.requestAccess(dataset, BUYER_KEY, 50e6);
    }

    function test_requestAccess_escrowsThePrice_andFulfilPaysItUpTheLineage() public {
        uint256 id = _request();
        vm.assertEq(usd.balanceOf(address(grants)), 50e6);
        AccessGrants.Request memory r = grants.requestOf(id);
        vm.assertEq(r.buyer, buyer);
        vm.assertEq(r.recipientKey, BUYER_KEY);
        vm.assertEq(uint256(r.deadline), block.timestamp + grants.DELIVERY_WINDOW());

        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, dataset, mallory));
        grants.fulfil(id, hex"5eed");

        vm.prank(owner);
        grants.fulfil(id, hex"5eed");
        vm.assertEq(grants.keyOf(dataset, buyer), hex"5eed");
        vm.assertEq(usd.balanceOf(address(grants)), 0);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), owner), 45e6);
        vm.assertEq(splitter.balanceOf(IERC20(address(usd)), upstream), 5e6);

        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.RequestNotOpen.selector, id, AccessGrants.RequestState.Fulfilled));
        grants.fulfil(id, hex"5eed");
    }

    function test_requestAccess_refusesWhatIsNotForSale_aRaisedPrice_andARevokedAsset() public {
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.PriceAboveLimit.selector, 50e6, 49e6));
        grants.requestAccess(dataset, BUYER_KEY, 49e6);
        vm.prank(buyer);
        vm.expectRevert(AccessGrants.InvalidGrantee.selector);
        grants.requestAccess(dataset, bytes32(0), 50e6);
        uint256 free = _registerAs(owner, 9, _noParents());
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotForSale.selector, free));
        grants.requestAccess(free, BUYER_KEY, 50e6);
        vm.prank(owner);
        registry.revoke(dataset, "");
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, dataset));
        grants.requestAccess(dataset, BUYER_KEY, 50e6);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, 77));
        grants.requestAccess(77, BUYER_KEY, 50e6);
    }

    function test_decline_refundsAtOnce() public {
        uint256 id = _request();
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, dataset, mallory));
        grants.decline(id);
        vm.prank(owner);
        grants.decline(id);
        vm.assertEq(usd.balanceOf(buyer), 1_000e6);
        vm.assertFalse(grants.hasAccess(dataset, buyer));
    }

    function test_refund_onlyAfterTheWindow_orAtOnceWhenTheAssetIsRevoked() public {
        uint256 id = _request();
        uint64 deadline = grants.requestOf(id).deadline;
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.DeliveryWindowOpen.selector, deadline));
        grants.refund(id);
        vm.warp(deadline + 1);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.DeliveryWindowOver.selector, deadline));
        grants.fulfil(id, hex"01");
        vm.prank(mallory); // anyone triggers; the money goes to the buyer
        grants.refund(id);
        vm.assertEq(usd.balanceOf(buyer), 1_000e6);
        vm.assertEq(usd.balanceOf(mallory), 0);

        uint256 id2 = _request();
        vm.prank(owner);
        registry.revoke(dataset, "");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, dataset));
        grants.fulfil(id2, hex"01");
        grants.refund(id2);
        vm.assertEq(usd.balanceOf(buyer), 1_000e6);
    }

    function test_priceChangeAfterARequestDoesNotChangeWhatWasPaid() public {
        uint256 id = _request();
        vm.prank(owner);
        registry.setLicence(dataset, _paidLicence(500e6));
        vm.prank(owner);
        grants.fulfil(id, hex"01");
        vm.assertEq(usd.balanceOf(buyer), 950e6);
    }

    function test_unknownRequestIsNamed() public {
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.UnknownRequest.selector, 5));
        grants.refund(5);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.UnknownRequest.selector, 5));
        grants.requestOf(5);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_onlyGranteesObtainKeys(address who, address granted, bytes calldata key) public {
        vm.assume(key.length > 0 && key.length <= 512 && granted != address(0));
        vm.prank(owner);
        grants.grant(dataset, granted, key);
        if (who == granted) {
            vm.assertEq(grants.keyOf(dataset, who), key);
        } else {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, dataset));
            grants.keyOf(dataset, who);
        }
    }

    function testFuzz_onlyTheOwnerGrantsOrRevokes(address caller, uint8 action) public {
        vm.assume(caller != owner);
        vm.prank(owner);
        grants.grant(dataset, reader, hex"01");
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, dataset, caller));
        if (action % 4 == 0) grants.grant(dataset, caller, hex"02");
        else if (action % 4 == 1) grants.revoke(dataset, reader);
        else if (action % 4 == 2) grants.rotateKey(dataset);
        else grants.grantJob(dataset, SPEC, hex"02");
    }
}

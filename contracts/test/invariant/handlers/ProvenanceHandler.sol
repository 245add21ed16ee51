// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {AssetRegistry} from "../../../src/AssetRegistry.sol";
import {RoyaltySplitter} from "../../../src/RoyaltySplitter.sol";
import {AccessGrants} from "../../../src/AccessGrants.sol";

/// @notice Random lives of assets among a few accounts: registrations with random lineage (and attempts at edges to
/// unknown assets), revenue payments, withdrawals, grants, revocations, key rotations, paid access requests fulfilled,
/// declined or refunded, asset revocations and transfers, strangers trying owners' actions, and time travel. Ghost
/// books record what each account must hold and which grants hold which key.
contract ProvenanceHandler is HyphaTest {
    uint256 public constant ACTORS = 4;
    uint256 public constant INITIAL_BALANCE = 1_000_000e6;

    PaymentToken public immutable usd;
    AssetRegistry public immutable registry;
    RoyaltySplitter public immutable splitter;
    AccessGrants public immutable grants;
    address public immutable stranger;
    address[] public actors;
    uint256[] public openRequests;

    uint256 public ghostPaidIn; // into the splitter, in total
    uint256 public ghostWithdrawn; // out of the splitter, in total
    uint256 public ghostEscrow; // held by AccessGrants for open requests
    uint256 public ghostPayments; // number of revenue payments checked
    uint256 public ghostSquats; // registrations of another account's content id that were accepted
    /// @dev The first asset each account registered with a content id: the claim a payer naming that account resolves.
    mapping(bytes32 contentKey => mapping(address registrant => uint256 assetId)) public ghostClaim;
    mapping(uint256 assetId => mapping(address grantee => bytes)) internal _ghostKey; // empty: no active grant
    mapping(uint256 assetId => mapping(address grantee => uint32)) internal _ghostKeyEpoch;
    mapping(uint256 assetId => uint32) public ghostEpoch;

    constructor(PaymentToken usd_, AssetRegistry registry_, RoyaltySplitter splitter_, AccessGrants grants_) {
        usd = usd_;
        registry = registry_;
        splitter = splitter_;
        grants = grants_;
        stranger = makeAddr("stranger");
        for (uint256 i = 0; i < ACTORS; ++i) actors.push(makeAddr(string.concat("actor", vm.toString(i))));
    }

    /// @dev Called once by the test after it minted INITIAL_BALANCE to every actor.
    function approveAll() external {
        for (uint256 i = 0; i < ACTORS; ++i) {
            vm.startPrank(actors[i]);
            usd.approve(address(splitter), type(uint256).max);
            usd.approve(address(grants), type(uint256).max);
            vm.stopPrank();
        }
    }

    // ---------------------------------------------------------------------------------------------- registry

    function register(uint256 ownerSeed, uint256 parentSeed, uint16 shareA, uint16 shareB, uint96 price) external {
        address owner = actors[ownerSeed % ACTORS];
        uint256 existing = registry.nextAssetId() - 1;
        uint256 count = existing == 0 ? 0 : parentSeed % 3;
        if (count == 2 && existing < 2) count = 1;
        AssetRegistry.Parent[] memory ps = new AssetRegistry.Parent[](count);
        uint256 first = existing == 0 ? 0 : 1 + (parentSeed >> 8) % existing;
        if (count >= 1) ps[0] = AssetRegistry.Parent({assetId: uint64(first), shareBps: uint16(shareA % 5_001)});
        if (count == 2) {
            uint256 second = first == existing ? 1 : first + 1;
            ps[1] = AssetRegistry.Parent({assetId: uint64(second), shareBps: uint16(shareB % 5_001)});
        }
        bool parentRevoked;
        for (uint256 i = 0; i < count; ++i) {
            if (registry.statusOf(ps[i].assetId) == AssetRegistry.Status.Revoked) parentRevoked = true;
        }
        AssetRegistry.Licence memory licence = price % 2 == 0
            ? AssetRegistry.Licence({spdx: "MIT", terms: AssetRegistry.Terms.Free, token: IERC20(address(0)), price: 0})
            : AssetRegistry.Licence({
                spdx: "LicenseRef-Paid", terms: AssetRegistry.Terms.PaidPerUse, token: IERC20(address(usd)),
                price: uint96(bound(price, 1, 1_000e6))
            });
        AssetRegistry.Declaration memory dec = AssetRegistry.Declaration({
            contentId: abi.encodePacked(hex"01551220", keccak256(abi.encode(existing))),
            metadataId: "",
            licence: licence,
            parents: ps
        });
        vm.prank(owner);
        if (parentRevoked) {
            vm.expectPartialRevert(AssetRegistry.AssetIsRevoked.selector);
            registry.register(AssetRegistry.Kind.Model, dec);
            return;
        }
        uint256 id = registry.register(AssetRegistry.Kind.Model, dec);
        ghostClaim[keccak256(dec.contentId)][owner] = id;
    }

    /// @dev An actor registers the content id of an existing asset: a squat of another's
    /// bytes, or a front-run copy of its declaration. It is accepted as the squatter's own claim, refused as a repeat
    /// of the squatter's own, and never changes which asset the original registrant's claim resolves to (checked by
    /// the invariant through ghostClaim).
    function squat(uint256 assetSeed, uint256 squatterSeed) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        address squatter = actors[squatterSeed % ACTORS];
        AssetRegistry.Asset memory a = registry.assetOf(id);
        AssetRegistry.Declaration memory dec = AssetRegistry.Declaration({
            contentId: a.contentId,
            metadataId: a.metadataId,
            licence: AssetRegistry.Licence({spdx: "MIT", terms: AssetRegistry.Terms.Free, token: IERC20(address(0)), price: 0}),
            parents: new AssetRegistry.Parent[](0)
        });
        bytes32 key = keccak256(a.contentId);
        uint256 existing = ghostClaim[key][squatter];
        vm.prank(squatter);
        if (existing != 0) {
            vm.expectRevert(abi.encodeWithSelector(AssetRegistry.ContentAlreadyClaimed.selector, squatter, existing));
            registry.register(AssetRegistry.Kind.Model, dec);
            return;
        }
        ghostClaim[key][squatter] = registry.register(AssetRegistry.Kind.Model, dec);
        ghostSquats += 1;
    }

    /// @dev An edge to the id the asset itself would get (or beyond) must be refused: this is what keeps lineage acyclic.
    function registerWithUnknownParent(uint256 ownerSeed, uint8 ahead) external {
        uint256 unknown = registry.nextAssetId() + (ahead % 3);
        AssetRegistry.Parent[] memory ps = new AssetRegistry.Parent[](1);
        ps[0] = AssetRegistry.Parent({assetId: uint64(unknown), shareBps: 100});
        AssetRegistry.Declaration memory dec = AssetRegistry.Declaration({
            contentId: hex"0155", metadataId: "",
            licence: AssetRegistry.Licence({spdx: "MIT", terms: AssetRegistry.Terms.Free, token: IERC20(address(0)), price: 0}),
            parents: ps
        });
        vm.prank(actors[ownerSeed % ACTORS]);
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, unknown));
        registry.register(AssetRegistry.Kind.Model, dec);
    }

    /// @dev Only one call in four revokes, so most assets live long enough to be paid, granted and sold.
    function revokeAsset(uint256 assetSeed) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok || assetSeed % 4 != 0 || registry.statusOf(id) == AssetRegistry.Status.Revoked) return;
        vm.prank(registry.ownerOf(id));
        registry.revoke(id, "handler");
    }

    function transferAsset(uint256 assetSeed, uint256 toSeed) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        address from = registry.ownerOf(id);
        vm.prank(from);
        registry.transferFrom(from, actors[toSeed % ACTORS], id);
    }

    // ---------------------------------------------------------------------------------------------- royalties

    /// @dev Checks on the spot that the credits of this payment add up to it, to the unit.
    function pay(uint256 payerSeed, uint256 assetSeed, uint256 amount) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        amount = bound(amount, 1, 10_000e6);
        uint256 before = _credited();
        vm.prank(actors[payerSeed % ACTORS]);
        splitter.pay(id, IERC20(address(usd)), amount);
        vm.assertEq(_credited() - before, amount, "a payment's credits != the payment");
        ghostPaidIn += amount;
        ghostPayments += 1;
    }

    function withdraw(uint256 actorSeed) external {
        address a = actors[actorSeed % ACTORS];
        uint256 owed = splitter.balanceOf(IERC20(address(usd)), a);
        vm.prank(a);
        if (owed == 0) {
            vm.expectRevert(RoyaltySplitter.ZeroAmount.selector);
            splitter.withdraw(IERC20(address(usd)), a);
            return;
        }
        vm.assertEq(splitter.withdraw(IERC20(address(usd)), a), owed);
        ghostWithdrawn += owed;
    }

    // ---------------------------------------------------------------------------------------------- grants

    function grant(uint256 assetSeed, uint256 granteeSeed, bytes32 key) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        address grantee = actors[granteeSeed % ACTORS];
        bytes memory encrypted = abi.encodePacked(key, id);
        bool revoked = registry.statusOf(id) == AssetRegistry.Status.Revoked;
        vm.prank(registry.ownerOf(id));
        if (revoked) {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, id));
            grants.grant(id, grantee, encrypted);
            return;
        }
        grants.grant(id, grantee, encrypted);
        _ghostKey[id][grantee] = encrypted;
        _ghostKeyEpoch[id][grantee] = ghostEpoch[id];
    }

    function revokeGrant(uint256 assetSeed, uint256 granteeSeed) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        address grantee = actors[granteeSeed % ACTORS];
        vm.prank(registry.ownerOf(id));
        if (_ghostKey[id][grantee].length == 0) {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.NoGrant.selector, id));
            grants.revoke(id, grantee);
            return;
        }
        grants.revoke(id, grantee);
        delete _ghostKey[id][grantee];
    }

    function rotateKey(uint256 assetSeed) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        vm.prank(registry.ownerOf(id));
        grants.rotateKey(id);
        ghostEpoch[id] += 1;
    }

    /// @dev A stranger (never an owner) tries an owner's action: always refused.
    function strangerActs(uint256 assetSeed, uint8 action) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotAssetOwner.selector, id, stranger));
        if (action % 3 == 0) grants.grant(id, stranger, hex"01");
        else if (action % 3 == 1) grants.rotateKey(id);
        else grants.revoke(id, actors[0]);
    }

    // ---------------------------------------------------------------------------------------------- paid access

    function requestAccess(uint256 assetSeed, uint256 buyerSeed) external {
        (bool ok, uint256 id) = _asset(assetSeed);
        if (!ok) return;
        AssetRegistry.Licence memory l = registry.licenceOf(id);
        address buyer = actors[buyerSeed % ACTORS];
        bool revoked = registry.statusOf(id) == AssetRegistry.Status.Revoked;
        vm.prank(buyer);
        if (revoked) {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, id));
            grants.requestAccess(id, bytes32(uint256(1)), type(uint256).max);
            return;
        }
        if (l.terms != AssetRegistry.Terms.PaidPerUse) {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.NotForSale.selector, id));
            grants.requestAccess(id, bytes32(uint256(1)), type(uint256).max);
            return;
        }
        uint256 rid = grants.requestAccess(id, bytes32(uint256(uint160(buyer))), l.price);
        openRequests.push(rid);
        ghostEscrow += l.price;
    }

    function fulfil(uint256 requestSeed, bytes32 key) external {
        if (openRequests.length == 0) return;
        uint256 index = requestSeed % openRequests.length;
        AccessGrants.Request memory r = grants.requestOf(openRequests[index]);
        bytes memory encrypted = abi.encodePacked(key, r.buyer);
        bool revoked = registry.statusOf(r.assetId) == AssetRegistry.Status.Revoked;
        uint256 before = _credited();
        vm.prank(registry.ownerOf(r.assetId));
        if (revoked) {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.AssetIsRevoked.selector, uint256(r.assetId)));
            grants.fulfil(openRequests[index], encrypted);
            return;
        }
        if (block.timestamp > r.deadline) {
            vm.expectRevert(abi.encodeWithSelector(AccessGrants.DeliveryWindowOver.selector, r.deadline));
            grants.fulfil(openRequests[index], encrypted);
            return;
        }
        grants.fulfil(openRequests[index], encrypted);
        vm.assertEq(_credited() - before, r.amount, "a sale's credits != its price");
        _ghostKey[r.assetId][r.buyer] = encrypted;
        _ghostKeyEpoch[r.assetId][r.buyer] = ghostEpoch[r.assetId];
        ghostEscrow -= r.amount;
        ghostPaidIn += r.amount;
        _close(index);
    }

    function declineOrRefund(uint256 requestSeed, bool decline) external {
        if (openRequests.length == 0) return;
        uint256 index = requestSeed % openRequests.length;
        AccessGrants.Request memory r = grants.requestOf(openRequests[index]);
        if (decline) {
            vm.prank(registry.ownerOf(r.assetId));
            grants.decline(openRequests[index]);
        } else {
            bool revoked = registry.statusOf(r.assetId) == AssetRegistry.Status.Revoked;
            vm.prank(stranger);
            if (block.timestamp <= r.deadline && !revoked) {
                vm.expectRevert(abi.encodeWithSelector(AccessGrants.DeliveryWindowOpen.selector, r.deadline));
                grants.refund(openRequests[index]);
                return;
            }
            grants.refund(openRequests[index]);
        }
        ghostEscrow -= r.amount;
        _close(index);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 1, 2 days));
    }

    // ---------------------------------------------------------------------------------------------- views for the test

    function actorCount() external pure returns (uint256) {
        return ACTORS;
    }

    function openRequestCount() external view returns (uint256) {
        return openRequests.length;
    }

    function ghostKey(uint256 assetId, address grantee) external view returns (bytes memory key, uint32 epoch) {
        return (_ghostKey[assetId][grantee], _ghostKeyEpoch[assetId][grantee]);
    }

    function _credited() internal view returns (uint256 sum) {
        for (uint256 i = 0; i < ACTORS; ++i) sum += splitter.balanceOf(IERC20(address(usd)), actors[i]);
    }

    function _asset(uint256 seed) internal view returns (bool, uint256) {
        uint256 existing = registry.nextAssetId() - 1;
        if (existing == 0) return (false, 0);
        return (true, 1 + seed % existing);
    }

    function _close(uint256 index) internal {
        openRequests[index] = openRequests[openRequests.length - 1];
        openRequests.pop();
    }
}

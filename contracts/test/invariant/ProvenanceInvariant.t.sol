// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {AssetRegistry} from "../../src/AssetRegistry.sol";
import {RoyaltySplitter} from "../../src/RoyaltySplitter.sol";
import {AccessGrants} from "../../src/AccessGrants.sol";
import {ProvenanceHandler} from "./handlers/ProvenanceHandler.sol";

/// @notice Whatever mix of registrations, payments, withdrawals, grants, revocations, key rotations, paid requests,
/// asset revocations, transfers and time travel happens: every payment's credits add up to it (checked in the
/// handler); the splitter holds exactly what it owes; AccessGrants holds exactly the open requests' payments; no token
/// is created or lost; only accounts holding an active grant of the current epoch obtain a key, and it is the last one
/// the owner gave them; every lineage edge points to an existing, older asset (no cycles); every (content id,
/// registrant) claim resolves to the asset that registrant registered, however many others (squatters, front-runners)
/// registered the same bytes before or after.
contract ProvenanceInvariantTest is HyphaTest, InvariantTest {
    PaymentToken internal usd;
    AssetRegistry internal registry;
    RoyaltySplitter internal splitter;
    AccessGrants internal grants;
    ProvenanceHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        registry = new AssetRegistry();
        splitter = new RoyaltySplitter(registry);
        grants = new AccessGrants(registry, splitter);
        handler = new ProvenanceHandler(usd, registry, splitter, grants);
        for (uint256 i = 0; i < handler.ACTORS(); ++i) usd.mint(handler.actors(i), handler.INITIAL_BALANCE());
        handler.approveAll();

        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = ProvenanceHandler.register.selector;
        selectors[1] = ProvenanceHandler.registerWithUnknownParent.selector;
        selectors[2] = ProvenanceHandler.revokeAsset.selector;
        selectors[3] = ProvenanceHandler.transferAsset.selector;
        selectors[4] = ProvenanceHandler.pay.selector;
        selectors[5] = ProvenanceHandler.withdraw.selector;
        selectors[6] = ProvenanceHandler.grant.selector;
        selectors[7] = ProvenanceHandler.revokeGrant.selector;
        selectors[8] = ProvenanceHandler.rotateKey.selector;
        selectors[9] = ProvenanceHandler.strangerActs.selector;
        selectors[10] = ProvenanceHandler.requestAccess.selector;
        selectors[11] = ProvenanceHandler.fulfil.selector;
        selectors[12] = ProvenanceHandler.declineOrRefund.selector;
        selectors[13] = ProvenanceHandler.warp.selector;
        selectors[14] = ProvenanceHandler.squat.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call.
    function invariant_ProvenanceBooksAndKeysHold() public view {
        _assertSplitterHoldsWhatItOwes();
        _assertGrantsHoldTheOpenRequests();
        _assertNoTokenIsCreatedOrLost();
        _assertOnlyCurrentGranteesObtainKeys();
        _assertLineagePointsToOlderExistingAssets();
        _assertEveryClaimResolvesToItsRegistrantsAsset();
    }

    function _owedBySplitter() internal view returns (uint256 owed) {
        for (uint256 i = 0; i < handler.ACTORS(); ++i) owed += splitter.balanceOf(IERC20(address(usd)), handler.actors(i));
    }

    function _assertSplitterHoldsWhatItOwes() internal view {
        vm.assertEq(usd.balanceOf(address(splitter)), _owedBySplitter(), "splitter balance != credits");
        vm.assertEq(usd.balanceOf(address(splitter)), handler.ghostPaidIn() - handler.ghostWithdrawn(),
            "splitter balance != paid in - withdrawn");
    }

    function _assertGrantsHoldTheOpenRequests() internal view {
        uint256 open;
        for (uint256 i = 0; i < handler.openRequestCount(); ++i) {
            AccessGrants.Request memory r = grants.requestOf(handler.openRequests(i));
            vm.assertEq(uint256(r.state), uint256(AccessGrants.RequestState.Open));
            open += r.amount;
        }
        vm.assertEq(usd.balanceOf(address(grants)), open, "grants balance != open requests");
        vm.assertEq(open, handler.ghostEscrow());
    }

    function _assertNoTokenIsCreatedOrLost() internal view {
        uint256 sum = usd.balanceOf(address(splitter)) + usd.balanceOf(address(grants));
        for (uint256 i = 0; i < handler.ACTORS(); ++i) sum += usd.balanceOf(handler.actors(i));
        vm.assertEq(sum, handler.ACTORS() * handler.INITIAL_BALANCE(), "tokens created or lost");
        vm.assertEq(usd.balanceOf(handler.stranger()), 0, "a stranger got money");
    }

    function _assertOnlyCurrentGranteesObtainKeys() internal view {
        uint256 n = registry.nextAssetId();
        for (uint256 id = 1; id < n; ++id) {
            uint32 epoch = grants.epochOf(id);
            vm.assertEq(uint256(epoch), uint256(handler.ghostEpoch(id)));
            vm.assertFalse(grants.hasAccess(id, handler.stranger()), "a stranger holds a grant");
            for (uint256 i = 0; i < handler.ACTORS(); ++i) {
                address a = handler.actors(i);
                (bytes memory key, uint32 keyEpoch) = handler.ghostKey(id, a);
                bool should = key.length != 0 && keyEpoch == epoch;
                vm.assertEq(grants.hasAccess(id, a), should, "access differs from the grants given");
                if (should) vm.assertEq(keccak256(grants.keyOf(id, a)), keccak256(key), "a grantee holds another key than given");
            }
        }
    }

    function _assertLineagePointsToOlderExistingAssets() internal view {
        uint256 n = registry.nextAssetId();
        for (uint256 id = 1; id < n; ++id) {
            AssetRegistry.Parent[] memory ps = registry.parentsOf(id);
            for (uint256 i = 0; i < ps.length; ++i) {
                vm.assertGt(ps[i].assetId, 0);
                vm.assertTrue(ps[i].assetId < id, "an edge to a newer asset");
            }
        }
    }

    function _assertEveryClaimResolvesToItsRegistrantsAsset() internal view {
        uint256 n = registry.nextAssetId();
        for (uint256 id = 1; id < n; ++id) {
            address registrant = registry.registrantOf(id);
            bytes memory content = registry.assetOf(id).contentId;
            vm.assertEq(registry.assetByContent(content, registrant), id, "a claim resolves to another asset");
            vm.assertEq(handler.ghostClaim(keccak256(content), registrant), id, "a claim moved");
            for (uint256 i = 0; i < handler.ACTORS(); ++i) {
                address a = handler.actors(i);
                vm.assertEq(registry.assetByContent(content, a), handler.ghostClaim(keccak256(content), a),
                    "a squat changed someone's claim");
            }
        }
    }
}

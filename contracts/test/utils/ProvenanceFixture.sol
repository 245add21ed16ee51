// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "./HyphaTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {AssetRegistry} from "../../src/AssetRegistry.sol";
import {RoyaltySplitter} from "../../src/RoyaltySplitter.sol";
import {AccessGrants} from "../../src/AccessGrants.sol";

/// @notice Deploys the provenance contracts with an hUSD-like token and builds registrations for tests.
abstract contract ProvenanceFixture is HyphaTest {
    PaymentToken internal usd;
    AssetRegistry internal registry;
    RoyaltySplitter internal splitter;
    AccessGrants internal grants;

    function _deployProvenance() internal {
        vm.warp(1_700_000_000);
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        registry = new AssetRegistry();
        splitter = new RoyaltySplitter(registry);
        grants = new AccessGrants(registry, splitter);
    }

    /// @dev A CIDv1-shaped content id (0x01 0x55 0x12 0x20 + a 32-byte digest) for `seed`.
    function _cid(uint256 seed) internal pure returns (bytes memory) {
        return abi.encodePacked(hex"01551220", keccak256(abi.encode(seed)));
    }

    function _freeLicence() internal pure returns (AssetRegistry.Licence memory) {
        return AssetRegistry.Licence({spdx: "Apache-2.0", terms: AssetRegistry.Terms.Free, token: IERC20(address(0)), price: 0});
    }

    function _paidLicence(uint96 price) internal view returns (AssetRegistry.Licence memory) {
        return AssetRegistry.Licence({
            spdx: "LicenseRef-Hypha-Commercial", terms: AssetRegistry.Terms.PaidPerUse, token: IERC20(address(usd)), price: price
        });
    }

    function _declaration(uint256 seed, AssetRegistry.Parent[] memory parents)
        internal
        pure
        returns (AssetRegistry.Declaration memory)
    {
        return AssetRegistry.Declaration({
            contentId: _cid(seed), metadataId: _cid(seed + 1_000_000), licence: _freeLicence(), parents: parents
        });
    }

    function _noParents() internal pure returns (AssetRegistry.Parent[] memory) {
        return new AssetRegistry.Parent[](0);
    }

    function _one(uint256 parentId, uint16 shareBps) internal pure returns (AssetRegistry.Parent[] memory ps) {
        ps = new AssetRegistry.Parent[](1);
        ps[0] = AssetRegistry.Parent({assetId: uint64(parentId), shareBps: shareBps});
    }

    function _two(uint256 a, uint16 aBps, uint256 b, uint16 bBps) internal pure returns (AssetRegistry.Parent[] memory ps) {
        ps = new AssetRegistry.Parent[](2);
        ps[0] = AssetRegistry.Parent({assetId: uint64(a), shareBps: aBps});
        ps[1] = AssetRegistry.Parent({assetId: uint64(b), shareBps: bBps});
    }

    /// @dev Registers as `owner` a dataset (no parents) or a model with `parents`.
    function _registerAs(address owner, uint256 seed, AssetRegistry.Parent[] memory parents) internal returns (uint256 id) {
        AssetRegistry.Kind kind = parents.length == 0 ? AssetRegistry.Kind.Dataset : AssetRegistry.Kind.Model;
        vm.prank(owner);
        id = registry.register(kind, _declaration(seed, parents));
    }
}

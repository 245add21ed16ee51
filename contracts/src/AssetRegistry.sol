// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title AssetRegistry
/// @notice Ownership, licence, versions and lineage of datasets and models. Each asset is an ERC-721 token (ids from
/// 1) that records the asset's content id (the binary UnixFS CIDv1 `hypha cid` prints), a metadata content id (model
/// card or datasheet), a licence (SPDX expression plus commercial terms), its place in a version chain and its lineage:
/// edges to the parent assets it was built from (base model, datasets), each with a declared share in basis points of
/// the revenue the asset earns. RoyaltySplitter pays revenue up these edges; AccessGrants sells and records access.
/// @dev No owner, no admin, no upgrade. Lineage is acyclic by construction: a new asset may only name parents that
/// already exist, every existing asset has a smaller id than the one being minted, and an asset's parents never change
/// afterwards; so every edge points from a larger id to a strictly smaller one, and no path can return to its start.
/// The same holds for versions (a new version is a new, larger id pointing to its predecessor). Deprecation and
/// revocation change an asset's status and emit an event; nothing is ever erased. The royalty walk over an asset's
/// ancestry is bounded when the asset is registered (at most MAX_PARENTS edges per asset, ROYALTY_DEPTH generations,
/// MAX_ROYALTY_WALK assets visited), so paying revenue to any asset costs bounded gas.
/// @dev Content ids are claims, not titles: anyone may register any bytes' content id (the chain cannot tell who made
/// a file), so "the first registration of these bytes" proves nothing and a squatter, or a front-runner copying an
/// author's pending registration from the mempool, could always be first. What is unique is the pair (content id,
/// registrant): each account registers a given content id at most once, and assetByContent(contentId, registrant)
/// resolves the pair to that one asset forever (a transfer moves the token and its revenue, not the claim). Payers key
/// royalties by the pair: they name the publisher whose claim they honour (the signer of the model manifest they
/// verified, or themselves), so a squatter's or front-runner's registration of the same bytes is a different key that
/// no such payer ever resolves to.
/// @dev forge-lint: each narrowing cast marked unsafe-typecast is of a value bounded before it (ids from this
/// contract's counters or the registry's, scores at most MAX_SCORE, amounts checked against the type's maximum or bounded
/// by deposits); time comparisons deal in windows of hours to days, where a block producer's drift of seconds is harmless.
contract AssetRegistry is ERC721 {
    /// @notice What an asset is.
    enum Kind {
        Dataset,
        Model
    }

    /// @notice Commercial terms of a licence. Free and NonCommercial carry no price; PaidPerUse prices one access grant
    /// (bought through AccessGrants); PaidPerToken prices 1,000 tokens of inference, metered off-chain and paid to the
    /// asset through RoyaltySplitter.
    enum Terms {
        Free,
        PaidPerUse,
        PaidPerToken,
        NonCommercial
    }

    /// @notice Lifecycle of an asset. Deprecated: superseded or discouraged, still usable and still paid. Revoked: the
    /// owner withdrew it (final); it takes no new children, versions, grants or sales, but its record, lineage and
    /// royalties from descendants stay.
    enum Status {
        Active,
        Deprecated,
        Revoked
    }

    /// @notice An asset's licence.
    /// @param spdx SPDX licence expression, printable ASCII, 1..MAX_SPDX_BYTES bytes (e.g. "Apache-2.0", "CC-BY-4.0")
    /// @param terms commercial terms
    /// @param token the ERC-20 the price is in (zero for Free and NonCommercial)
    /// @param price price in `token` units: per grant (PaidPerUse) or per 1,000 tokens (PaidPerToken); 0 otherwise
    struct Licence {
        string spdx;
        Terms terms;
        IERC20 token;
        uint96 price;
    }

    /// @notice A lineage edge: this asset was built from `assetId`, which earns `shareBps` of this asset's revenue.
    struct Parent {
        uint64 assetId;
        uint16 shareBps;
    }

    /// @notice What a registration or a new version declares.
    /// @param contentId the asset's binary content id (1..MAX_CID_BYTES bytes)
    /// @param metadataId the binary content id of its model card or datasheet (0..MAX_CID_BYTES bytes; empty: none)
    /// @param licence its licence (see Licence)
    /// @param parents existing, unrevoked assets it was built from, at most MAX_PARENTS, no duplicates, shares adding
    /// up to at most BPS
    struct Declaration {
        bytes contentId;
        bytes metadataId;
        Licence licence;
        Parent[] parents;
    }

    /// @notice An asset as stored (ownership is the ERC-721 owner).
    /// @param previousVersion the asset this one is a new version of (0: first version)
    /// @param nextVersion the asset that succeeded this one (0: latest version)
    /// @param registeredAt block number of registration
    /// @param walk packed royalty-walk sizes (see ROYALTY_DEPTH); internal bookkeeping
    struct Asset {
        Kind kind;
        Status status;
        uint64 previousVersion;
        uint64 nextVersion;
        uint64 registeredAt;
        uint64 walk;
        bytes contentId;
        bytes metadataId;
        Licence licence;
        Parent[] parents;
    }

    /// @notice Basis points in one whole.
    uint16 public constant BPS = 10_000;
    /// @notice Most parents one asset may name.
    uint256 public constant MAX_PARENTS = 8;
    /// @notice Generations of ancestors that share an asset's revenue (parents are generation 1); shares beyond stay
    /// with the owner of the last generation reached.
    uint256 public constant ROYALTY_DEPTH = 3;
    /// @notice Most assets one royalty payment may visit (the asset itself and its ancestors up to ROYALTY_DEPTH,
    /// counted once per path). Registration refuses lineage that would exceed it.
    uint256 public constant MAX_ROYALTY_WALK = 64;
    /// @notice Longest content id or metadata id in bytes (a CIDv1 with a sha2-256 digest takes 36).
    uint256 public constant MAX_CID_BYTES = 64;
    /// @notice Longest SPDX expression in bytes.
    uint256 public constant MAX_SPDX_BYTES = 128;
    /// @notice Longest reason given for a deprecation or revocation, in bytes.
    uint256 public constant MAX_REASON_BYTES = 256;

    uint64 private _nextId = 1;
    mapping(uint256 assetId => Asset) private _assets;
    /// @dev keccak256(content id) => registrant => the asset that registrant registered with it (0: none). Never
    /// changes once set.
    mapping(bytes32 contentKey => mapping(address registrant => uint64 assetId)) private _claims;
    /// @dev The account that registered each asset (its claim's key; the ERC-721 owner may differ after a transfer).
    mapping(uint256 assetId => address registrant) private _registrants;

    /// @notice `owner` registered `assetId` (a `kind`) with content id `contentId`; `previousVersion` is 0 for a
    /// first version. Lineage follows as one ParentLinked event per edge.
    event AssetRegistered(
        uint256 indexed assetId,
        address indexed owner,
        bytes indexed contentIdHash,
        Kind kind,
        bytes contentId,
        bytes metadataId,
        uint256 previousVersion
    );
    /// @notice `assetId` was built from `parentId`, which earns `shareBps` of its revenue.
    event ParentLinked(uint256 indexed assetId, uint256 indexed parentId, uint16 shareBps);
    /// @notice The licence of `assetId` is now this one.
    event LicenceSet(uint256 indexed assetId, string spdx, Terms terms, address token, uint256 price);
    /// @notice `assetId` is deprecated; `reason` says why (free text, untrusted).
    event AssetDeprecated(uint256 indexed assetId, string reason);
    /// @notice `assetId` is revoked (final); `reason` says why (free text, untrusted).
    event AssetRevoked(uint256 indexed assetId, string reason);

    /// @notice No asset has this id.
    error UnknownAsset(uint256 assetId);
    /// @notice Only the asset's owner may do this.
    error NotAssetOwner(uint256 assetId, address caller);
    /// @notice A content id is empty (content only) or longer than MAX_CID_BYTES.
    error InvalidContentId(uint256 length);
    /// @notice The SPDX expression is empty, longer than MAX_SPDX_BYTES, or has a byte outside printable ASCII.
    error InvalidSpdx();
    /// @notice The terms and price do not fit together: Free and NonCommercial need price 0 and no token; paid terms
    /// need a token and a price above 0.
    error InvalidTerms(Terms terms, address token, uint256 price);
    /// @notice More than MAX_PARENTS parents.
    error TooManyParents(uint256 count);
    /// @notice The same parent was named twice.
    error DuplicateParent(uint256 parentId);
    /// @notice The parents' shares add up to more than BPS.
    error SharesAboveWhole(uint256 totalBps);
    /// @notice The asset is revoked: it takes no new children, versions or licence changes.
    error AssetIsRevoked(uint256 assetId);
    /// @notice The asset is already deprecated.
    error AssetIsDeprecated(uint256 assetId);
    /// @notice The asset already has a next version (a version chain does not fork).
    error VersionExists(uint256 assetId, uint256 nextVersion);
    /// @notice A new version must be of the same kind as its predecessor.
    error KindMismatch(Kind previous, Kind given);
    /// @notice The royalty walk of the new asset would visit more than MAX_ROYALTY_WALK assets.
    error LineageTooLarge(uint256 walk);
    /// @notice The reason is longer than MAX_REASON_BYTES.
    error ReasonTooLong(uint256 length);
    /// @notice `registrant` already registered this content id as `assetId` (one claim per content id and account).
    error ContentAlreadyClaimed(address registrant, uint256 assetId);

    constructor() ERC721("Hypha Asset", "HASSET") {}

    // ----------------------------------------------------------------------------------------------
    // Owners
    // ----------------------------------------------------------------------------------------------

    /// @notice Registers a new asset owned by the caller.
    /// @param kind dataset or model
    /// @param declared its content, metadata, licence and parents (see Declaration)
    /// @return assetId the new asset's id
    function register(Kind kind, Declaration calldata declared) external returns (uint256 assetId) {
        return _register(kind, declared, 0);
    }

    /// @notice Publishes a new version of `previousId`, owned by the caller, who must own `previousId`. The new
    /// version is a new asset of the same kind with its own content, licence and lineage; the predecessor records it
    /// as its successor. Each version has at most one successor.
    /// @return assetId the new version's id
    function publishVersion(uint256 previousId, Declaration calldata declared) external returns (uint256 assetId) {
        Asset storage previous = _ownedBy(previousId, msg.sender);
        if (previous.status == Status.Revoked) revert AssetIsRevoked(previousId);
        if (previous.nextVersion != 0) revert VersionExists(previousId, previous.nextVersion);
        // forge-lint: disable-next-line(unsafe-typecast)
        assetId = _register(previous.kind, declared, uint64(previousId));
        // forge-lint: disable-next-line(unsafe-typecast)
        previous.nextVersion = uint64(assetId);
    }

    /// @notice Replaces the licence of `assetId` (for future use; sales already paid keep their price). Only the owner;
    /// not on a revoked asset.
    function setLicence(uint256 assetId, Licence calldata licence) external {
        Asset storage a = _ownedBy(assetId, msg.sender);
        if (a.status == Status.Revoked) revert AssetIsRevoked(assetId);
        _setLicence(assetId, a, licence);
    }

    /// @notice Marks `assetId` deprecated (still usable and paid; see Status). Only the owner; once.
    function deprecate(uint256 assetId, string calldata reason) external {
        Asset storage a = _ownedBy(assetId, msg.sender);
        if (a.status == Status.Revoked) revert AssetIsRevoked(assetId);
        if (a.status == Status.Deprecated) revert AssetIsDeprecated(assetId);
        if (bytes(reason).length > MAX_REASON_BYTES) revert ReasonTooLong(bytes(reason).length);
        a.status = Status.Deprecated;
        emit AssetDeprecated(assetId, reason);
    }

    /// @notice Revokes `assetId` for good (see Status). Only the owner; once.
    function revoke(uint256 assetId, string calldata reason) external {
        Asset storage a = _ownedBy(assetId, msg.sender);
        if (a.status == Status.Revoked) revert AssetIsRevoked(assetId);
        if (bytes(reason).length > MAX_REASON_BYTES) revert ReasonTooLong(bytes(reason).length);
        a.status = Status.Revoked;
        emit AssetRevoked(assetId, reason);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice The stored record of `assetId` (reverts UnknownAsset for an id never minted).
    function assetOf(uint256 assetId) external view returns (Asset memory) {
        return _existing(assetId);
    }

    /// @notice The lineage edges of `assetId`.
    function parentsOf(uint256 assetId) external view returns (Parent[] memory) {
        return _existing(assetId).parents;
    }

    /// @notice The licence of `assetId`.
    function licenceOf(uint256 assetId) external view returns (Licence memory) {
        return _existing(assetId).licence;
    }

    /// @notice The status of `assetId`.
    function statusOf(uint256 assetId) external view returns (Status) {
        return _existing(assetId).status;
    }

    /// @notice Whether an asset with this id was registered.
    function exists(uint256 assetId) public view returns (bool) {
        return _ownerOf(assetId) != address(0);
    }

    /// @notice The id the next registered asset will get.
    function nextAssetId() external view returns (uint256) {
        return _nextId;
    }

    /// @notice The asset `registrant` registered with content id `contentId`, or 0 when it registered none. The pair is
    /// unique and never changes, so a payer that names the publisher it trusts always reaches that publisher's asset,
    /// whoever else registered the same bytes before or after.
    function assetByContent(bytes calldata contentId, address registrant) external view returns (uint256) {
        return _claims[keccak256(contentId)][registrant];
    }

    /// @notice The account that registered `assetId` (its owner may have changed since by transfer).
    function registrantOf(uint256 assetId) external view returns (address) {
        _existing(assetId);
        return _registrants[assetId];
    }

    /// @notice How many assets a royalty payment to `assetId` visits at most (itself included).
    function royaltyWalkOf(uint256 assetId) external view returns (uint256) {
        return _walkAt(_existing(assetId).walk, ROYALTY_DEPTH);
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _register(Kind kind, Declaration calldata declared, uint64 previousVersion)
        private
        returns (uint256 assetId)
    {
        bytes calldata contentId = declared.contentId;
        if (contentId.length == 0 || contentId.length > MAX_CID_BYTES) revert InvalidContentId(contentId.length);
        if (declared.metadataId.length > MAX_CID_BYTES) revert InvalidContentId(declared.metadataId.length);
        if (declared.parents.length > MAX_PARENTS) revert TooManyParents(declared.parents.length);

        bytes32 contentKey = keccak256(contentId);
        uint64 claimed = _claims[contentKey][msg.sender];
        if (claimed != 0) revert ContentAlreadyClaimed(msg.sender, claimed);

        assetId = _nextId++;
        // forge-lint: disable-next-line(unsafe-typecast)
        _claims[contentKey][msg.sender] = uint64(assetId);
        _registrants[assetId] = msg.sender;
        Asset storage a = _assets[assetId];
        a.kind = kind;
        a.previousVersion = previousVersion;
        a.registeredAt = uint64(block.number);
        a.contentId = contentId;
        a.metadataId = declared.metadataId;
        a.walk = _linkParents(assetId, a, declared.parents);
        _setLicence(assetId, a, declared.licence);
        _mint(msg.sender, assetId); // not _safeMint: the caller chose to register, and no callback runs mid-way
        emit AssetRegistered(assetId, msg.sender, contentId, kind, contentId, declared.metadataId, previousVersion);
    }

    /// @dev Checks and stores the parents, emits one ParentLinked per edge, and returns the packed walk sizes: for
    /// k = 0..ROYALTY_DEPTH, walk[k] = 1 + sum over parents of parent.walk[k-1] (walk[0] = 1), i.e. how many assets a
    /// split with k generations left visits. Parents are checked to exist now, which is what makes cycles impossible.
    function _linkParents(uint256 assetId, Asset storage a, Parent[] calldata parents) private returns (uint64 walk) {
        uint256[ROYALTY_DEPTH + 1] memory sizes;
        for (uint256 k = 0; k <= ROYALTY_DEPTH; ++k) sizes[k] = 1;
        uint256 totalBps;
        for (uint256 i = 0; i < parents.length; ++i) {
            uint256 parentId = parents[i].assetId;
            if (!exists(parentId)) revert UnknownAsset(parentId);
            Asset storage parent = _assets[parentId];
            if (parent.status == Status.Revoked) revert AssetIsRevoked(parentId);
            for (uint256 j = 0; j < i; ++j) {
                if (parents[j].assetId == parentId) revert DuplicateParent(parentId);
            }
            totalBps += parents[i].shareBps;
            for (uint256 k = 1; k <= ROYALTY_DEPTH; ++k) sizes[k] += _walkAt(parent.walk, k - 1);
            a.parents.push(parents[i]);
            emit ParentLinked(assetId, parentId, parents[i].shareBps);
        }
        if (totalBps > BPS) revert SharesAboveWhole(totalBps);
        if (sizes[ROYALTY_DEPTH] > MAX_ROYALTY_WALK) revert LineageTooLarge(sizes[ROYALTY_DEPTH]);
        // forge-lint: disable-next-line(unsafe-typecast)
        for (uint256 k = 0; k <= ROYALTY_DEPTH; ++k) walk |= uint64(sizes[k]) << uint64(16 * k);
    }

    function _walkAt(uint64 walk, uint256 k) private pure returns (uint256) {
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint256(uint16(walk >> (16 * k)));
    }

    function _setLicence(uint256 assetId, Asset storage a, Licence calldata licence) private {
        _checkSpdx(licence.spdx);
        bool paid = licence.terms == Terms.PaidPerUse || licence.terms == Terms.PaidPerToken;
        bool priced = address(licence.token) != address(0) && licence.price != 0;
        bool unpriced = address(licence.token) == address(0) && licence.price == 0;
        if (paid ? !priced : !unpriced) revert InvalidTerms(licence.terms, address(licence.token), licence.price);
        a.licence = licence;
        emit LicenceSet(assetId, licence.spdx, licence.terms, address(licence.token), licence.price);
    }

    /// @dev Printable ASCII only, so no control or bidi character from a licence ever reaches a terminal or a page.
    function _checkSpdx(string calldata spdx) private pure {
        bytes calldata b = bytes(spdx);
        if (b.length == 0 || b.length > MAX_SPDX_BYTES) revert InvalidSpdx();
        for (uint256 i = 0; i < b.length; ++i) {
            if (b[i] < 0x20 || b[i] > 0x7e) revert InvalidSpdx();
        }
    }

    function _existing(uint256 assetId) private view returns (Asset storage) {
        if (!exists(assetId)) revert UnknownAsset(assetId);
        return _assets[assetId];
    }

    function _ownedBy(uint256 assetId, address caller) private view returns (Asset storage) {
        address owner = _ownerOf(assetId);
        if (owner == address(0)) revert UnknownAsset(assetId);
        if (owner != caller) revert NotAssetOwner(assetId, caller);
        return _assets[assetId];
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AssetRegistry} from "./AssetRegistry.sol";
import {RoyaltySplitter} from "./RoyaltySplitter.sol";

/// @title AccessGrants
/// @notice Who may read an asset of AssetRegistry. An asset's data is encrypted off-chain under a data key; a grant
/// records that key encrypted to one grantee (an account, or a compute job spec for compute-to-data), so the grantee's
/// node can fetch the ciphertext by content id and decrypt it. The asset's owner grants, re-grants and revokes. A buyer
/// can also ask for access against payment at the asset's PaidPerUse price: the payment is held here until the owner
/// delivers the key (then it is paid to the asset through RoyaltySplitter, so it flows up the lineage), declines (the
/// buyer is refunded at once), or lets DELIVERY_WINDOW pass (the buyer takes a refund).
/// @dev No owner, no admin. What a chain can and cannot keep secret: every encrypted key is public calldata, so secrecy
/// rests on the encryption to the grantee's key, not on who may call `keyOf`. The chain's part is the record and the
/// rules: only the asset's owner writes keys; a revoked grant is marked inactive and its key is deleted from state;
/// `rotateKey` moves the asset to a new key epoch, after which `keyOf` answers only for grants re-issued in that epoch,
/// so a revoked grantee (never re-issued) obtains no key to data encrypted after its revocation.
/// @dev forge-lint: each narrowing cast marked unsafe-typecast is of a value bounded before it (ids from this
/// contract's counters or the registry's, scores at most MAX_SCORE, amounts checked against the type's maximum or bounded
/// by deposits); time comparisons deal in windows of hours to days, where a block producer's drift of seconds is harmless.
contract AccessGrants is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A grant to one grantee (account or job spec).
    /// @param active false once revoked (or never granted)
    /// @param epoch the asset's key epoch the key belongs to
    /// @param encryptedKey the data key encrypted to the grantee (opaque here; format set by the Java side)
    struct Grant {
        bool active;
        uint32 epoch;
        bytes encryptedKey;
    }

    /// @notice Where a paid access request stands.
    enum RequestState {
        None,
        Open,
        Fulfilled,
        Declined,
        Refunded
    }

    /// @notice A buyer's paid access request.
    /// @param recipientKey the buyer's public encryption key (e.g. X25519) the owner encrypts the data key to
    struct Request {
        uint64 assetId;
        RequestState state;
        uint64 deadline;
        address buyer;
        IERC20 token;
        uint96 amount;
        bytes32 recipientKey;
    }

    /// @notice Seconds an owner has to deliver a paid request's key before the buyer may take a refund.
    uint64 public constant DELIVERY_WINDOW = 3 days;
    /// @notice Longest encrypted key in bytes (an X25519-wrapped 32-byte key with nonce and tag fits in far fewer).
    uint256 public constant MAX_KEY_BYTES = 512;

    /// @notice The registry of the assets (owners, licences, status).
    AssetRegistry public immutable registry;
    /// @notice Where sale proceeds go (split up the asset's lineage).
    RoyaltySplitter public immutable splitter;

    mapping(uint256 assetId => uint32) private _epochs;
    mapping(uint256 assetId => mapping(address grantee => Grant)) private _accountGrants;
    mapping(uint256 assetId => mapping(bytes32 jobSpec => Grant)) private _jobGrants;
    uint256 private _nextRequestId = 1;
    mapping(uint256 requestId => Request) private _requests;

    /// @notice `grantee` may read `assetId`: here is the data key of `epoch`, encrypted to it.
    event AccessGranted(uint256 indexed assetId, address indexed grantee, uint32 epoch, bytes encryptedKey);
    /// @notice `grantee`'s access to `assetId` ended.
    event AccessRevoked(uint256 indexed assetId, address indexed grantee);
    /// @notice Jobs with spec `jobSpec` (a ComputeMarket order's spec) may read `assetId` (compute-to-data): the key is
    /// for the provider holding such a lease, never for a person.
    event JobAccessGranted(uint256 indexed assetId, bytes32 indexed jobSpec, uint32 epoch, bytes encryptedKey);
    /// @notice Jobs with spec `jobSpec` may no longer read `assetId`.
    event JobAccessRevoked(uint256 indexed assetId, bytes32 indexed jobSpec);
    /// @notice The owner re-encrypted `assetId` under a new key: grants of earlier epochs no longer hold a key.
    event KeyRotated(uint256 indexed assetId, uint32 epoch);
    /// @notice `buyer` paid `amount` of `token` for access to `assetId`, to be delivered to `recipientKey` by `deadline`.
    event AccessRequested(
        uint256 indexed requestId,
        uint256 indexed assetId,
        address indexed buyer,
        address token,
        uint256 amount,
        bytes32 recipientKey,
        uint64 deadline
    );
    /// @notice The owner delivered the key of request `requestId`; its payment went to the asset.
    event RequestFulfilled(uint256 indexed requestId);
    /// @notice The owner declined request `requestId`; the buyer got its payment back.
    event RequestDeclined(uint256 indexed requestId);
    /// @notice Request `requestId` was not delivered in time (or the asset was revoked); the buyer got its payment back.
    event RequestRefunded(uint256 indexed requestId);

    /// @notice Only the asset's owner may do this.
    error NotAssetOwner(uint256 assetId, address caller);
    /// @notice The asset is revoked: no new grants or sales.
    error AssetIsRevoked(uint256 assetId);
    /// @notice The encrypted key is empty (account grants) or longer than MAX_KEY_BYTES.
    error InvalidKey(uint256 length);
    /// @notice The zero address or zero job spec was given as grantee, or a zero recipient key.
    error InvalidGrantee();
    /// @notice The grantee holds no active grant.
    error NoGrant(uint256 assetId);
    /// @notice The asset is not sold per use (its terms are not PaidPerUse).
    error NotForSale(uint256 assetId);
    /// @notice The asset's price is above what the buyer accepted.
    error PriceAboveLimit(uint256 price, uint256 maxPrice);
    /// @notice No such request.
    error UnknownRequest(uint256 requestId);
    /// @notice The request is no longer open.
    error RequestNotOpen(uint256 requestId, RequestState state);
    /// @notice The delivery window ended at `deadline`: the owner can no longer deliver.
    error DeliveryWindowOver(uint64 deadline);
    /// @notice The delivery window is open until `deadline` (and the asset is not revoked): no refund yet.
    error DeliveryWindowOpen(uint64 deadline);
    /// @notice The token delivered a different amount than asked (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 received, uint256 expected);

    constructor(AssetRegistry registry_, RoyaltySplitter splitter_) {
        if (address(registry_) == address(0) || address(splitter_.registry()) != address(registry_)) {
            revert InvalidGrantee();
        }
        registry = registry_;
        splitter = splitter_;
    }

    // ----------------------------------------------------------------------------------------------
    // Asset owners
    // ----------------------------------------------------------------------------------------------

    /// @notice Grants `grantee` access to `assetId` with the data key of the current epoch encrypted to it (or
    /// replaces the key of an existing grant). Only the asset's owner; not on a revoked asset.
    function grant(uint256 assetId, address grantee, bytes calldata encryptedKey) external {
        _onlyOwnerOfUnrevoked(assetId);
        if (grantee == address(0)) revert InvalidGrantee();
        _grantAccount(assetId, grantee, encryptedKey);
    }

    /// @notice Ends `grantee`'s access to `assetId` and deletes its key from state. Only the asset's owner (also on a
    /// revoked asset).
    function revoke(uint256 assetId, address grantee) external {
        _onlyOwner(assetId);
        Grant storage g = _accountGrants[assetId][grantee];
        if (!g.active) revert NoGrant(assetId);
        delete _accountGrants[assetId][grantee];
        emit AccessRevoked(assetId, grantee);
    }

    /// @notice Grants jobs with spec `jobSpec` access to `assetId` (compute-to-data). `encryptedKey` may be empty (the
    /// owner's node then releases the key to the leaseholder off-chain). Only the asset's owner; not on a revoked asset.
    function grantJob(uint256 assetId, bytes32 jobSpec, bytes calldata encryptedKey) external {
        _onlyOwnerOfUnrevoked(assetId);
        if (jobSpec == bytes32(0)) revert InvalidGrantee();
        if (encryptedKey.length > MAX_KEY_BYTES) revert InvalidKey(encryptedKey.length);
        uint32 epoch = _epochs[assetId];
        _jobGrants[assetId][jobSpec] = Grant({active: true, epoch: epoch, encryptedKey: encryptedKey});
        emit JobAccessGranted(assetId, jobSpec, epoch, encryptedKey);
    }

    /// @notice Ends the access of jobs with spec `jobSpec` to `assetId`. Only the asset's owner.
    function revokeJob(uint256 assetId, bytes32 jobSpec) external {
        _onlyOwner(assetId);
        if (!_jobGrants[assetId][jobSpec].active) revert NoGrant(assetId);
        delete _jobGrants[assetId][jobSpec];
        emit JobAccessRevoked(assetId, jobSpec);
    }

    /// @notice Starts a new key epoch for `assetId` (the owner re-encrypted the data): every grant must be re-issued
    /// with the new key to hold one. Only the asset's owner.
    /// @return epoch the new epoch
    function rotateKey(uint256 assetId) external returns (uint32 epoch) {
        _onlyOwner(assetId);
        epoch = ++_epochs[assetId];
        emit KeyRotated(assetId, epoch);
    }

    /// @notice Delivers the key of an open paid request: the buyer gets a grant, the payment goes to the asset through
    /// the RoyaltySplitter. Only the asset's current owner, within the delivery window, not on a revoked asset.
    function fulfil(uint256 requestId, bytes calldata encryptedKey) external nonReentrant {
        Request storage r = _openRequest(requestId);
        _onlyOwnerOfUnrevoked(r.assetId);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > r.deadline) revert DeliveryWindowOver(r.deadline);
        r.state = RequestState.Fulfilled;
        _grantAccount(r.assetId, r.buyer, encryptedKey);
        emit RequestFulfilled(requestId);
        r.token.forceApprove(address(splitter), r.amount);
        splitter.pay(r.assetId, r.token, r.amount);
    }

    /// @notice Refuses an open paid request and refunds the buyer at once. Only the asset's current owner.
    function decline(uint256 requestId) external nonReentrant {
        Request storage r = _openRequest(requestId);
        _onlyOwner(r.assetId);
        r.state = RequestState.Declined;
        emit RequestDeclined(requestId);
        r.token.safeTransfer(r.buyer, r.amount);
    }

    // ----------------------------------------------------------------------------------------------
    // Buyers
    // ----------------------------------------------------------------------------------------------

    /// @notice Pays the PaidPerUse price of `assetId` (approve this contract first) and asks its owner for the key,
    /// encrypted to `recipientKey`. Refused when the price is above `maxPrice` (protects against a price raised in
    /// front of the request) or the asset is revoked.
    /// @return requestId the request's id
    function requestAccess(uint256 assetId, bytes32 recipientKey, uint256 maxPrice)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        if (recipientKey == bytes32(0)) revert InvalidGrantee();
        AssetRegistry.Licence memory licence = registry.licenceOf(assetId);
        if (registry.statusOf(assetId) == AssetRegistry.Status.Revoked) revert AssetIsRevoked(assetId);
        if (licence.terms != AssetRegistry.Terms.PaidPerUse) revert NotForSale(assetId);
        if (licence.price > maxPrice) revert PriceAboveLimit(licence.price, maxPrice);

        requestId = _nextRequestId++;
        uint64 deadline = uint64(block.timestamp) + DELIVERY_WINDOW;
        _requests[requestId] = Request({
            // forge-lint: disable-next-line(unsafe-typecast)
            assetId: uint64(assetId),
            state: RequestState.Open,
            deadline: deadline,
            buyer: msg.sender,
            token: licence.token,
            amount: licence.price,
            recipientKey: recipientKey
        });
        emit AccessRequested(
            requestId, assetId, msg.sender, address(licence.token), licence.price, recipientKey, deadline
        );
        uint256 before = licence.token.balanceOf(address(this));
        licence.token.safeTransferFrom(msg.sender, address(this), licence.price);
        uint256 received = licence.token.balanceOf(address(this)) - before;
        if (received != licence.price) revert UnsupportedToken(received, licence.price);
    }

    /// @notice Returns an open request's payment to its buyer once the delivery window has passed, or at once when the
    /// asset was revoked. Anyone may call; the money goes to the buyer only.
    function refund(uint256 requestId) external nonReentrant {
        Request storage r = _openRequest(requestId);
        bool revoked = registry.statusOf(r.assetId) == AssetRegistry.Status.Revoked;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= r.deadline && !revoked) revert DeliveryWindowOpen(r.deadline);
        r.state = RequestState.Refunded;
        emit RequestRefunded(requestId);
        r.token.safeTransfer(r.buyer, r.amount);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice The data key of the current epoch encrypted to `grantee`; reverts NoGrant when `grantee` holds no active
    /// grant issued in the current epoch.
    function keyOf(uint256 assetId, address grantee) external view returns (bytes memory) {
        return _currentKey(assetId, _accountGrants[assetId][grantee]);
    }

    /// @notice The data key of the current epoch for jobs with spec `jobSpec` (may be empty); reverts NoGrant when
    /// there is no active grant of the current epoch.
    function jobKeyOf(uint256 assetId, bytes32 jobSpec) external view returns (bytes memory) {
        return _currentKey(assetId, _jobGrants[assetId][jobSpec]);
    }

    /// @notice Whether `grantee` holds an active grant of the current epoch for `assetId`.
    function hasAccess(uint256 assetId, address grantee) external view returns (bool) {
        Grant storage g = _accountGrants[assetId][grantee];
        return g.active && g.epoch == _epochs[assetId];
    }

    /// @notice Whether jobs with spec `jobSpec` hold an active grant of the current epoch for `assetId`.
    function jobHasAccess(uint256 assetId, bytes32 jobSpec) external view returns (bool) {
        Grant storage g = _jobGrants[assetId][jobSpec];
        return g.active && g.epoch == _epochs[assetId];
    }

    /// @notice The grant record of `grantee` for `assetId` as stored (any epoch; inactive when none).
    function grantOf(uint256 assetId, address grantee) external view returns (Grant memory) {
        return _accountGrants[assetId][grantee];
    }

    /// @notice The current key epoch of `assetId` (0 until the first rotation).
    function epochOf(uint256 assetId) external view returns (uint32) {
        return _epochs[assetId];
    }

    /// @notice A paid request as stored.
    function requestOf(uint256 requestId) external view returns (Request memory) {
        if (_requests[requestId].state == RequestState.None) revert UnknownRequest(requestId);
        return _requests[requestId];
    }

    /// @notice The id the next paid request will get.
    function nextRequestId() external view returns (uint256) {
        return _nextRequestId;
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _grantAccount(uint256 assetId, address grantee, bytes calldata encryptedKey) private {
        if (encryptedKey.length == 0 || encryptedKey.length > MAX_KEY_BYTES) revert InvalidKey(encryptedKey.length);
        uint32 epoch = _epochs[assetId];
        _accountGrants[assetId][grantee] = Grant({active: true, epoch: epoch, encryptedKey: encryptedKey});
        emit AccessGranted(assetId, grantee, epoch, encryptedKey);
    }

    function _currentKey(uint256 assetId, Grant storage g) private view returns (bytes memory) {
        if (!g.active || g.epoch != _epochs[assetId]) revert NoGrant(assetId);
        return g.encryptedKey;
    }

    function _openRequest(uint256 requestId) private view returns (Request storage r) {
        r = _requests[requestId];
        if (r.state == RequestState.None) revert UnknownRequest(requestId);
        if (r.state != RequestState.Open) revert RequestNotOpen(requestId, r.state);
    }

    function _onlyOwner(uint256 assetId) private view {
        address owner = registry.ownerOf(assetId); // reverts ERC721NonexistentToken for an unknown id
        if (owner != msg.sender) revert NotAssetOwner(assetId, msg.sender);
    }

    function _onlyOwnerOfUnrevoked(uint256 assetId) private view {
        _onlyOwner(assetId);
        if (registry.statusOf(assetId) == AssetRegistry.Status.Revoked) revert AssetIsRevoked(assetId);
    }
}

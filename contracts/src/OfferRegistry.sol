// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title OfferRegistry
/// @notice Where providers publish what they sell: one offer per (provider, model content id, payment token) with the
/// model's name, the price of a million input and a million output tokens in that token's smallest units, the context
/// length and how many requests it serves at once. The endpoint and signing key are not repeated here: readers join
/// them from ProviderRegistry, whose `isActive` also gates publishing.
/// @dev Liveness: a provider's offers count as live while `block.timestamp <= lastHeartbeat + maxAge`. One cheap
/// `heartbeat()` refreshes all of a provider's offers; publishing or updating an offer counts as a heartbeat. A provider
/// that dies simply stops heartbeating and its offers stop being live `maxAge` seconds later; anyone may then `prune`
/// them so the list readers page through stays short.
///
/// The contract holds no funds and has no admin: every rule is fixed at deployment (maxAge) or comes from
/// ProviderRegistry (which providers may publish). Strings are bounded and limited to printable ASCII so readers never
/// see control characters, but readers must still treat every field as untrusted input.
contract OfferRegistry {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @notice Longest model name accepted, in bytes.
    uint256 public constant MAX_MODEL_NAME_LENGTH = 128;
    /// @notice Most offers one provider may have at once.
    uint256 public constant MAX_OFFERS_PER_PROVIDER = 32;
    /// @notice Most offers one page of `offersPage` returns.
    uint256 public constant MAX_PAGE_SIZE = 100;

    /// @dev What is stored per offer; packed into four slots plus the name.
    struct Stored {
        address provider;
        uint32 contextLength;
        uint32 concurrency;
        address token;
        bytes32 modelId;
        uint128 inputPerMillion;
        uint128 outputPerMillion;
        string model;
    }

    /// @notice One offer as readers see it.
    /// @param id keccak256(abi.encode(provider, modelId, token)), see `offerId`
    /// @param provider the provider's account (look up its endpoint and signing key in ProviderRegistry)
    /// @param modelId the model's content-id digest (sha2-256 of its root, as receipts carry it)
    /// @param token the ERC-20 the prices are in
    /// @param model the model's name as the provider serves it (1..128 printable ASCII bytes)
    /// @param inputPerMillion price of a million prompt tokens, in the token's smallest units
    /// @param outputPerMillion price of a million generated tokens, in the token's smallest units
    /// @param contextLength longest context served, in tokens (> 0)
    /// @param concurrency requests served at once (> 0)
    /// @param lastHeartbeat the provider's last heartbeat (or publish), block timestamp
    /// @param liveUntil lastHeartbeat + maxAge: the offer is live while block.timestamp <= liveUntil
    struct OfferView {
        bytes32 id;
        address provider;
        bytes32 modelId;
        address token;
        string model;
        uint128 inputPerMillion;
        uint128 outputPerMillion;
        uint32 contextLength;
        uint32 concurrency;
        uint64 lastHeartbeat;
        uint64 liveUntil;
    }

    /// @notice The registry whose active providers may publish.
    ProviderRegistry public immutable providers;
    /// @notice Seconds an offer stays live after its provider's last heartbeat.
    uint64 public immutable maxAge;

    mapping(bytes32 id => Stored) private _offers;
    EnumerableSet.Bytes32Set private _all;
    mapping(address provider => EnumerableSet.Bytes32Set) private _byProvider;
    mapping(address provider => uint64) private _lastHeartbeat;

    /// @notice `provider` published a new offer or changed one (same id): indexers upsert on it.
    event OfferPublished(
        bytes32 indexed id,
        address indexed provider,
        bytes32 indexed modelId,
        address token,
        string model,
        uint128 inputPerMillion,
        uint128 outputPerMillion,
        uint32 contextLength,
        uint32 concurrency
    );
    /// @notice The offer was removed: withdrawn by its provider, or pruned by `by` after it stopped being live.
    event OfferWithdrawn(bytes32 indexed id, address indexed provider, address indexed by);
    /// @notice `provider` refreshed all its offers (also emitted by publishing): they are live until `liveUntil`.
    event Heartbeat(address indexed provider, uint64 liveUntil);

    /// @notice The caller is not an active provider in ProviderRegistry.
    error ProviderNotActive(address provider);
    /// @notice The model content id is zero.
    error EmptyModelId();
    /// @notice The payment token is the zero address.
    error InvalidToken();
    /// @notice The model name is empty.
    error EmptyModelName();
    /// @notice The model name is longer than MAX_MODEL_NAME_LENGTH bytes.
    error ModelNameTooLong(uint256 length, uint256 max);
    /// @notice The model name has a byte outside printable ASCII (0x21..0x7e) at `index`.
    error InvalidModelNameByte(uint256 index);
    /// @notice The context length is zero.
    error ZeroContextLength();
    /// @notice The concurrency is zero.
    error ZeroConcurrency();
    /// @notice The provider already has MAX_OFFERS_PER_PROVIDER offers.
    error TooManyOffers(uint256 max);
    /// @notice No offer with this id exists (or, for withdraw, the caller has none for that model and token).
    error UnknownOffer(bytes32 id);
    /// @notice heartbeat() by a provider with no offers.
    error NoOffers(address provider);
    /// @notice prune() of an offer that is still live.
    error OfferStillLive(bytes32 id, uint64 liveUntil);
    /// @notice offersPage asked for more than MAX_PAGE_SIZE offers.
    error PageTooLarge(uint256 count, uint256 max);
    /// @notice The constructor's registry is the zero address.
    error InvalidProviderRegistry();
    /// @notice The constructor's maxAge is zero.
    error InvalidMaxAge();

    /// @param providers_ the ProviderRegistry whose active providers may publish
    /// @param maxAge_ seconds an offer stays live after its provider's last heartbeat; > 0
    constructor(ProviderRegistry providers_, uint64 maxAge_) {
        if (address(providers_) == address(0)) revert InvalidProviderRegistry();
        if (maxAge_ == 0) revert InvalidMaxAge();
        providers = providers_;
        maxAge = maxAge_;
    }

    /// @notice Publishes the caller's offer for (modelId, token), or replaces its terms if it exists. Counts as a
    /// heartbeat. Only a provider that is active in ProviderRegistry may publish.
    /// @param modelId the model's content-id digest, not zero
    /// @param token the ERC-20 the prices are in, not the zero address
    /// @param model the model's name, 1..128 bytes of printable ASCII (0x21..0x7e)
    /// @param inputPerMillion price of a million prompt tokens, in the token's smallest units (may be 0)
    /// @param outputPerMillion price of a million generated tokens, in the token's smallest units (may be 0)
    /// @param contextLength longest context served, in tokens, > 0
    /// @param concurrency requests served at once, > 0
    /// @return id the offer's id
    function publish(
        bytes32 modelId,
        address token,
        string calldata model,
        uint128 inputPerMillion,
        uint128 outputPerMillion,
        uint32 contextLength,
        uint32 concurrency
    ) external returns (bytes32 id) {
        if (!providers.isActive(msg.sender)) revert ProviderNotActive(msg.sender);
        if (modelId == bytes32(0)) revert EmptyModelId();
        if (token == address(0)) revert InvalidToken();
        _checkModelName(model);
        if (contextLength == 0) revert ZeroContextLength();
        if (concurrency == 0) revert ZeroConcurrency();

        id = offerId(msg.sender, modelId, token);
        if (_byProvider[msg.sender].add(id)) {
            if (_byProvider[msg.sender].length() > MAX_OFFERS_PER_PROVIDER) {
                revert TooManyOffers(MAX_OFFERS_PER_PROVIDER);
            }
            _all.add(id);
        }
        _offers[id] = Stored({
            provider: msg.sender,
            contextLength: contextLength,
            concurrency: concurrency,
            token: token,
            modelId: modelId,
            inputPerMillion: inputPerMillion,
            outputPerMillion: outputPerMillion,
            model: model
        });
        emit OfferPublished(
            id, msg.sender, modelId, token, model, inputPerMillion, outputPerMillion, contextLength, concurrency
        );
        _beat(msg.sender);
    }

    /// @notice Keeps all the caller's offers live for another maxAge seconds. Needs at least one offer; does not
    /// re-check ProviderRegistry (readers skip inactive providers), so it stays cheap.
    function heartbeat() external {
        if (_byProvider[msg.sender].length() == 0) revert NoOffers(msg.sender);
        _beat(msg.sender);
    }

    /// @notice Withdraws the caller's offer for (modelId, token). Allowed whether or not the provider is active.
    /// @param modelId the model's content-id digest
    /// @param token the payment token
    function withdraw(bytes32 modelId, address token) external {
        bytes32 id = offerId(msg.sender, modelId, token);
        if (!_byProvider[msg.sender].contains(id)) revert UnknownOffer(id);
        _remove(id, msg.sender);
    }

    /// @notice Withdraws all the caller's offers (at most MAX_OFFERS_PER_PROVIDER); does nothing when it has none.
    function withdrawAll() external {
        EnumerableSet.Bytes32Set storage mine = _byProvider[msg.sender];
        for (uint256 n = mine.length(); n > 0; --n) {
            _remove(mine.at(n - 1), msg.sender);
        }
    }

    /// @notice Removes an offer that is no longer live (its provider stopped heartbeating). Anyone may call it: it
    /// only deletes what readers would skip anyway, and keeps the list they page through short.
    /// @param id the offer's id
    function prune(bytes32 id) external {
        address provider = _offers[id].provider;
        if (provider == address(0)) revert UnknownOffer(id);
        uint64 until = liveUntil(provider);
        if (block.timestamp <= until) revert OfferStillLive(id, until);
        _remove(id, msg.sender);
    }

    /// @notice Number of offers published and not withdrawn, live or not.
    function offerCount() external view returns (uint256) {
        return _all.length();
    }

    /// @notice Offers `start` .. `start + count - 1` in the registry's current order (which changes on removal:
    /// the last offer moves into the removed one's place), clipped to offerCount().
    /// @param start first index, 0-based; at or past offerCount() gives an empty page
    /// @param count most offers to return, at most MAX_PAGE_SIZE
    /// @return page the offers
    function offersPage(uint256 start, uint256 count) external view returns (OfferView[] memory page) {
        if (count > MAX_PAGE_SIZE) revert PageTooLarge(count, MAX_PAGE_SIZE);
        uint256 total = _all.length();
        if (start >= total) return new OfferView[](0);
        uint256 n = total - start < count ? total - start : count;
        page = new OfferView[](n);
        for (uint256 i = 0; i < n; ++i) {
            page[i] = _view(_all.at(start + i));
        }
    }

    /// @notice All offers of `provider` (at most MAX_OFFERS_PER_PROVIDER).
    /// @param provider the provider's account
    /// @return offers its offers
    function offersOf(address provider) external view returns (OfferView[] memory offers) {
        EnumerableSet.Bytes32Set storage ids = _byProvider[provider];
        uint256 n = ids.length();
        offers = new OfferView[](n);
        for (uint256 i = 0; i < n; ++i) {
            offers[i] = _view(ids.at(i));
        }
    }

    /// @notice One offer by id; reverts UnknownOffer when there is none.
    /// @param id the offer's id
    /// @return the offer
    function getOffer(bytes32 id) external view returns (OfferView memory) {
        if (_offers[id].provider == address(0)) revert UnknownOffer(id);
        return _view(id);
    }

    /// @notice Whether offer `id` exists and is live now.
    /// @param id the offer's id
    /// @return true if live
    function isLive(bytes32 id) external view returns (bool) {
        address provider = _offers[id].provider;
        return provider != address(0) && block.timestamp <= liveUntil(provider);
    }

    /// @notice The block timestamp of `provider`'s last heartbeat or publish (0 if never).
    /// @param provider the provider's account
    /// @return the timestamp
    function lastHeartbeat(address provider) external view returns (uint64) {
        return _lastHeartbeat[provider];
    }

    /// @notice Until when `provider`'s offers are live: its last heartbeat plus maxAge (0 if it never published).
    /// @param provider the provider's account
    /// @return the timestamp
    function liveUntil(address provider) public view returns (uint64) {
        uint64 last = _lastHeartbeat[provider];
        return last == 0 ? 0 : last + maxAge;
    }

    /// @notice The id of `provider`'s offer of `modelId` priced in `token`.
    /// @param provider the provider's account
    /// @param modelId the model's content-id digest
    /// @param token the payment token
    /// @return keccak256(abi.encode(provider, modelId, token))
    function offerId(address provider, bytes32 modelId, address token) public pure returns (bytes32) {
        return keccak256(abi.encode(provider, modelId, token));
    }

    function _beat(address provider) private {
        uint64 nowTs = uint64(block.timestamp);
        _lastHeartbeat[provider] = nowTs;
        emit Heartbeat(provider, nowTs + maxAge);
    }

    function _remove(bytes32 id, address by) private {
        address provider = _offers[id].provider;
        _byProvider[provider].remove(id);
        _all.remove(id);
        delete _offers[id];
        emit OfferWithdrawn(id, provider, by);
    }

    function _view(bytes32 id) private view returns (OfferView memory v) {
        Stored storage s = _offers[id];
        uint64 last = _lastHeartbeat[s.provider];
        v = OfferView({
            id: id,
            provider: s.provider,
            modelId: s.modelId,
            token: s.token,
            model: s.model,
            inputPerMillion: s.inputPerMillion,
            outputPerMillion: s.outputPerMillion,
            contextLength: s.contextLength,
            concurrency: s.concurrency,
            lastHeartbeat: last,
            liveUntil: last + maxAge
        });
    }

    function _checkModelName(string calldata model) private pure {
        bytes calldata b = bytes(model);
        uint256 length = b.length;
        if (length == 0) revert EmptyModelName();
        if (length > MAX_MODEL_NAME_LENGTH) revert ModelNameTooLong(length, MAX_MODEL_NAME_LENGTH);
        for (uint256 i = 0; i < length; ++i) {
            bytes1 c = b[i];
            if (c < 0x21 || c > 0x7e) revert InvalidModelNameByte(i);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

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
    /// @notice Longest model name accepted, in bytes.
    uint256 public constant MAX_MODEL_NAME_LENGTH = 128;
    /// @notice Most offers one provider may have at once.
    uint256 public constant MAX_OFFERS_PER_PROVIDER = 32;
    /// @notice Most offers one page of `offersPage` returns.
    uint256 public constant MAX_PAGE_SIZE = 100;

    /// @dev What is stored per offer: four slots plus the name. The offer's positions in the global list and in its
    /// provider's list ride in the spare bytes of the first two slots, so listing an offer costs no extra index slots.
    struct Stored {
        address provider;
        uint32 contextLength;
        uint32 concurrency;
        uint32 providerIndex;
        address token;
        uint96 listIndex;
        bytes32 modelId;
        uint128 inputPerMillion;
        uint128 outputPerMillion;
        string model;
    }

    /// @dev One slot per provider: its last heartbeat and how many offers it has.
    struct ProviderState {
        uint64 lastHeartbeat;
        uint32 offers;
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
    /// @dev Every offer's id, in no meaningful order (a removal moves the last id into the gap).
    bytes32[] private _ids;
    mapping(address provider => ProviderState) private _state;
    /// @dev A provider's offer ids at 0 .. offers-1 (same swap-and-pop on removal).
    mapping(address provider => mapping(uint256 index => bytes32 id)) private _providerIds;

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
        Stored storage o = _offers[id];
        ProviderState storage p = _state[msg.sender];
        if (o.provider == address(0)) {
            uint256 n = p.offers;
            if (n == MAX_OFFERS_PER_PROVIDER) revert TooManyOffers(MAX_OFFERS_PER_PROVIDER);
            o.provider = msg.sender;
            o.providerIndex = uint32(n);
            o.token = token;
            o.listIndex = uint96(_ids.length);
            o.modelId = modelId;
            _providerIds[msg.sender][n] = id;
            _ids.push(id);
            p.offers = uint32(n + 1);
        }
        o.contextLength = contextLength;
        o.concurrency = concurrency;
        o.inputPerMillion = inputPerMillion;
        o.outputPerMillion = outputPerMillion;
        o.model = model;
        emit OfferPublished(
            id, msg.sender, modelId, token, model, inputPerMillion, outputPerMillion, contextLength, concurrency
        );
        _beat(p, msg.sender);
    }

    /// @notice Keeps all the caller's offers live for another maxAge seconds. Needs at least one offer; does not
    /// re-check ProviderRegistry (readers skip inactive providers), so it stays cheap.
    function heartbeat() external {
        ProviderState storage p = _state[msg.sender];
        if (p.offers == 0) revert NoOffers(msg.sender);
        _beat(p, msg.sender);
    }

    /// @notice Withdraws the caller's offer for (modelId, token). Allowed whether or not the provider is active.
    /// @param modelId the model's content-id digest
    /// @param token the payment token
    function withdraw(bytes32 modelId, address token) external {
        bytes32 id = offerId(msg.sender, modelId, token);
        if (_offers[id].provider == address(0)) revert UnknownOffer(id);
        _remove(id, msg.sender);
    }

    /// @notice Withdraws all the caller's offers (at most MAX_OFFERS_PER_PROVIDER); does nothing when it has none.
    function withdrawAll() external {
        mapping(uint256 => bytes32) storage mine = _providerIds[msg.sender];
        // From the last offer down, so each removal takes the end of the provider's list (nothing moves).
        for (uint256 n = _state[msg.sender].offers; n > 0; --n) {
            _remove(mine[n - 1], msg.sender);
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
        return _ids.length;
    }

    /// @notice Offers `start` .. `start + count - 1` in the registry's current order (which changes on removal:
    /// the last offer moves into the removed one's place), clipped to offerCount().
    /// @param start first index, 0-based; at or past offerCount() gives an empty page
    /// @param count most offers to return, at most MAX_PAGE_SIZE
    /// @return page the offers
    function offersPage(uint256 start, uint256 count) external view returns (OfferView[] memory page) {
        if (count > MAX_PAGE_SIZE) revert PageTooLarge(count, MAX_PAGE_SIZE);
        uint256 total = _ids.length;
        if (start >= total) return new OfferView[](0);
        uint256 n = total - start < count ? total - start : count;
        page = new OfferView[](n);
        for (uint256 i = 0; i < n; ++i) {
            page[i] = _view(_ids[start + i]);
        }
    }

    /// @notice All offers of `provider` (at most MAX_OFFERS_PER_PROVIDER).
    /// @param provider the provider's account
    /// @return offers its offers
    function offersOf(address provider) external view returns (OfferView[] memory offers) {
        mapping(uint256 => bytes32) storage ids = _providerIds[provider];
        uint256 n = _state[provider].offers;
        offers = new OfferView[](n);
        for (uint256 i = 0; i < n; ++i) {
            offers[i] = _view(ids[i]);
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
        return _state[provider].lastHeartbeat;
    }

    /// @notice Until when `provider`'s offers are live: its last heartbeat plus maxAge (0 if it never published).
    /// @param provider the provider's account
    /// @return the timestamp
    function liveUntil(address provider) public view returns (uint64) {
        uint64 last = _state[provider].lastHeartbeat;
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

    function _beat(ProviderState storage p, address provider) private {
        uint64 nowTs = uint64(block.timestamp);
        p.lastHeartbeat = nowTs;
        emit Heartbeat(provider, nowTs + maxAge);
    }

    /// @dev Swap-and-pop from both lists, then clears the offer. `id` must exist.
    function _remove(bytes32 id, address by) private {
        Stored storage o = _offers[id];
        address provider = o.provider;

        uint256 i = o.listIndex;
        uint256 last = _ids.length - 1;
        if (i != last) {
            bytes32 moved = _ids[last];
            _ids[i] = moved;
            _offers[moved].listIndex = uint96(i);
        }
        _ids.pop();

        ProviderState storage p = _state[provider];
        mapping(uint256 => bytes32) storage mine = _providerIds[provider];
        uint256 j = o.providerIndex;
        uint256 lastOfProvider = p.offers - 1;
        if (j != lastOfProvider) {
            bytes32 moved = mine[lastOfProvider];
            mine[j] = moved;
            _offers[moved].providerIndex = uint32(j);
        }
        delete mine[lastOfProvider];
        p.offers = uint32(lastOfProvider);

        delete _offers[id];
        emit OfferWithdrawn(id, provider, by);
    }

    function _view(bytes32 id) private view returns (OfferView memory v) {
        Stored storage s = _offers[id];
        uint64 last = _state[s.provider].lastHeartbeat;
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

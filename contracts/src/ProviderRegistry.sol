// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Staking} from "./Staking.sol";

/// @title ProviderRegistry
/// @notice Where providers announce themselves: an HTTP endpoint, the key that signs their receipts and
/// vouchers, the services they sell and a content id of their metadata (models, prices, hardware).
/// Registering needs at least `minStake` HYP staked for Staking.PROVIDER; a provider whose stake later
/// falls below it (unbonded or slashed) stays registered but `isActive` turns false, so clients skip it.
/// @dev Service ids are the service name as a left-aligned, zero-padded bytes32, exactly what Solidity's
/// `bytes32("inference")` gives (names of at most 32 ASCII bytes): "inference", "training", "data", "model",
/// "agent". Each provider lists 1 to 32 distinct, non-zero service ids.
///
/// A signing key is listed only with proof that its holder agrees: an EIP-712 signature by that key over
/// `SigningKeyProof(address provider,address signingKey)` in this registry's domain (name "Hypha ProviderRegistry",
/// version "1", chain id, this contract's address). Without it anyone could list someone else's key and have
/// receipts or transport attributed to it. The proof carries no nonce or expiry on purpose: it only says "this key
/// agrees to be `provider`'s key here", only `provider` can submit it (it is checked against msg.sender), and the
/// domain ties it to one registry on one chain; replaying it can only restate what the key already agreed to.
contract ProviderRegistry is AccessControlDefaultAdminRules, EIP712 {
    /// @notice Longest endpoint URL accepted, in bytes.
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;
    /// @notice Longest metadata content id accepted, in bytes (a CIDv1 string is ~60).
    uint256 public constant MAX_METADATA_CID_LENGTH = 128;
    /// @notice Most services one provider may list.
    uint256 public constant MAX_SERVICES = 32;
    /// @notice EIP-712 type hash of the signing key's proof of possession.
    bytes32 public constant SIGNING_KEY_PROOF_TYPEHASH =
        keccak256("SigningKeyProof(address provider,address signingKey)");

    /// @notice A provider's registration.
    /// @param endpoint base URL of the provider's HTTP API
    /// @param signingKey address whose key signs the provider's receipts and vouchers
    /// @param services service ids offered (see the contract's dev note for the convention)
    /// @param metadataCid content id (CIDv1 string) of the provider's metadata document; may be empty
    /// @param active false after deactivate(), true again after reactivate()
    /// @param registeredAt block timestamp of registration
    /// @param updatedAt block timestamp of the last change
    struct Provider {
        string endpoint;
        address signingKey;
        bytes32[] services;
        string metadataCid;
        bool active;
        uint64 registeredAt;
        uint64 updatedAt;
    }

    /// @notice The staking contract whose PROVIDER stake gates registration.
    Staking public immutable staking;

    mapping(address provider => Provider) private _providers;
    address[] private _providerList;
    uint256 private _minStake;

    /// @notice `provider` registered.
    event ProviderRegistered(
        address indexed provider, string endpoint, address signingKey, bytes32[] services, string metadataCid
    );
    /// @notice `provider` changed its registration.
    event ProviderUpdated(
        address indexed provider, string endpoint, address signingKey, bytes32[] services, string metadataCid
    );
    /// @notice `provider` deactivated itself.
    event ProviderDeactivated(address indexed provider);
    /// @notice `provider` reactivated itself.
    event ProviderReactivated(address indexed provider);
    /// @notice The minimum provider stake changed.
    event MinStakeChanged(uint256 oldMinStake, uint256 newMinStake);

    /// @notice The provider's PROVIDER stake is below the minimum.
    error InsufficientStake(uint256 have, uint256 need);
    /// @notice The caller is already registered (use update).
    error AlreadyRegistered(address provider);
    /// @notice The caller is not registered.
    error NotRegistered(address provider);
    /// @notice The endpoint is empty.
    error EmptyEndpoint();
    /// @notice The endpoint is longer than MAX_ENDPOINT_LENGTH bytes.
    error EndpointTooLong(uint256 length, uint256 max);
    /// @notice The signing key is the zero address.
    error InvalidSigningKey();
    /// @notice `keyProof` is not a valid signature by `signingKey` of its SigningKeyProof for the caller.
    error InvalidSigningKeyProof(address signingKey);
    /// @notice The number of services is not in 1..MAX_SERVICES.
    error InvalidServiceCount(uint256 count, uint256 max);
    /// @notice A service id is bytes32(0).
    error EmptyServiceId(uint256 index);
    /// @notice A service id appears twice.
    error DuplicateServiceId(bytes32 serviceId);
    /// @notice The metadata content id is longer than MAX_METADATA_CID_LENGTH bytes.
    error MetadataCidTooLong(uint256 length, uint256 max);
    /// @notice deactivate() on a provider that is already inactive.
    error ProviderNotActive(address provider);
    /// @notice reactivate() on a provider that is already active.
    error ProviderAlreadyActive(address provider);
    /// @notice The staking contract given to the constructor was the zero address.
    error InvalidStaking();

    /// @param staking_ the staking contract
    /// @param admin receives DEFAULT_ADMIN_ROLE (governance: a timelock); not the zero address
    /// @param adminDelay seconds a new default admin must wait before accepting a transfer (two-step handover)
    /// @param minStake_ minimum PROVIDER stake, in HYP wei
    constructor(Staking staking_, address admin, uint48 adminDelay, uint256 minStake_)
        AccessControlDefaultAdminRules(adminDelay, admin)
        EIP712("Hypha ProviderRegistry", "1")
    {
        if (address(staking_) == address(0)) revert InvalidStaking();
        staking = staking_;
        _setMinStake(minStake_);
    }

    /// @notice Registers the caller as a provider (active at once). Needs stakeOf(caller, PROVIDER) >= minStake
    /// and the signing key's proof of possession (see the contract's notes).
    /// @param endpoint base URL, 1..256 bytes
    /// @param signingKey receipt/voucher signing address, not zero
    /// @param services 1..32 distinct non-zero service ids, e.g. bytes32("inference")
    /// @param metadataCid content id of the metadata document, at most 128 bytes (may be empty)
    /// @param keyProof 65-byte signature (r, s, v) by `signingKey` of signingKeyProofDigest(caller, signingKey)
    function register(
        string calldata endpoint,
        address signingKey,
        bytes32[] calldata services,
        string calldata metadataCid,
        bytes calldata keyProof
    ) external {
        Provider storage p = _providers[msg.sender];
        if (p.registeredAt != 0) revert AlreadyRegistered(msg.sender);
        _requireStake(msg.sender);
        _validate(endpoint, signingKey, services, metadataCid);
        _requireKeyProof(msg.sender, signingKey, keyProof);

        uint64 nowTs = uint64(block.timestamp);
        p.endpoint = endpoint;
        p.signingKey = signingKey;
        p.services = services;
        p.metadataCid = metadataCid;
        p.active = true;
        p.registeredAt = nowTs;
        p.updatedAt = nowTs;
        _providerList.push(msg.sender);
        emit ProviderRegistered(msg.sender, endpoint, signingKey, services, metadataCid);
    }

    /// @notice Replaces the caller's endpoint, signing key, services and metadata id (same rules as register, the
    /// signing key's proof included, even when the key does not change).
    /// Does not change whether the provider is active.
    /// @param endpoint base URL, 1..256 bytes
    /// @param signingKey receipt/voucher signing address, not zero
    /// @param services 1..32 distinct non-zero service ids
    /// @param metadataCid content id of the metadata document, at most 128 bytes
    /// @param keyProof 65-byte signature (r, s, v) by `signingKey` of signingKeyProofDigest(caller, signingKey)
    function update(
        string calldata endpoint,
        address signingKey,
        bytes32[] calldata services,
        string calldata metadataCid,
        bytes calldata keyProof
    ) external {
        Provider storage p = _registered(msg.sender);
        _validate(endpoint, signingKey, services, metadataCid);
        _requireKeyProof(msg.sender, signingKey, keyProof);

        p.endpoint = endpoint;
        p.signingKey = signingKey;
        p.services = services;
        p.metadataCid = metadataCid;
        p.updatedAt = uint64(block.timestamp);
        emit ProviderUpdated(msg.sender, endpoint, signingKey, services, metadataCid);
    }

    /// @notice Marks the caller inactive: clients stop routing to it. The registration is kept.
    function deactivate() external {
        Provider storage p = _registered(msg.sender);
        if (!p.active) revert ProviderNotActive(msg.sender);
        p.active = false;
        p.updatedAt = uint64(block.timestamp);
        emit ProviderDeactivated(msg.sender);
    }

    /// @notice Marks the caller active again; its stake must still be at least minStake.
    function reactivate() external {
        Provider storage p = _registered(msg.sender);
        if (p.active) revert ProviderAlreadyActive(msg.sender);
        _requireStake(msg.sender);
        p.active = true;
        p.updatedAt = uint64(block.timestamp);
        emit ProviderReactivated(msg.sender);
    }

    /// @notice Sets the minimum PROVIDER stake. Only DEFAULT_ADMIN_ROLE. Registered providers below a raised
    /// minimum stay registered but stop being active (isActive) until they top up.
    /// @param newMinStake the new minimum, in HYP wei
    function setMinStake(uint256 newMinStake) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinStake(newMinStake);
    }

    /// @notice The registration of `provider` (all zero/empty when not registered).
    /// @param provider the provider's address
    /// @return the registration record
    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @notice Whether clients should use `provider`: registered, not deactivated, and staked >= minStake now.
    /// @param provider the provider's address
    /// @return true if active
    function isActive(address provider) external view returns (bool) {
        return _providers[provider].active && _stakeOf(provider) >= _minStake;
    }

    /// @notice Whether `provider` has ever registered (it stays registered when deactivated).
    /// @param provider the provider's address
    /// @return true if registered
    function isRegistered(address provider) external view returns (bool) {
        return _providers[provider].registeredAt != 0;
    }

    /// @notice Number of providers ever registered (registrations are never deleted).
    /// @return the count
    function providerCount() external view returns (uint256) {
        return _providerList.length;
    }

    /// @notice The provider registered `index`-th (0-based, registration order).
    /// @dev Reverts with a Panic (array out of bounds) when index >= providerCount().
    /// @param index position in registration order
    /// @return the provider's address
    function providerAt(uint256 index) external view returns (address) {
        return _providerList[index];
    }

    /// @notice The EIP-712 digest `signingKey` signs to prove it agrees to be `provider`'s signing key in this
    /// registry on this chain (clients may compute it themselves from the documented type and domain).
    /// @param provider the provider that will submit the proof
    /// @param signingKey the key that signs
    /// @return the digest
    function signingKeyProofDigest(address provider, address signingKey) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SIGNING_KEY_PROOF_TYPEHASH, provider, signingKey)));
    }

    /// @notice Minimum PROVIDER stake to register, reactivate and count as active.
    /// @return the minimum, in HYP wei
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    function _registered(address provider) private view returns (Provider storage p) {
        p = _providers[provider];
        if (p.registeredAt == 0) revert NotRegistered(provider);
    }

    function _stakeOf(address provider) private view returns (uint256) {
        return staking.stakeOf(provider, staking.PROVIDER());
    }

    function _requireStake(address provider) private view {
        uint256 have = _stakeOf(provider);
        if (have < _minStake) revert InsufficientStake(have, _minStake);
    }

    function _validate(
        string calldata endpoint,
        address signingKey,
        bytes32[] calldata services,
        string calldata metadataCid
    ) private pure {
        uint256 endpointLength = bytes(endpoint).length;
        if (endpointLength == 0) revert EmptyEndpoint();
        if (endpointLength > MAX_ENDPOINT_LENGTH) revert EndpointTooLong(endpointLength, MAX_ENDPOINT_LENGTH);
        if (signingKey == address(0)) revert InvalidSigningKey();
        uint256 count = services.length;
        if (count == 0 || count > MAX_SERVICES) revert InvalidServiceCount(count, MAX_SERVICES);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 id = services[i];
            if (id == bytes32(0)) revert EmptyServiceId(i);
            // Quadratic, but count <= 32 keeps it under ~500 comparisons; a mapping would cost storage writes.
            for (uint256 j = 0; j < i; ++j) {
                if (services[j] == id) revert DuplicateServiceId(id);
            }
        }
        uint256 cidLength = bytes(metadataCid).length;
        if (cidLength > MAX_METADATA_CID_LENGTH) revert MetadataCidTooLong(cidLength, MAX_METADATA_CID_LENGTH);
    }

    function _requireKeyProof(address provider, address signingKey, bytes calldata keyProof) private view {
        // tryRecover refuses malleable (high-s) signatures and wrong lengths; ERC-1271 contracts are not accepted on
        // purpose: the key signs receipts off-chain, so it must be a plain secp256k1 key.
        (address recovered, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(signingKeyProofDigest(provider, signingKey), keyProof);
        if (err != ECDSA.RecoverError.NoError || recovered != signingKey) revert InvalidSigningKeyProof(signingKey);
    }

    function _setMinStake(uint256 newMinStake) private {
        emit MinStakeChanged(_minStake, newMinStake);
        _minStake = newMinStake;
    }
}

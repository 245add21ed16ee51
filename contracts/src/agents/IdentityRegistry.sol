// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title IdentityRegistry
/// @notice ERC-8004 identity registry: every agent is an ERC-721 token (`agentId` = token id, `agentURI` =
/// `tokenURI`) whose URI points to its registration file (type `https://eips.ethereum.org/EIPS/eip-8004#registration-v1`:
/// name, description, image, `services` with their endpoints, `x402Support`, `active`, `registrations` with
/// `{agentRegistry: "eip155:<chainId>:<this address>", agentId}` and `supportedTrust`). Owners keep on-chain
/// key/value metadata. The reserved key `agentWallet` (where the agent is paid) starts as the owner, changes only
/// with an EIP-712 (EOA) or ERC-1271 (contract, e.g. an AgentAccount) proof from the new wallet, and is cleared on
/// transfer.
/// @dev Function names, events and the wallet proof follow the ERC-8004 v1 interfaces, so standard clients read it.
/// Not upgradeable and without admin: an identity is its owner's alone. Inputs are bounded (URI, key and value
/// lengths, entries per registration) so no call can be made arbitrarily expensive for readers.
contract IdentityRegistry is ERC721URIStorage, EIP712 {
    /// @notice One metadata entry given at registration.
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    /// @notice EIP-712 type of the new wallet's consent (ERC-8004 `setAgentWallet`).
    bytes32 public constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");
    /// @notice Longest a wallet proof may stay valid.
    uint256 public constant MAX_DEADLINE_DELAY = 5 minutes;
    /// @notice Reserved metadata key holding the agent's payment wallet.
    string public constant AGENT_WALLET_KEY = "agentWallet";
    /// @notice Longest agent URI (bytes).
    uint256 public constant MAX_URI_LENGTH = 2048;
    /// @notice Longest metadata key (bytes).
    uint256 public constant MAX_KEY_LENGTH = 64;
    /// @notice Longest metadata value (bytes).
    uint256 public constant MAX_VALUE_LENGTH = 1024;
    /// @notice Most metadata entries in one registration.
    uint256 public constant MAX_ENTRIES = 16;
    bytes32 private constant AGENT_WALLET_KEY_HASH = keccak256("agentWallet");

    uint256 private _nextId = 1;
    mapping(uint256 agentId => mapping(string key => bytes value)) private _metadata;

    /// @notice An agent was registered (ERC-8004).
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);
    /// @notice An agent's URI changed (ERC-8004).
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updater);
    /// @notice A metadata entry was set, including the reserved `agentWallet` (ERC-8004).
    event MetadataSet(uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue);

    /// @notice The caller is neither the agent's owner nor approved for it.
    error NotAuthorized(address caller, uint256 agentId);
    /// @notice `agentWallet` cannot be set through `setMetadata` or at registration.
    error ReservedMetadataKey();
    /// @notice The URI, key or value is empty where needed or longer than allowed, or too many entries.
    error InvalidMetadata();
    /// @notice The wallet proof's deadline passed or lies more than MAX_DEADLINE_DELAY ahead.
    error InvalidDeadline(uint256 deadline);
    /// @notice The new wallet did not sign the consent.
    error InvalidWalletSignature(address newWallet);
    /// @notice The new wallet is the zero address.
    error InvalidWallet();

    constructor() ERC721("Hypha Agent", "AGENT") EIP712("ERC8004IdentityRegistry", "1") {}

    /// @notice Registers an agent with no URI yet (set it with `setAgentURI`).
    function register() external returns (uint256 agentId) {
        agentId = _register("");
    }

    /// @notice Registers an agent whose registration file is at `agentURI`.
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = _register(agentURI);
    }

    /// @notice Registers an agent with its URI and on-chain metadata.
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId) {
        if (metadata.length > MAX_ENTRIES) revert InvalidMetadata();
        agentId = _register(agentURI);
        for (uint256 i; i < metadata.length; ++i) {
            _setMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
    }

    /// @notice Points an agent at a new registration file (owner or approved).
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _requireAuthorized(agentId);
        if (bytes(newURI).length > MAX_URI_LENGTH) revert InvalidMetadata();
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @notice Sets an on-chain metadata entry (owner or approved); `agentWallet` is reserved.
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external {
        _requireAuthorized(agentId);
        _setMetadata(agentId, metadataKey, metadataValue);
    }

    /// @notice A metadata entry (empty when unset).
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        _requireOwned(agentId);
        return _metadata[agentId][metadataKey];
    }

    /// @notice Sets where the agent is paid, with the new wallet's EIP-712 or ERC-1271 consent over
    /// `AgentWalletSet(agentId, newWallet, owner, deadline)` (owner or approved; deadline within 5 minutes).
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external {
        _requireAuthorized(agentId);
        if (newWallet == address(0)) revert InvalidWallet();
        // forge-lint: disable-next-line(block-timestamp)
        if (deadline < block.timestamp || deadline > block.timestamp + MAX_DEADLINE_DELAY) revert InvalidDeadline(deadline);
        bytes32 digest = agentWalletDigest(agentId, newWallet, _ownerOf(agentId), deadline);
        if (!SignatureChecker.isValidSignatureNow(newWallet, digest, signature)) revert InvalidWalletSignature(newWallet);
        _setWallet(agentId, newWallet);
    }

    /// @notice Clears the agent's wallet (owner or approved).
    function unsetAgentWallet(uint256 agentId) external {
        _requireAuthorized(agentId);
        _setWallet(agentId, address(0));
    }

    /// @notice Where the agent is paid (address(0) when unset or cleared by a transfer).
    function getAgentWallet(uint256 agentId) public view returns (address) {
        _requireOwned(agentId);
        bytes memory value = _metadata[agentId][AGENT_WALLET_KEY];
        // Safe: the value is exactly 20 bytes.
        // forge-lint: disable-next-line(unsafe-typecast)
        return value.length == 20 ? address(bytes20(value)) : address(0);
    }

    /// @notice The EIP-712 digest the new wallet signs for `setAgentWallet`.
    function agentWalletDigest(uint256 agentId, address newWallet, address owner, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
    }

    /// @notice Number of agents ever registered (ids are 1..totalAgents).
    function totalAgents() external view returns (uint256) {
        return _nextId - 1;
    }

    /// @notice True when `account` may act for the agent (its owner, approved for it, or an operator of the owner).
    function isAuthorizedOrOwner(address account, uint256 agentId) public view returns (bool) {
        address owner = _requireOwned(agentId);
        return _isAuthorized(owner, account, agentId);
    }

    /// @notice The registry's version (ERC-8004 readers ask for it).
    function getVersion() external pure returns (string memory) {
        return "1.0.0-hypha";
    }

    function _register(string memory agentURI) private returns (uint256 agentId) {
        if (bytes(agentURI).length > MAX_URI_LENGTH) revert InvalidMetadata();
        agentId = _nextId++;
        // _mint, not _safeMint: a smart account (AgentAccount) owning its identity need not implement the receiver hook.
        _mint(msg.sender, agentId);
        if (bytes(agentURI).length != 0) _setTokenURI(agentId, agentURI);
        emit Registered(agentId, agentURI, msg.sender);
        _setWallet(agentId, msg.sender);
    }

    function _setMetadata(uint256 agentId, string calldata key, bytes calldata value) private {
        uint256 keyLength = bytes(key).length;
        if (keyLength == 0 || keyLength > MAX_KEY_LENGTH || value.length > MAX_VALUE_LENGTH) revert InvalidMetadata();
        if (keccak256(bytes(key)) == AGENT_WALLET_KEY_HASH) revert ReservedMetadataKey();
        _metadata[agentId][key] = value;
        emit MetadataSet(agentId, key, key, value);
    }

    function _setWallet(uint256 agentId, address wallet) private {
        bytes memory value = wallet == address(0) ? bytes("") : abi.encodePacked(wallet);
        _metadata[agentId][AGENT_WALLET_KEY] = value;
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, value);
    }

    function _requireAuthorized(uint256 agentId) private view {
        if (!isAuthorizedOrOwner(msg.sender, agentId)) revert NotAuthorized(msg.sender, agentId);
    }

    /// @dev A transfer (not a mint) clears the wallet: the new owner must prove its own.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && to != from && _metadata[tokenId][AGENT_WALLET_KEY].length != 0) {
            _setWallet(tokenId, address(0));
        }
    }
}

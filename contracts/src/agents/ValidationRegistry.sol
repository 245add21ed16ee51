// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IdentityRegistry} from "./IdentityRegistry.sol";

/// @title ValidationRegistry
/// @notice ERC-8004 validation registry: an agent's owner (or operator) asks a named validator to check a piece of
/// work (`requestURI` points to the inputs and claimed outputs, `requestHash` commits to them); only that validator
/// answers, with a score from 0 to 100 and evidence. Hypha's validators answer by deterministic replay: they re-run
/// the inference or training step and compare output hashes (100: identical, 0: different). A validator may answer
/// again (soft then hard finality) until it marks its answer final; after that the result never changes (so a
/// "passed" cannot later be flipped, erc-8004-contracts#28).
/// @dev Function names and events follow ERC-8004 v1. No owner, no funds.
contract ValidationRegistry {
    struct ValidationStatus {
        address validatorAddress;
        uint8 response;
        bool hasResponse;
        bool isFinal;
        uint64 lastUpdate;
        uint256 agentId;
        bytes32 responseHash;
        string tag;
    }

    /// @notice Highest response.
    uint8 public constant MAX_RESPONSE = 100;
    /// @notice Longest URI or tag (bytes).
    uint256 public constant MAX_STRING_LENGTH = 512;

    IdentityRegistry private immutable _identity;
    mapping(bytes32 requestHash => ValidationStatus) private _validations;
    mapping(uint256 agentId => bytes32[]) private _agentValidations;
    mapping(address validator => bytes32[]) private _validatorRequests;

    /// @notice A validation was requested (ERC-8004 v1).
    event ValidationRequest(address indexed validatorAddress, uint256 indexed agentId, string requestURI, bytes32 indexed requestHash);
    /// @notice The validator answered (ERC-8004 v1).
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );
    /// @notice The validator made its answer final.
    event ValidationFinalized(bytes32 indexed requestHash, uint8 response);

    /// @notice The caller is neither the agent's owner nor approved for it.
    error NotAuthorized(address caller, uint256 agentId);
    /// @notice The validator is the zero address or the caller itself.
    error InvalidValidator();
    /// @notice A request with this hash exists.
    error RequestExists(bytes32 requestHash);
    /// @notice No request with this hash.
    error UnknownRequest(bytes32 requestHash);
    /// @notice Only the named validator answers.
    error NotValidator(address caller, address validatorAddress);
    /// @notice The response is above 100, or a string is too long.
    error InvalidResponse();
    /// @notice The answer is final.
    error AlreadyFinal(bytes32 requestHash);
    /// @notice Nothing answered yet, so nothing to finalize.
    error NoResponse(bytes32 requestHash);

    constructor(IdentityRegistry identity_) {
        _identity = identity_;
    }

    /// @notice The identity registry agents live in (ERC-8004).
    function getIdentityRegistry() external view returns (address) {
        return address(_identity);
    }

    /// @notice Asks `validatorAddress` to check the work committed to by `requestHash` (agent owner or operator).
    function validationRequest(address validatorAddress, uint256 agentId, string calldata requestURI, bytes32 requestHash)
        external
    {
        if (!_identity.isAuthorizedOrOwner(msg.sender, agentId)) revert NotAuthorized(msg.sender, agentId);
        if (validatorAddress == address(0) || validatorAddress == msg.sender) revert InvalidValidator();
        if (bytes(requestURI).length > MAX_STRING_LENGTH) revert InvalidResponse();
        ValidationStatus storage s = _validations[requestHash];
        if (s.validatorAddress != address(0)) revert RequestExists(requestHash);
        s.validatorAddress = validatorAddress;
        s.agentId = agentId;
        s.lastUpdate = uint64(block.timestamp);
        _agentValidations[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    /// @notice The named validator answers (0..100), possibly again until final.
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        ValidationStatus storage s = _requireValidator(requestHash);
        if (response > MAX_RESPONSE || bytes(responseURI).length > MAX_STRING_LENGTH || bytes(tag).length > MAX_STRING_LENGTH) {
            revert InvalidResponse();
        }
        s.response = response;
        s.hasResponse = true;
        s.responseHash = responseHash;
        s.tag = tag;
        s.lastUpdate = uint64(block.timestamp);
        emit ValidationResponse(s.validatorAddress, s.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    /// @notice The validator fixes its last answer for good.
    function finalizeValidation(bytes32 requestHash) external {
        ValidationStatus storage s = _requireValidator(requestHash);
        if (!s.hasResponse) revert NoResponse(requestHash);
        s.isFinal = true;
        emit ValidationFinalized(requestHash, s.response);
    }

    /// @notice A request's state (ERC-8004 v1).
    function getValidationStatus(bytes32 requestHash)
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        )
    {
        ValidationStatus storage s = _validations[requestHash];
        if (s.validatorAddress == address(0)) revert UnknownRequest(requestHash);
        return (s.validatorAddress, s.agentId, s.response, s.responseHash, s.tag, s.lastUpdate);
    }

    /// @notice Whether a request was answered and whether the answer is final.
    function isResolved(bytes32 requestHash) external view returns (bool hasResponse, bool isFinal) {
        ValidationStatus storage s = _validations[requestHash];
        return (s.hasResponse, s.isFinal);
    }

    /// @notice Count and mean of answered requests for the agent, from the listed validators (empty: any), with
    /// the tag (empty: any) (ERC-8004 v1).
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 avgResponse)
    {
        bytes32 tagHash = bytes(tag).length == 0 ? bytes32(0) : keccak256(bytes(tag));
        bytes32[] storage hashes = _agentValidations[agentId];
        uint256 total;
        for (uint256 i; i < hashes.length; ++i) {
            ValidationStatus storage s = _validations[hashes[i]];
            if (!s.hasResponse) continue;
            if (tagHash != 0 && keccak256(bytes(s.tag)) != tagHash) continue;
            if (validatorAddresses.length != 0 && !_contains(validatorAddresses, s.validatorAddress)) continue;
            total += s.response;
            count += 1;
        }
        // Safe: a mean of responses <= 100.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (count != 0) avgResponse = uint8(total / count);
    }

    /// @notice Every request made for the agent (ERC-8004 v1).
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory) {
        return _agentValidations[agentId];
    }

    /// @notice Every request addressed to the validator (ERC-8004 v1).
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory) {
        return _validatorRequests[validatorAddress];
    }

    function _requireValidator(bytes32 requestHash) private view returns (ValidationStatus storage s) {
        s = _validations[requestHash];
        if (s.validatorAddress == address(0)) revert UnknownRequest(requestHash);
        if (msg.sender != s.validatorAddress) revert NotValidator(msg.sender, s.validatorAddress);
        if (s.isFinal) revert AlreadyFinal(requestHash);
    }

    function _contains(address[] calldata list, address a) private pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == a) return true;
        }
        return false;
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title EIP-3009: transfer with authorization
/// @notice Lets a holder sign a transfer off-chain that anyone (a facilitator, the payee) submits.
/// This is what x402's `exact` scheme on EVM signs. Nonces are random 32-byte values chosen by the
/// signer (not sequential), so many authorizations can be outstanding at once; each is single-use.
/// @dev Uses the token's own EIP-712 domain (name, version "1", chain id, token address), so the
/// inheriting token must construct EIP712 (ERC20Permit does). Signatures are checked with
/// OpenZeppelin's SignatureChecker: ECDSA for EOAs (malleable high-s signatures are rejected) and
/// ERC-1271 for smart-contract wallets.
abstract contract EIP3009 is ERC20, EIP712 {
    /// @notice keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @notice keccak256("ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @notice keccak256("CancelAuthorization(address authorizer,bytes32 nonce)")
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    /// @dev authorizer => nonce => used or canceled
    mapping(address => mapping(bytes32 => bool)) private _authorizationStates;

    /// @notice An authorization was executed (transfer or receive).
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    /// @notice An authorization was canceled before use.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /// @notice The current time is not after `validAfter` yet.
    error AuthorizationNotYetValid(uint256 validAfter, uint256 nowTimestamp);
    /// @notice The current time is not before `validBefore` any more.
    error AuthorizationExpired(uint256 validBefore, uint256 nowTimestamp);
    /// @notice This (authorizer, nonce) pair was already used or canceled.
    error AuthorizationAlreadyUsed(address authorizer, bytes32 nonce);
    /// @notice The signature is not a valid signature of `expectedSigner` over the authorization.
    error InvalidAuthorizationSignature(address expectedSigner);
    /// @notice receiveWithAuthorization must be called by the payee.
    error CallerMustBePayee(address caller, address payee);

    /// @notice Whether `nonce` of `authorizer` is used or canceled.
    /// @param authorizer the signer of the authorization
    /// @param nonce the authorization's unique nonce
    /// @return true if it can no longer be used
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationStates[authorizer][nonce];
    }

    /// @notice Executes a transfer signed by `from` (v, r, s form).
    /// @param from payer and signer
    /// @param to payee
    /// @param value amount in the token's smallest unit
    /// @param validAfter the transfer is valid only when block.timestamp > validAfter
    /// @param validBefore the transfer is valid only when block.timestamp < validBefore
    /// @param nonce unique random nonce chosen by the signer
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            abi.encodePacked(r, s, v)
        );
    }

    /// @notice Executes a transfer signed by `from` (packed signature form, used by x402 clients).
    /// @dev Accepts a 65-byte r||s||v ECDSA signature from an EOA or any ERC-1271 signature from a contract wallet.
    /// @param from payer and signer
    /// @param to payee
    /// @param value amount in the token's smallest unit
    /// @param validAfter the transfer is valid only when block.timestamp > validAfter
    /// @param validBefore the transfer is valid only when block.timestamp < validBefore
    /// @param nonce unique random nonce chosen by the signer
    /// @param signature the signature bytes
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    /// @notice Executes a transfer signed by `from`, callable only by the payee `to` (v, r, s form).
    /// @dev Guards against front-running when the payee is a contract that acts on the deposit in the same call.
    /// @param from payer and signer
    /// @param to payee, must be msg.sender
    /// @param value amount in the token's smallest unit
    /// @param validAfter valid only when block.timestamp > validAfter
    /// @param validBefore valid only when block.timestamp < validBefore
    /// @param nonce unique random nonce chosen by the signer
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (to != msg.sender) revert CallerMustBePayee(msg.sender, to);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            abi.encodePacked(r, s, v)
        );
    }

    /// @notice Executes a transfer signed by `from`, callable only by the payee `to` (packed signature form).
    /// @param from payer and signer
    /// @param to payee, must be msg.sender
    /// @param value amount in the token's smallest unit
    /// @param validAfter valid only when block.timestamp > validAfter
    /// @param validBefore valid only when block.timestamp < validBefore
    /// @param nonce unique random nonce chosen by the signer
    /// @param signature EOA (r||s||v) or ERC-1271 signature
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        if (to != msg.sender) revert CallerMustBePayee(msg.sender, to);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    /// @notice Cancels an unused authorization, signed by its authorizer (v, r, s form).
    /// @param authorizer the signer of the authorization to cancel
    /// @param nonce the authorization's nonce
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _cancelAuthorization(authorizer, nonce, abi.encodePacked(r, s, v));
    }

    /// @notice Cancels an unused authorization, signed by its authorizer (packed signature form).
    /// @param authorizer the signer of the authorization to cancel
    /// @param nonce the authorization's nonce
    /// @param signature EOA (r||s||v) or ERC-1271 signature
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external {
        _cancelAuthorization(authorizer, nonce, signature);
    }

    function _transferWithAuthorization(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) private {
        // EIP-3009 defines validity by block time; a few seconds of validator skew is within its design.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= validAfter) revert AuthorizationNotYetValid(validAfter, block.timestamp);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= validBefore) revert AuthorizationExpired(validBefore, block.timestamp);
        _requireUnused(from, nonce);
        bytes32 structHash = keccak256(abi.encode(typeHash, from, to, value, validAfter, validBefore, nonce));
        _requireValidSignature(from, _hashTypedDataV4(structHash), signature);

        _authorizationStates[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
        // ERC20._transfer reverts on zero addresses and insufficient balance; the whole call then reverts,
        // so a failed transfer never consumes the nonce.
        _transfer(from, to, value);
    }

    function _cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) private {
        _requireUnused(authorizer, nonce);
        bytes32 structHash = keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce));
        _requireValidSignature(authorizer, _hashTypedDataV4(structHash), signature);

        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    function _requireUnused(address authorizer, bytes32 nonce) private view {
        if (_authorizationStates[authorizer][nonce]) revert AuthorizationAlreadyUsed(authorizer, nonce);
    }

    function _requireValidSignature(address signer, bytes32 digest, bytes memory signature) private view {
        // ECDSA recovery never yields the zero address as valid, so `signer == 0` always fails here.
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
            revert InvalidAuthorizationSignature(signer);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The EIP-3009 entry point PaymentReceipts settles through (PaymentToken implements it).
interface IEIP3009Transfer {
    /// @notice Moves `value` from `from` to `to` on `from`'s signature (packed, or ERC-1271 for contracts).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;
}

/// @title PaymentReceipts
/// @notice Settles EIP-3009 `transferWithAuthorization` payments (x402 `exact`) of one payment token and keeps a
/// receipt of each: who paid whom how much. The receipt is the proof of payment the ReputationRegistry asks a
/// rater for. Anyone may relay a signed authorization (as an x402 facilitator does); the token checks the payer's
/// signature, so a receipt exists only for money that really moved from `from` to `to`.
/// @dev Receipt id = keccak256(abi.encode(from, nonce)), unique because the token spends each (from, nonce) once.
/// An authorization submitted straight to the token instead leaves no receipt (the payment stands, the rating
/// right is lost). No owner, no funds held.
contract PaymentReceipts {
    /// @notice A settled payment.
    struct Receipt {
        address from;
        address to;
        uint256 value;
    }

    /// @notice The EIP-3009 token whose payments are recorded.
    IERC20 public immutable token;

    mapping(bytes32 receiptId => Receipt) private _receipts;

    /// @notice `from` paid `value` to `to`; the receipt's id is `receiptId`.
    event PaymentRecorded(bytes32 indexed receiptId, address indexed from, address indexed to, uint256 value, bytes32 nonce);

    /// @notice The payee received `received` instead of `expected`.
    error PaymentShortfall(uint256 received, uint256 expected);
    /// @notice A zero address or amount.
    error InvalidPayment();

    /// @param token_ a token implementing EIP-3009 (the network's payment token)
    constructor(IERC20 token_) {
        if (address(token_) == address(0)) revert InvalidPayment();
        token = token_;
    }

    /// @notice Settles a signed `transferWithAuthorization` and records its receipt.
    /// @return receiptId the id a rater cites as proof of payment
    function settle(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external returns (bytes32 receiptId) {
        if (from == address(0) || to == address(0) || from == to || value == 0) revert InvalidPayment();
        receiptId = receiptIdOf(from, nonce);
        uint256 before = token.balanceOf(to);
        IEIP3009Transfer(address(token)).transferWithAuthorization(from, to, value, validAfter, validBefore, nonce, signature);
        uint256 received = token.balanceOf(to) - before;
        if (received != value) revert PaymentShortfall(received, value);
        _receipts[receiptId] = Receipt({from: from, to: to, value: value});
        emit PaymentRecorded(receiptId, from, to, value, nonce);
    }

    /// @notice A receipt (all zero when none).
    function receipt(bytes32 receiptId) external view returns (Receipt memory) {
        return _receipts[receiptId];
    }

    /// @notice The id of the receipt for `from`'s authorization `nonce`.
    function receiptIdOf(address from, bytes32 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(from, nonce));
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title IInferenceConsumer
/// @notice What a contract implements to receive the answer to an inference it requested from InferenceCoordinator.
/// @dev The coordinator calls `onInferenceResult` with at most the gas the request named, and records whether it
/// succeeded; a reverting or gas-hungry callback never undoes the fulfilment. Implementations must check that
/// `msg.sender` is the coordinator they asked (anyone can call this function) and that they made request
/// `result.requestId` themselves (anyone can name any contract as a request's callback).
interface IInferenceConsumer {
    /// @notice The answer to a request, as the coordinator hands it over.
    /// @param requestId the coordinator's id of the request
    /// @param provider the provider that answered (its receipt was checked on chain)
    /// @param model the model's content-id digest
    /// @param output the answer: UTF-8 text when outputKind is INLINE, a content id (CIDv1 string) when CONTENT_ID
    /// @param outputKind InferenceCoordinator.INLINE or InferenceCoordinator.CONTENT_ID
    /// @param tokensIn prompt tokens the provider counted
    /// @param tokensOut generated tokens the provider counted
    /// @param fee what the provider charged (the rest of the maximum went back to the requester)
    struct InferenceResult {
        uint256 requestId;
        address provider;
        bytes32 model;
        bytes output;
        uint8 outputKind;
        uint64 tokensIn;
        uint64 tokensOut;
        uint256 fee;
    }

    /// @notice Receives the answer to request `result.requestId`.
    /// @param result the answer and its accounting
    function onInferenceResult(InferenceResult calldata result) external;
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {InferenceCoordinator} from "../InferenceCoordinator.sol";
import {IInferenceConsumer} from "../IInferenceConsumer.sol";

/// @title ExampleInferenceConsumer
/// @notice The smallest useful consumer of InferenceCoordinator: its owner asks a model for a completion of a prompt,
/// paid from this contract's own payment-token balance, and the answer is stored when the coordinator calls back.
/// Refunds (the unspent part of each maximum, or all of it when nobody answered) come back to this contract.
contract ExampleInferenceConsumer is IInferenceConsumer {
    using SafeERC20 for IERC20;

    /// @notice Gas the callback asks for: enough to store an answer of a few hundred bytes.
    uint32 public constant CALLBACK_GAS = 500_000;

    /// @notice The coordinator asked, and the only caller of onInferenceResult accepted.
    InferenceCoordinator public immutable coordinator;
    /// @notice Who may ask.
    address public immutable owner;

    /// @notice The answer to each request (empty until answered).
    mapping(uint256 requestId => string) public answers;
    /// @notice Whether a request has been answered (an answer may be empty text).
    mapping(uint256 requestId => bool) public answered;
    /// @notice Whether this contract made the request (anyone may name any contract as a request's callback).
    mapping(uint256 requestId => bool) public asked;
    /// @notice The last request made.
    uint256 public lastRequestId;

    /// @notice `prompt` was sent to the coordinator as request `requestId`.
    event Asked(uint256 indexed requestId, bytes32 indexed model, string prompt);
    /// @notice Request `requestId` was answered with `answer`.
    event Answered(uint256 indexed requestId, string answer);

    /// @notice Only the owner may ask.
    error NotOwner(address caller);
    /// @notice Only the coordinator may deliver answers.
    error NotCoordinator(address caller);
    /// @notice The answer is for a request this contract did not make.
    error UnknownRequest(uint256 requestId);
    /// @notice The answer came as a content id; this example only keeps inline text.
    error UnsupportedOutputKind(uint8 kind);

    /// @param coordinator_ the coordinator to ask
    constructor(InferenceCoordinator coordinator_) {
        coordinator = coordinator_;
        owner = msg.sender;
    }

    /// @notice Asks `model` to continue `prompt`, paying at most `maxFee` from this contract's balance.
    /// @param model the model's content-id digest
    /// @param prompt the prompt (UTF-8)
    /// @param maxFee most to pay, in the coordinator's payment token
    /// @param maxTokens most tokens to generate
    /// @param deadline last moment to answer (unix seconds)
    /// @return requestId the coordinator's id of the request
    function ask(bytes32 model, string calldata prompt, uint96 maxFee, uint32 maxTokens, uint64 deadline)
        external
        returns (uint256 requestId)
    {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        IERC20 token = coordinator.token();
        token.forceApprove(address(coordinator), maxFee);
        requestId = coordinator.request(
            InferenceCoordinator.RequestParams({
                model: model,
                input: bytes(prompt),
                inputKind: coordinator.INLINE(),
                maxFee: maxFee,
                maxOutputTokens: maxTokens,
                callback: address(this),
                callbackGasLimit: CALLBACK_GAS,
                deadline: deadline
            })
        );
        lastRequestId = requestId;
        asked[requestId] = true;
        emit Asked(requestId, model, prompt);
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceResult(InferenceResult calldata result) external {
        if (msg.sender != address(coordinator)) revert NotCoordinator(msg.sender);
        if (!asked[result.requestId] || answered[result.requestId]) revert UnknownRequest(result.requestId);
        if (result.outputKind != coordinator.INLINE()) revert UnsupportedOutputKind(result.outputKind);
        string memory answer = string(result.output);
        answers[result.requestId] = answer;
        answered[result.requestId] = true;
        emit Answered(result.requestId, answer);
    }
}

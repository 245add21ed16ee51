// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";
import {IInferenceConsumer} from "./IInferenceConsumer.sol";

/// @title InferenceCoordinator
/// @notice Inference requested by contracts (Ritual-like). Any contract or account asks for an inference: a model's
/// content-id digest, the input (inline bytes or a content id), the most it will pay (escrowed in the payment token at
/// once), the most tokens to generate, an optional callback with its gas limit, and a deadline. An active, staked
/// provider of ProviderRegistry answers before the deadline with the output (inline or a content id), the fee it
/// charges (at most the maximum; the rest goes back to the requester at once) and a receipt signed by its registered
/// signing key. The callback runs with exactly its gas limit and its failure is recorded, never fatal. The fee stays
/// here for a challenge window in which the requester may dispute the answer; after it anyone may pay it to the
/// provider. A disputed fee stays locked until the dispute game (the verification work) decides. A request nobody
/// answered is refunded in full after its deadline; anyone may trigger that.
/// @dev No owner, no admin, no upgrade. One payment token, fixed at construction (a plain ERC-20: no transfer fees,
/// hooks, blocklists or rebasing), so no requester can bring a token that calls back or refuses transfers. Amounts are
/// at most 2^96 - 1 token units. Every function that moves tokens is nonReentrant, and effects precede transfers.
///
/// Receipts are EIP-712 typed data in this contract's domain (name "Hypha InferenceCoordinator", version "1", chain id,
/// this address): `InferenceReceipt(bytes32 requestHash,address provider,bytes32 modelId,uint64 tokensIn,
/// uint64 tokensOut,bytes32 outputHash,uint256 fee)`. The request hash commits to every field of the request (its id
/// included) and to this contract and chain, so a receipt is worth something for one request only. The output hash is
/// keccak256 of the output bytes as delivered.
contract InferenceCoordinator is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Input or output kind: the bytes themselves (UTF-8 text for language models).
    uint8 public constant INLINE = 0;
    /// @notice Input or output kind: a content id (CIDv1 string) of the bytes, fetched from the network.
    uint8 public constant CONTENT_ID = 1;
    /// @notice Longest inline input or output, in bytes (keeps calldata, events and callbacks bounded).
    uint256 public constant MAX_DATA_LENGTH = 8192;
    /// @notice Longest content id accepted as input or output, in bytes (a CIDv1 string is ~60).
    uint256 public constant MAX_CID_LENGTH = 128;
    /// @notice Most tokens a request may ask to generate.
    uint32 public constant MAX_OUTPUT_TOKENS = 4096;
    /// @notice Most gas a callback may be given.
    uint32 public constant MAX_CALLBACK_GAS = 2_000_000;
    /// @notice Gas kept back for the work after the callback returns (recording its outcome and its event).
    uint256 public constant CALLBACK_GAS_RESERVE = 40_000;
    /// @notice Latest deadline a request may name, counted from its creation.
    uint64 public constant MAX_DEADLINE = 30 days;
    /// @notice Shortest challenge window outside the local development chain.
    uint64 public constant MIN_CHALLENGE_PERIOD = 1 hours;
    /// @notice Longest challenge window.
    uint64 public constant MAX_CHALLENGE_PERIOD = 30 days;
    /// @notice Chain id of the local development chain (anvil, `hypha up`), where any window is allowed.
    uint256 public constant LOCAL_CHAIN_ID = 31337;
    /// @notice EIP-712 type hash of a provider's receipt.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "InferenceReceipt(bytes32 requestHash,address provider,bytes32 modelId,uint64 tokensIn,uint64 tokensOut,bytes32 outputHash,uint256 fee)"
    );

    /// @notice Where a request is in its life.
    enum Status {
        None, // never created
        Open, // escrowed, waiting for a provider until its deadline
        Fulfilled, // answered; the fee is held until the challenge window ends
        Challenged, // answered and disputed; the fee stays locked
        Paid, // answered, unchallenged; the fee went to the provider
        Refunded // not answered by the deadline; the escrow went back to the requester
    }

    /// @notice What a requester asks for.
    /// @param model the model's content-id digest (sha2-256 of its CID's multihash)
    /// @param input inline bytes (UTF-8 prompt) or a content id, per inputKind
    /// @param inputKind INLINE or CONTENT_ID
    /// @param maxFee most the requester pays, escrowed now; < 2^96
    /// @param maxOutputTokens most tokens to generate, 1..MAX_OUTPUT_TOKENS
    /// @param callback contract called with the answer, or the zero address for none (read the event instead)
    /// @param callbackGasLimit gas the callback gets, at most MAX_CALLBACK_GAS (0 when there is no callback)
    /// @param deadline last moment (exclusive) to answer, unix seconds, within MAX_DEADLINE from now
    struct RequestParams {
        bytes32 model;
        bytes input;
        uint8 inputKind;
        uint96 maxFee;
        uint32 maxOutputTokens;
        address callback;
        uint32 callbackGasLimit;
        uint64 deadline;
    }

    /// @notice A provider's answer.
    /// @param output inline bytes (UTF-8 text) or a content id, per outputKind
    /// @param outputKind INLINE or CONTENT_ID
    /// @param tokensIn prompt tokens counted by the provider
    /// @param tokensOut tokens generated, at most the request's maxOutputTokens
    /// @param fee what the provider charges, at most the request's maxFee
    /// @param signature the provider's registered signing key's 65-byte signature of the receipt (see the dev note)
    struct Fulfilment {
        bytes output;
        uint8 outputKind;
        uint64 tokensIn;
        uint64 tokensOut;
        uint96 fee;
        bytes signature;
    }

    /// @dev A request's record, six slots (the fifth written only when answered).
    struct Request {
        address requester;
        uint64 deadline;
        uint32 callbackGasLimit;
        address callback;
        uint96 maxFee;
        bytes32 model;
        bytes32 requestHash;
        address provider;
        uint96 fee;
        uint64 challengeEndsAt;
        uint32 maxOutputTokens;
        Status status;
        bool callbackSucceeded;
    }

    /// @notice The registry whose active (staked) providers may answer, and whose signing keys sign receipts.
    ProviderRegistry public immutable registry;
    /// @notice The token fees are escrowed and paid in.
    IERC20 public immutable token;
    /// @notice Seconds an answer stays challengeable before its fee can be paid out.
    uint64 public immutable challengePeriod;

    mapping(uint256 requestId => Request) private _requests;
    uint256 private _nextId = 1;

    /// @notice A request was made and `maxFee` escrowed. Providers read the input from here.
    event InferenceRequested(
        uint256 indexed requestId,
        address indexed requester,
        bytes32 indexed model,
        bytes32 requestHash,
        bytes input,
        uint8 inputKind,
        uint256 maxFee,
        uint32 maxOutputTokens,
        address callback,
        uint32 callbackGasLimit,
        uint64 deadline
    );
    /// @notice `provider` answered; `maxFee - fee` went back to the requester; the fee is held until `challengeEndsAt`.
    /// The callback, if any, runs after this event (see CallbackCalled).
    event InferenceFulfilled(
        uint256 indexed requestId,
        address indexed provider,
        bytes output,
        uint8 outputKind,
        bytes32 outputHash,
        uint64 tokensIn,
        uint64 tokensOut,
        uint256 fee,
        uint64 challengeEndsAt
    );
    /// @notice The callback of an answered request ran; `success` is false when it reverted or ran out of its gas.
    event CallbackCalled(uint256 indexed requestId, address indexed callback, bool success);
    /// @notice The requester disputed the answer; its fee stays locked.
    event InferenceChallenged(uint256 indexed requestId, address indexed challenger, bytes32 reason);
    /// @notice The held fee was paid to the provider.
    event FeePaid(uint256 indexed requestId, address indexed provider, uint256 fee);
    /// @notice Nobody answered by the deadline; `amount` went back to the requester.
    event RequestRefunded(uint256 indexed requestId, address indexed requester, uint256 amount);

    /// @notice A constructor address was zero.
    error InvalidAddress();
    /// @notice The challenge period is outside [MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD] (no minimum on the local chain).
    error InvalidChallengePeriod(uint64 period);
    /// @notice The model digest is zero.
    error EmptyModel();
    /// @notice An input or output kind is neither INLINE nor CONTENT_ID.
    error InvalidKind(uint8 kind);
    /// @notice An input or output is empty (inline input) or longer than its kind allows.
    error InvalidDataLength(uint256 length, uint256 max);
    /// @notice maxOutputTokens is 0 or above MAX_OUTPUT_TOKENS.
    error InvalidMaxOutputTokens(uint32 maxOutputTokens, uint32 max);
    /// @notice The callback gas limit is above MAX_CALLBACK_GAS, or non-zero without a callback.
    error InvalidCallbackGasLimit(uint32 gasLimit, uint32 max);
    /// @notice The deadline is not in (now, now + MAX_DEADLINE].
    error InvalidDeadline(uint64 deadline, uint64 latest);
    /// @notice The token delivered a different amount than asked (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 received, uint256 expected);
    /// @notice The request is not in the state this action needs.
    error WrongStatus(uint256 requestId, Status status);
    /// @notice The request's deadline passed: it can no longer be answered (only refunded).
    error DeadlinePassed(uint256 requestId, uint64 deadline);
    /// @notice The request's deadline has not passed yet: it cannot be refunded.
    error DeadlineNotReached(uint256 requestId, uint64 deadline);
    /// @notice The caller is not an active provider of the registry (registered, not deactivated, staked enough).
    error NotActiveProvider(address provider);
    /// @notice The fee is above the request's maximum.
    error FeeAboveMax(uint256 fee, uint256 maxFee);
    /// @notice The provider says it generated more tokens than the request allowed.
    error TooManyOutputTokens(uint64 tokensOut, uint32 maxOutputTokens);
    /// @notice The receipt is not signed by the provider's registered signing key.
    error InvalidReceiptSignature(address signingKey);
    /// @notice The transaction did not carry enough gas to give the callback its full gas limit.
    error InsufficientGasForCallback(uint256 gasLeft, uint256 needed);
    /// @notice The challenge window of the answer ended at `challengeEndsAt`.
    error ChallengeWindowOver(uint64 challengeEndsAt);
    /// @notice The challenge window of the answer is open until `challengeEndsAt`.
    error ChallengeWindowOpen(uint64 challengeEndsAt);
    /// @notice Only the requester may challenge its answer.
    error NotRequester(address caller, address requester);

    /// @param registry_ the provider registry (its active providers answer; its signing keys sign receipts)
    /// @param token_ the payment token (plain ERC-20)
    /// @param challengePeriod_ seconds an answer stays challengeable, in [MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD]
    /// (any value up to the maximum on the local chain)
    constructor(ProviderRegistry registry_, IERC20 token_, uint64 challengePeriod_)
        EIP712("Hypha InferenceCoordinator", "1")
    {
        if (address(registry_) == address(0) || address(token_) == address(0)) revert InvalidAddress();
        if (
            challengePeriod_ > MAX_CHALLENGE_PERIOD
                || (challengePeriod_ < MIN_CHALLENGE_PERIOD && block.chainid != LOCAL_CHAIN_ID)
        ) {
            revert InvalidChallengePeriod(challengePeriod_);
        }
        registry = registry_;
        token = token_;
        challengePeriod = challengePeriod_;
    }

    // ----------------------------------------------------------------------------------------------
    // Requester
    // ----------------------------------------------------------------------------------------------

    /// @notice Requests an inference and escrows `p.maxFee` of the payment token from the caller (approve first).
    /// @dev Not nonReentrant on purpose: a consumer may ask again from inside its callback. It is safe because the
    /// token is fixed and plain, and the record is complete before the tokens are pulled.
    /// @param p what is asked (see RequestParams)
    /// @return requestId the new request's id (ids count up from 1)
    function request(RequestParams calldata p) external returns (uint256 requestId) {
        if (p.model == bytes32(0)) revert EmptyModel();
        _checkData(p.input, p.inputKind, false);
        if (p.maxOutputTokens == 0 || p.maxOutputTokens > MAX_OUTPUT_TOKENS) {
            revert InvalidMaxOutputTokens(p.maxOutputTokens, MAX_OUTPUT_TOKENS);
        }
        if (p.callbackGasLimit > MAX_CALLBACK_GAS || (p.callback == address(0) && p.callbackGasLimit != 0)) {
            revert InvalidCallbackGasLimit(p.callbackGasLimit, MAX_CALLBACK_GAS);
        }
        uint64 latest = uint64(block.timestamp) + MAX_DEADLINE;
        // forge-lint: disable-next-line(block-timestamp)
        if (p.deadline <= block.timestamp || p.deadline > latest) revert InvalidDeadline(p.deadline, latest);

        requestId = _nextId++;
        bytes32 requestHash = requestHashOf(requestId, msg.sender, p);
        _requests[requestId] = Request({
            requester: msg.sender,
            deadline: p.deadline,
            callbackGasLimit: p.callbackGasLimit,
            callback: p.callback,
            maxFee: p.maxFee,
            model: p.model,
            requestHash: requestHash,
            provider: address(0),
            fee: 0,
            challengeEndsAt: 0,
            maxOutputTokens: p.maxOutputTokens,
            status: Status.Open,
            callbackSucceeded: false
        });
        emit InferenceRequested(
            requestId,
            msg.sender,
            p.model,
            requestHash,
            p.input,
            p.inputKind,
            p.maxFee,
            p.maxOutputTokens,
            p.callback,
            p.callbackGasLimit,
            p.deadline
        );
        if (p.maxFee != 0) _pull(p.maxFee);
    }

    /// @notice Returns the whole escrow of a request nobody answered to its requester. Anyone may call it once the
    /// deadline has passed.
    /// @param requestId the request
    function refund(uint256 requestId) external nonReentrant {
        Request storage r = _requests[requestId];
        if (r.status != Status.Open) revert WrongStatus(requestId, r.status);
        // Validators can skew timestamps by seconds; deadlines are minutes or more.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < r.deadline) revert DeadlineNotReached(requestId, r.deadline);
        r.status = Status.Refunded;
        uint256 amount = r.maxFee;
        emit RequestRefunded(requestId, r.requester, amount);
        if (amount != 0) token.safeTransfer(r.requester, amount);
    }

    /// @notice Disputes an answer within its challenge window: its fee stays locked until the dispute game decides.
    /// Only the requester (the party the answer was for).
    /// @param requestId the request
    /// @param reason a tag the challenger chooses (e.g. the hash of its evidence)
    function challenge(uint256 requestId, bytes32 reason) external nonReentrant {
        Request storage r = _requests[requestId];
        if (r.status != Status.Fulfilled) revert WrongStatus(requestId, r.status);
        if (msg.sender != r.requester) revert NotRequester(msg.sender, r.requester);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= r.challengeEndsAt) revert ChallengeWindowOver(r.challengeEndsAt);
        r.status = Status.Challenged;
        emit InferenceChallenged(requestId, msg.sender, reason);
    }

    // ----------------------------------------------------------------------------------------------
    // Provider
    // ----------------------------------------------------------------------------------------------

    /// @notice Answers an open request before its deadline. The caller must be an active provider of the registry;
    /// the receipt must be signed by its registered signing key. Returns `maxFee - fee` to the requester now, holds
    /// the fee for the challenge window, then calls the callback with exactly its gas limit and records the outcome.
    /// @dev The transaction must carry enough gas for the callback's full limit (checked), so a provider cannot make
    /// a callback fail by starving it. The callback's return data is never copied, so it cannot cost the caller gas.
    /// @param requestId the request
    /// @param f the answer (see Fulfilment)
    /// @return callbackSucceeded whether the callback ran without reverting (false when there is none)
    function fulfil(uint256 requestId, Fulfilment calldata f) external nonReentrant returns (bool callbackSucceeded) {
        Request storage r = _requests[requestId];
        if (r.status != Status.Open) revert WrongStatus(requestId, r.status);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= r.deadline) revert DeadlinePassed(requestId, r.deadline);
        if (!registry.isActive(msg.sender)) revert NotActiveProvider(msg.sender);
        _checkData(f.output, f.outputKind, true);
        if (f.fee > r.maxFee) revert FeeAboveMax(f.fee, r.maxFee);
        if (f.tokensOut > r.maxOutputTokens) revert TooManyOutputTokens(f.tokensOut, r.maxOutputTokens);
        bytes32 outputHash = keccak256(f.output);
        _checkReceipt(r, f, outputHash);

        uint64 challengeEndsAt = uint64(block.timestamp) + challengePeriod;
        r.status = Status.Fulfilled;
        r.provider = msg.sender;
        r.fee = f.fee;
        r.challengeEndsAt = challengeEndsAt;
        uint256 change = r.maxFee - f.fee;
        if (change != 0) token.safeTransfer(r.requester, change);

        emit InferenceFulfilled(
            requestId, msg.sender, f.output, f.outputKind, outputHash, f.tokensIn, f.tokensOut, f.fee, challengeEndsAt
        );

        // Last, after every effect and transfer: whatever the callback does (revert, burn its gas, call back in and
        // be stopped by the guard), the answer and the provider's fee stand.
        address callback = r.callback;
        if (callback != address(0)) {
            callbackSucceeded = _callback(callback, r.callbackGasLimit, _result(requestId, r, f));
            if (callbackSucceeded) r.callbackSucceeded = true;
            emit CallbackCalled(requestId, callback, callbackSucceeded);
        }
    }

    /// @notice Pays a held fee to the provider once the challenge window is over and nobody challenged. Anyone may
    /// call it (the fee always goes to the provider that answered).
    /// @param requestId the request
    function withdrawFee(uint256 requestId) external nonReentrant {
        Request storage r = _requests[requestId];
        if (r.status != Status.Fulfilled) revert WrongStatus(requestId, r.status);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < r.challengeEndsAt) revert ChallengeWindowOpen(r.challengeEndsAt);
        r.status = Status.Paid;
        uint256 fee = r.fee;
        emit FeePaid(requestId, r.provider, fee);
        if (fee != 0) token.safeTransfer(r.provider, fee);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice A request's record (all zero for an id never used).
    /// @param requestId the request
    /// @return the record
    function getRequest(uint256 requestId) external view returns (Request memory) {
        return _requests[requestId];
    }

    /// @notice The id the next request will get.
    /// @return the id
    function nextRequestId() external view returns (uint256) {
        return _nextId;
    }

    /// @notice The hash that names a request in receipts: every field of it, its id and requester, this contract and
    /// this chain (keccak256 of their ABI encoding, the input as its keccak256).
    /// @param requestId the request's id
    /// @param requester who asked
    /// @param p what was asked
    /// @return the hash
    function requestHashOf(uint256 requestId, address requester, RequestParams calldata p)
        public
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                block.chainid,
                address(this),
                requestId,
                requester,
                p.model,
                keccak256(p.input),
                p.inputKind,
                p.maxFee,
                p.maxOutputTokens,
                p.callback,
                p.callbackGasLimit,
                p.deadline
            )
        );
    }

    /// @notice The EIP-712 digest a provider's signing key signs for an answer.
    /// @param requestHash the request's hash (see requestHashOf; also in InferenceRequested)
    /// @param provider the provider that answers (the fulfil transaction's sender)
    /// @param modelId the request's model digest
    /// @param tokensIn prompt tokens
    /// @param tokensOut generated tokens
    /// @param outputHash keccak256 of the output bytes
    /// @param fee the fee charged
    /// @return the digest
    function receiptDigest(
        bytes32 requestHash,
        address provider,
        bytes32 modelId,
        uint64 tokensIn,
        uint64 tokensOut,
        bytes32 outputHash,
        uint256 fee
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(RECEIPT_TYPEHASH, requestHash, provider, modelId, tokensIn, tokensOut, outputHash, fee)
            )
        );
    }

    /// @notice The EIP-712 domain separator (name "Hypha InferenceCoordinator", version "1", this chain, this contract).
    /// @return the separator
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    /// @dev An inline input must not be empty (there would be nothing to answer); an output may be.
    function _checkData(bytes calldata data, uint8 kind, bool mayBeEmpty) private pure {
        uint256 max;
        if (kind == INLINE) max = MAX_DATA_LENGTH;
        else if (kind == CONTENT_ID) max = MAX_CID_LENGTH;
        else revert InvalidKind(kind);
        uint256 length = data.length;
        if (length > max || (length == 0 && !(mayBeEmpty && kind == INLINE))) revert InvalidDataLength(length, max);
    }

    function _checkReceipt(Request storage r, Fulfilment calldata f, bytes32 outputHash) private view {
        address signingKey = registry.getProvider(msg.sender).signingKey;
        bytes32 digest = receiptDigest(r.requestHash, msg.sender, r.model, f.tokensIn, f.tokensOut, outputHash, f.fee);
        // Plain secp256k1 only, as the registry requires of signing keys; tryRecover refuses high-s and bad lengths.
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, f.signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signingKey) revert InvalidReceiptSignature(signingKey);
    }

    function _result(uint256 requestId, Request storage r, Fulfilment calldata f) private view returns (bytes memory) {
        return abi.encodeCall(
            IInferenceConsumer.onInferenceResult,
            (IInferenceConsumer.InferenceResult({
                    requestId: requestId,
                    provider: msg.sender,
                    model: r.model,
                    output: f.output,
                    outputKind: f.outputKind,
                    tokensIn: f.tokensIn,
                    tokensOut: f.tokensOut,
                    fee: f.fee
                }))
        );
    }

    /// @dev Calls `target` with exactly `gasLimit` gas (EIP-150 passes on at most 63/64 of what is left, so what is
    /// left must cover the limit, that 1/64, and the reserve for the rest of fulfil) and without copying its return
    /// data. A call to an account without code succeeds, as any call to one does.
    function _callback(address target, uint256 gasLimit, bytes memory data) private returns (bool ok) {
        uint256 needed = gasLimit + gasLimit / 63 + CALLBACK_GAS_RESERVE;
        uint256 left = gasleft();
        if (left < needed) revert InsufficientGasForCallback(left, needed);
        assembly ("memory-safe") {
            ok := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
        }
    }

    /// @dev Pulls exactly `amount` from the caller; a token that delivers another amount is refused.
    function _pull(uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IdentityRegistry} from "./IdentityRegistry.sol";
import {PaymentReceipts} from "./PaymentReceipts.sol";
import {ServiceEscrow} from "./ServiceEscrow.sol";
import {PaymentChannels} from "../PaymentChannels.sol";

/// @title ReputationRegistry
/// @notice ERC-8004 reputation registry in which feedback exists only with proof that the rater paid the agent:
/// a PaymentChannels channel the rater paid the agent through (weight: what the agent redeemed), an EIP-3009
/// payment settled through PaymentReceipts (weight: its value), or a ServiceEscrow agreement that paid the agent
/// (weight: what was released to it). Each payment backs one feedback, ever, so a review costs a real payment and
/// `getSummary` is the payment-weighted mean of the chosen raters' feedback. The agent is paid at its
/// `agentWallet` or its owner; all weights are in the one payment token.
/// @dev Read functions (but `readAllFeedback`: page with `getClients`, `getLastIndex` and `readFeedback`), events,
/// revoke and responses follow ERC-8004 v1. The spec's proof-less `giveFeedback`
/// reverts with `PaymentProofRequired`: use `giveFeedbackWithPayment`. As the spec requires, summaries take an
/// explicit list of raters (unfiltered totals invite Sybil raters). Paying oneself through a second address still
/// works but locks up the money it is weighted by for the round trip; readers choose whose feedback to trust.
contract ReputationRegistry {
    /// @notice Which kind of payment a proof cites.
    enum ProofKind {
        Channel,
        Receipt,
        Escrow
    }

    /// @notice The payment behind a feedback. `ref` is the receipt id (Receipt) or agreement id (Escrow); `channel`
    /// is the channel's parameters (Channel).
    struct PaymentProof {
        ProofKind kind;
        bytes32 ref;
        PaymentChannels.Channel channel;
    }

    /// @notice The feedback itself (ERC-8004 fields).
    struct FeedbackInput {
        int128 value;
        uint8 valueDecimals;
        string tag1;
        string tag2;
        string endpoint;
        string feedbackURI;
        bytes32 feedbackHash;
    }

    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        uint128 weight;
        string tag1;
        string tag2;
    }

    /// @notice Largest `valueDecimals`.
    uint8 public constant MAX_DECIMALS = 18;
    /// @notice Decimals of summary values.
    uint8 public constant SUMMARY_DECIMALS = 18;
    /// @notice Largest |value| once scaled to 18 decimals (keeps every mean inside int128; weights are below 2^96, so sums stay inside int256).
    int256 public constant MAX_SCALED_VALUE = 1e38;
    /// @notice Longest tag, endpoint or URI (bytes).
    uint256 public constant MAX_STRING_LENGTH = 512;
    /// @notice Most raters one summary reads.
    uint256 public constant MAX_CLIENTS_PER_QUERY = 256;

    IdentityRegistry private immutable _identity;
    /// @notice The token all payment weights are counted in.
    IERC20 public immutable paymentToken;
    /// @notice Channels whose payments count.
    PaymentChannels public immutable channels;
    /// @notice Receipts whose payments count.
    PaymentReceipts public immutable receipts;
    /// @notice Escrow whose releases count.
    ServiceEscrow public immutable escrow;

    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => Feedback))) private _feedback;
    mapping(uint256 agentId => mapping(address client => uint64)) private _lastIndex;
    mapping(uint256 agentId => address[]) private _clients;
    mapping(uint256 agentId => mapping(address client => bool)) private _isClient;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => mapping(address responder => uint64)))) private
        _responses;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => uint64))) private _responseTotal;
    /// @notice Payments already used for a feedback (proof id => used).
    mapping(bytes32 proofId => bool) public proofUsed;

    /// @notice New feedback (ERC-8004 v1).
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );
    /// @notice The payment behind a feedback and the weight it gives.
    event FeedbackPayment(
        uint256 indexed agentId, address indexed clientAddress, uint64 feedbackIndex, ProofKind kind, bytes32 proofId, uint256 weight
    );
    /// @notice The rater revoked a feedback (ERC-8004 v1).
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);
    /// @notice Someone responded to a feedback (ERC-8004 v1).
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    /// @notice Feedback needs a proof of payment: call `giveFeedbackWithPayment`.
    error PaymentProofRequired();
    /// @notice The agent's owner or an operator may not rate it.
    error SelfFeedback(address caller);
    /// @notice The proof does not show a payment from the caller to the agent in the payment token.
    error PaymentNotProven();
    /// @notice This payment already backs a feedback.
    error PaymentAlreadyUsed(bytes32 proofId);
    /// @notice valueDecimals above 18, |value| too large, or a string too long.
    error InvalidFeedback();
    /// @notice No such feedback (index 0 or above the last).
    error FeedbackNotFound(uint256 agentId, address clientAddress, uint64 feedbackIndex);
    /// @notice Already revoked.
    error AlreadyRevoked();
    /// @notice The rater list is empty or longer than MAX_CLIENTS_PER_QUERY.
    error InvalidClientList();
    /// @notice A response needs a URI.
    error EmptyResponse();

    constructor(
        IdentityRegistry identity_,
        IERC20 paymentToken_,
        PaymentChannels channels_,
        PaymentReceipts receipts_,
        ServiceEscrow escrow_
    ) {
        if (address(receipts_.token()) != address(paymentToken_)) revert PaymentNotProven();
        _identity = identity_;
        paymentToken = paymentToken_;
        channels = channels_;
        receipts = receipts_;
        escrow = escrow_;
    }

    /// @notice The identity registry agents live in (ERC-8004).
    function getIdentityRegistry() external view returns (address) {
        return address(_identity);
    }

    /// @notice ERC-8004's proof-less entry point; always reverts here (see `giveFeedbackWithPayment`).
    function giveFeedback(uint256, int128, uint8, string calldata, string calldata, string calldata, string calldata, bytes32)
        external
        pure
    {
        revert PaymentProofRequired();
    }

    /// @notice Rates `agentId`, citing a payment from the caller to the agent; the payment weighs the feedback and
    /// can back no other.
    /// @return feedbackIndex the feedback's index among the caller's feedback for this agent (1-based)
    function giveFeedbackWithPayment(uint256 agentId, FeedbackInput calldata input, PaymentProof calldata proof)
        external
        returns (uint64 feedbackIndex)
    {
        _checkInput(input);
        address owner = _identity.ownerOf(agentId);
        if (_identity.isAuthorizedOrOwner(msg.sender, agentId)) revert SelfFeedback(msg.sender);
        (bytes32 proofId, uint256 weight) = _provePayment(agentId, owner, proof);
        if (proofUsed[proofId]) revert PaymentAlreadyUsed(proofId);
        proofUsed[proofId] = true;

        feedbackIndex = _lastIndex[agentId][msg.sender] + 1;
        _lastIndex[agentId][msg.sender] = feedbackIndex;
        _feedback[agentId][msg.sender][feedbackIndex] = Feedback({
            value: input.value,
            valueDecimals: input.valueDecimals,
            isRevoked: false,
            // Safe: weight <= 2^96 - 1, checked in _provePayment.
            // forge-lint: disable-next-line(unsafe-typecast)
            weight: uint128(weight),
            tag1: input.tag1,
            tag2: input.tag2
        });
        if (!_isClient[agentId][msg.sender]) {
            _isClient[agentId][msg.sender] = true;
            _clients[agentId].push(msg.sender);
        }
        _emitNewFeedback(agentId, feedbackIndex, input);
        emit FeedbackPayment(agentId, msg.sender, feedbackIndex, proof.kind, proofId, weight);
    }

    /// @notice The rater withdraws its feedback (the payment stays used).
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        Feedback storage f = _existing(agentId, msg.sender, feedbackIndex);
        if (f.isRevoked) revert AlreadyRevoked();
        f.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @notice Anyone (the agent, an auditor) attaches a response to a feedback.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        _existing(agentId, clientAddress, feedbackIndex);
        if (bytes(responseURI).length == 0) revert EmptyResponse();
        if (bytes(responseURI).length > MAX_STRING_LENGTH) revert InvalidFeedback();
        _responses[agentId][clientAddress][feedbackIndex][msg.sender] += 1;
        _responseTotal[agentId][clientAddress][feedbackIndex] += 1;
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    /// @notice One feedback (ERC-8004 v1).
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        Feedback storage f = _existing(agentId, clientAddress, feedbackIndex);
        return (f.value, f.valueDecimals, f.tag1, f.tag2, f.isRevoked);
    }

    /// @notice The payment weight behind a feedback (token units).
    function feedbackWeight(uint256 agentId, address clientAddress, uint64 feedbackIndex) external view returns (uint256) {
        return _existing(agentId, clientAddress, feedbackIndex).weight;
    }

    /// @notice Payment-weighted summary of the listed raters' unrevoked feedback matching the tags (empty tag: any),
    /// as ERC-8004's `getSummary`: `summaryValue` is the mean weighted by amount paid, with 18 decimals.
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        (count, summaryValue,) = getWeightedSummary(agentId, clientAddresses, tag1, tag2);
        summaryValueDecimals = SUMMARY_DECIMALS;
    }

    /// @notice `getSummary` plus the total payment weight behind it.
    function getWeightedSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) public view returns (uint64 count, int128 summaryValue, uint256 totalWeight) {
        if (clientAddresses.length == 0 || clientAddresses.length > MAX_CLIENTS_PER_QUERY) revert InvalidClientList();
        return _summary(agentId, clientAddresses, _tagHash(tag1), _tagHash(tag2));
    }

    /// @notice Number of responses to feedback (ERC-8004 v1): to one feedback, or all of a client's
    /// (`feedbackIndex` 0); from the listed responders, or from anyone (empty list).
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count) {
        uint64 first = feedbackIndex;
        uint64 last = feedbackIndex;
        if (feedbackIndex == 0) {
            first = 1;
            last = _lastIndex[agentId][clientAddress];
        }
        for (uint64 j = first; j <= last && j != 0; ++j) {
            if (responders.length == 0) {
                count += _responseTotal[agentId][clientAddress][j];
            } else {
                for (uint256 r; r < responders.length; ++r) {
                    count += _responses[agentId][clientAddress][j][responders[r]];
                }
            }
        }
    }

    /// @notice Everyone who ever rated the agent (ERC-8004 v1).
    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    /// @notice The caller's last feedback index for the agent (0: none) (ERC-8004 v1).
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    /// @notice The proof id a payment is recorded under (to check whether it was used).
    function proofIdOf(PaymentProof calldata proof) public view returns (bytes32) {
        if (proof.kind == ProofKind.Channel) return keccak256(abi.encode(ProofKind.Channel, channels.channelIdOf(proof.channel)));
        return keccak256(abi.encode(proof.kind, proof.ref));
    }

    function _summary(uint256 agentId, address[] calldata clientAddresses, bytes32 tag1Hash, bytes32 tag2Hash)
        private
        view
        returns (uint64 count, int128 summaryValue, uint256 totalWeight)
    {
        int256 weightedSum;
        for (uint256 i; i < clientAddresses.length; ++i) {
            (uint64 n, uint256 w, int256 sum) = _sumClient(agentId, clientAddresses[i], tag1Hash, tag2Hash);
            count += n;
            totalWeight += w;
            weightedSum += sum;
        }
        // Weights are > 0 for every stored feedback, so totalWeight is 0 only when count is.
        // Safe: a weighted mean of values each within +-1e38 < 2^127; weights < 2^96.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (totalWeight != 0) summaryValue = int128(weightedSum / int256(totalWeight));
    }

    function _tagHash(string calldata tag) private pure returns (bytes32) {
        return bytes(tag).length == 0 ? bytes32(0) : keccak256(bytes(tag));
    }

    function _sumClient(uint256 agentId, address client, bytes32 tag1Hash, bytes32 tag2Hash)
        private
        view
        returns (uint64 count, uint256 totalWeight, int256 weightedSum)
    {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 j = 1; j <= last; ++j) {
            Feedback storage f = _feedback[agentId][client][j];
            if (f.isRevoked || !_tagsMatch(f, tag1Hash, tag2Hash)) continue;
            count += 1;
            totalWeight += f.weight;
            weightedSum += _scaled(f.value, f.valueDecimals) * int256(uint256(f.weight));
        }
    }

    function _provePayment(uint256 agentId, address owner, PaymentProof calldata proof)
        private
        view
        returns (bytes32 proofId, uint256 weight)
    {
        address wallet = _identity.getAgentWallet(agentId);
        address payer;
        address payee;
        if (proof.kind == ProofKind.Channel) {
            PaymentChannels.Channel calldata c = proof.channel;
            if (address(c.token) != address(paymentToken)) revert PaymentNotProven();
            (, uint256 redeemed,,) = channels.channelState(channels.channelIdOf(c));
            (payer, payee, weight) = (c.payer, c.provider, redeemed);
        } else if (proof.kind == ProofKind.Receipt) {
            PaymentReceipts.Receipt memory r = receipts.receipt(proof.ref);
            (payer, payee, weight) = (r.from, r.to, r.value);
        } else {
            ServiceEscrow.Agreement memory a = escrow.agreement(uint256(proof.ref));
            if (address(a.token) != address(paymentToken)) revert PaymentNotProven();
            (payer, payee, weight) = (a.client, a.provider, a.paidToProvider);
        }
        if (payer != msg.sender || weight == 0 || weight > type(uint96).max || (payee != wallet && payee != owner)) {
            revert PaymentNotProven();
        }
        proofId = proofIdOf(proof);
    }

    /// @dev Separate, with the input in memory, to keep the stack shallow.
    function _emitNewFeedback(uint256 agentId, uint64 feedbackIndex, FeedbackInput memory f) private {
        emit NewFeedback(
            agentId, msg.sender, feedbackIndex, f.value, f.valueDecimals, f.tag1, f.tag1, f.tag2, f.endpoint, f.feedbackURI, f.feedbackHash
        );
    }

    function _checkInput(FeedbackInput calldata input) private pure {
        if (
            input.valueDecimals > MAX_DECIMALS || bytes(input.tag1).length > MAX_STRING_LENGTH
                || bytes(input.tag2).length > MAX_STRING_LENGTH || bytes(input.endpoint).length > MAX_STRING_LENGTH
                || bytes(input.feedbackURI).length > MAX_STRING_LENGTH
        ) revert InvalidFeedback();
        int256 scaled = _scaled(input.value, input.valueDecimals);
        if (scaled > MAX_SCALED_VALUE || scaled < -MAX_SCALED_VALUE) revert InvalidFeedback();
    }

    /// @dev value * 10^(18 - decimals), in int256 (no overflow: |int128| * 10^18 < 2^188).
    function _scaled(int128 value, uint8 decimals) private pure returns (int256) {
        return int256(value) * int256(10 ** uint256(MAX_DECIMALS - decimals));
    }

    function _tagsMatch(Feedback storage f, bytes32 tag1Hash, bytes32 tag2Hash) private view returns (bool) {
        return (tag1Hash == 0 || keccak256(bytes(f.tag1)) == tag1Hash) && (tag2Hash == 0 || keccak256(bytes(f.tag2)) == tag2Hash);
    }

    function _existing(uint256 agentId, address clientAddress, uint64 feedbackIndex) private view returns (Feedback storage) {
        if (feedbackIndex == 0 || feedbackIndex > _lastIndex[agentId][clientAddress]) {
            revert FeedbackNotFound(agentId, clientAddress, feedbackIndex);
        }
        return _feedback[agentId][clientAddress][feedbackIndex];
    }
}

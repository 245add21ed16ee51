// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {MlpProofVerifier} from "./MlpProofVerifier.sol";

/// @title Proven prediction feed
/// @notice Feeds of a model's classifications that only a valid hypha-zk proof can move. A feed pins one model: its
/// content id (what `hypha zk prove` binds into the proof) and its weight commitment root (a function of the weights
/// only; anyone recomputes it from the model with `hypha zk verify --model`). `post` accepts a proof file only when
/// `MlpProofVerifier` accepts it and it is about exactly that id and root, then records the proven class for the
/// proven input's SHA-256. Anyone may post; a poster can choose which input to prove but never the class.
/// Consumers read `latest` or `predictionFor` (see `ProvenClassGate`).
contract ProvenPredictionFeed {
    /// @notice One proven classification.
    struct Prediction {
        uint256 class_;
        bytes32 inputHash;
        address poster;
        uint64 blockNumber;
    }

    struct Feed {
        address creator;
        bytes32 modelIdHash;
        bytes32 modelRoot;
        uint64 rounds;
    }

    MlpProofVerifier public immutable verifier;

    mapping(bytes32 feedId => Feed) internal _feeds;
    mapping(bytes32 feedId => mapping(uint256 round => Prediction)) internal _predictions;
    /// @dev round + 1 of the latest prediction for an input, 0 when none
    mapping(bytes32 feedId => mapping(bytes32 inputHash => uint256)) internal _latestForInput;

    event FeedCreated(bytes32 indexed feedId, address indexed creator, string modelId, bytes32 modelRoot);
    event PredictionPosted(
        bytes32 indexed feedId, uint256 indexed round, uint256 class_, bytes32 indexed inputHash, address poster
    );

    error FeedExists(bytes32 feedId);
    error UnknownFeed(bytes32 feedId);
    error EmptyModelId();
    error WrongModel(bytes32 feedId, string provenModelId, bytes32 provenRoot);
    error NoPrediction(bytes32 feedId);

    constructor(MlpProofVerifier verifier_) {
        verifier = verifier_;
    }

    /// @notice Creates a feed for the model with this content id and weight root; the id is the caller's choice
    /// (first come), the model is fixed for the feed's life.
    function createFeed(bytes32 feedId, string calldata modelId, bytes32 modelRoot) external {
        if (_feeds[feedId].creator != address(0)) revert FeedExists(feedId);
        if (bytes(modelId).length == 0) revert EmptyModelId();
        _feeds[feedId] = Feed(msg.sender, keccak256(bytes(modelId)), modelRoot, 0);
        emit FeedCreated(feedId, msg.sender, modelId, modelRoot);
    }

    /// @notice Posts a proven prediction: reverts with the verifier's `Rejected(reason)` on an invalid proof and with
    /// `WrongModel` on a valid proof about another model.
    function post(bytes32 feedId, bytes calldata proof) external returns (uint256 round, uint256 class_) {
        Feed storage f = _feeds[feedId];
        if (f.creator == address(0)) revert UnknownFeed(feedId);
        MlpProofVerifier.Result memory r = verifier.verify(proof);
        if (keccak256(bytes(r.modelId)) != f.modelIdHash || r.modelRoot != f.modelRoot) {
            revert WrongModel(feedId, r.modelId, r.modelRoot);
        }
        round = f.rounds;
        f.rounds = uint64(round + 1);
        class_ = r.predictedClass;
        _predictions[feedId][round] = Prediction(class_, r.inputHash, msg.sender, uint64(block.number));
        _latestForInput[feedId][r.inputHash] = round + 1;
        emit PredictionPosted(feedId, round, class_, r.inputHash, msg.sender);
    }

    function feed(bytes32 feedId) external view returns (Feed memory) {
        return _feeds[feedId];
    }

    function prediction(bytes32 feedId, uint256 round) external view returns (Prediction memory p) {
        if (round >= _feeds[feedId].rounds) revert NoPrediction(feedId);
        return _predictions[feedId][round];
    }

    /// @notice The latest prediction of the feed.
    function latest(bytes32 feedId) external view returns (Prediction memory) {
        uint256 rounds = _feeds[feedId].rounds;
        if (rounds == 0) revert NoPrediction(feedId);
        return _predictions[feedId][rounds - 1];
    }

    /// @notice The latest proven prediction for this input (its SHA-256); `found` false when none was posted.
    function predictionFor(bytes32 feedId, bytes32 inputHash) external view returns (bool found, Prediction memory p) {
        uint256 r = _latestForInput[feedId][inputHash];
        if (r == 0) return (false, p);
        return (true, _predictions[feedId][r - 1]);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ProvenPredictionFeed} from "./ProvenPredictionFeed.sol";

/// @title A consumer of a proven prediction feed: admits an item only when its content is proven to be of a class
/// @notice Example of a contract acting on a model's prediction only when it is proven: a listing (a marketplace item,
/// a moderation queue entry) identified by the SHA-256 of its content is admitted when the feed holds a proven
/// classification of exactly that content into one of the allowed classes. Nobody — not the poster of the proof, not
/// the gate's deployer — can admit content the model did not classify so.
contract ProvenClassGate {
    ProvenPredictionFeed public immutable feed;
    bytes32 public immutable feedId;
    /// @notice Bit c set: class c is admitted.
    uint256 public immutable allowedClasses;

    mapping(bytes32 inputHash => bool) public admitted;

    event Admitted(bytes32 indexed inputHash, uint256 class_, address indexed by);

    error NotProven(bytes32 inputHash);
    error ClassNotAllowed(bytes32 inputHash, uint256 class_);

    constructor(ProvenPredictionFeed feed_, bytes32 feedId_, uint256 allowedClasses_) {
        feed = feed_;
        feedId = feedId_;
        allowedClasses = allowedClasses_;
    }

    /// @notice Admits the content with this SHA-256 if the feed's latest proven class for it is allowed.
    function admit(bytes32 inputHash) external returns (uint256 class_) {
        (bool found, ProvenPredictionFeed.Prediction memory p) = feed.predictionFor(feedId, inputHash);
        if (!found) revert NotProven(inputHash);
        class_ = p.class_;
        if (class_ >= 256 || (allowedClasses >> class_) & 1 == 0) revert ClassNotAllowed(inputHash, class_);
        admitted[inputHash] = true;
        emit Admitted(inputHash, class_, msg.sender);
    }
}

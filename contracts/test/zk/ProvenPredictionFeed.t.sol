// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {MlpProofVerifier} from "../../src/zk/MlpProofVerifier.sol";
import {ProvenPredictionFeed} from "../../src/zk/ProvenPredictionFeed.sol";
import {ProvenClassGate} from "../../src/zk/ProvenClassGate.sol";

/// The feed moves only with a valid proof about its pinned model, and the gate admits only proven classes; proofs are
/// real ones from the Java prover (test/zk/fixtures).
contract ProvenPredictionFeedTest is HyphaTest {
    MlpProofVerifier internal verifier;
    ProvenPredictionFeed internal feed;
    bytes internal proof;
    MlpProofVerifier.Result internal proven;
    bytes32 internal constant FEED = keccak256("small-relu feed");

    function setUp() public {
        verifier = new MlpProofVerifier();
        feed = new ProvenPredictionFeed(verifier);
        proof = vm.readFileBinary("test/zk/fixtures/small-relu.proof");
        proven = verifier.verify(proof);
        feed.createFeed(FEED, "fixture-small-relu", proven.modelRoot);
    }

    function test_postRecordsTheProvenClass() public {
        address poster = makeAddr("poster");
        vm.prank(poster);
        (uint256 round, uint256 class_) = feed.post(FEED, proof);
        vm.assertEq(round, 0);
        vm.assertEq(class_, proven.predictedClass);
        ProvenPredictionFeed.Prediction memory p = feed.latest(FEED);
        vm.assertEq(p.class_, proven.predictedClass);
        vm.assertEq(p.inputHash, proven.inputHash);
        vm.assertEq(p.poster, poster);
        (bool found, ProvenPredictionFeed.Prediction memory q) = feed.predictionFor(FEED, proven.inputHash);
        vm.assertTrue(found);
        vm.assertEq(q.class_, proven.predictedClass);
    }

    function test_rejectsAProofAboutAnotherModel() public {
        bytes memory other = vm.readFileBinary("test/zk/fixtures/two-hidden.proof");
        vm.expectPartialRevert(ProvenPredictionFeed.WrongModel.selector);
        feed.post(FEED, other);
    }

    function test_rejectsTheRightIdWithAnotherRoot() public {
        bytes32 otherFeed = keccak256("other root");
        feed.createFeed(otherFeed, "fixture-small-relu", bytes32(uint256(proven.modelRoot) ^ 1));
        vm.expectPartialRevert(ProvenPredictionFeed.WrongModel.selector);
        feed.post(otherFeed, proof);
    }

    function test_rejectsAnInvalidProof() public {
        bytes memory forged = proof;
        forged[forged.length - 100] = bytes1(uint8(forged[forged.length - 100]) ^ 0x40);
        vm.expectPartialRevert(MlpProofVerifier.Rejected.selector);
        feed.post(FEED, forged);
        vm.expectRevert(abi.encodeWithSelector(ProvenPredictionFeed.NoPrediction.selector, FEED));
        feed.latest(FEED);
    }

    function test_unknownFeedAndDuplicateFeed() public {
        vm.expectRevert(abi.encodeWithSelector(ProvenPredictionFeed.UnknownFeed.selector, bytes32(0)));
        feed.post(bytes32(0), proof);
        vm.expectRevert(abi.encodeWithSelector(ProvenPredictionFeed.FeedExists.selector, FEED));
        feed.createFeed(FEED, "x", bytes32(0));
    }

    function test_gateAdmitsOnlyProvenAllowedClasses() public {
        uint256 cls = proven.predictedClass;
        ProvenClassGate allow = new ProvenClassGate(feed, FEED, 1 << cls);
        ProvenClassGate deny = new ProvenClassGate(feed, FEED, ~(uint256(1) << cls));
        vm.expectRevert(abi.encodeWithSelector(ProvenClassGate.NotProven.selector, proven.inputHash));
        allow.admit(proven.inputHash);
        feed.post(FEED, proof);
        vm.assertEq(allow.admit(proven.inputHash), cls);
        vm.assertTrue(allow.admitted(proven.inputHash));
        vm.expectRevert(abi.encodeWithSelector(ProvenClassGate.ClassNotAllowed.selector, proven.inputHash, cls));
        deny.admit(proven.inputHash);
    }

    /// A changed byte anywhere in the proof never moves the feed.
    function testFuzz_aChangedProofNeverPosts(uint256 position, uint8 delta) public {
        position = bound(position, 0, proof.length - 1);
        vm.assume(delta != 0);
        bytes memory forged = proof;
        forged[position] = bytes1(uint8(forged[position]) ^ delta);
        (bool ok,) = address(feed).call(abi.encodeCall(ProvenPredictionFeed.post, (FEED, forged)));
        vm.assertFalse(ok, "a changed proof was posted");
    }
}

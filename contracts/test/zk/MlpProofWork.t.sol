// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {MlpProofVerifier} from "../../src/zk/MlpProofVerifier.sol";

/// Exposes the proof-of-work check of one opening (`_checkWork`) on a given transcript state.
contract WorkHarness is MlpProofVerifier {
    function checkWork(bytes calldata nonce, bytes32 state) external pure returns (bytes32 after_, uint256 at) {
        Cursor memory c;
        c.state = state;
        _checkWork(nonce, c, "test");
        return (c.state, c.at);
    }
}

/// The grinding check before each opening's queries (docs/ZK.md, "Grinding"): a nonce is accepted only with
/// GRINDING_BITS leading zero bits of keccak256(state ‖ 0x03 ‖ nonce), and it is absorbed into the transcript, so the
/// queries drawn next depend on it.
contract MlpProofWorkTest is HyphaTest {
    WorkHarness internal harness;

    function setUp() public {
        harness = new WorkHarness();
    }

    /// The least valid nonce for a state, found as the Java prover (`Grinding.find`) does.
    function _grind(bytes32 state) internal view returns (uint64 n) {
        uint256 bits = harness.GRINDING_BITS();
        while (uint256(keccak256(abi.encodePacked(state, bytes1(0x03), bytes8(n)))) >> (256 - bits) != 0) n++;
    }

    function test_aValidNonceIsAcceptedAndAbsorbed() public view {
        bytes32 state = keccak256("some transcript state");
        uint64 n = _grind(state);
        (bytes32 after_, uint256 at) = harness.checkWork(abi.encodePacked(bytes8(n)), state);
        vm.assertEq(at, 8);
        vm.assertTrue(after_ != state);
        // another valid nonce of another state moves the transcript elsewhere: the queries depend on the nonce
        bytes32 other = keccak256("another transcript state");
        (bytes32 afterOther,) = harness.checkWork(abi.encodePacked(bytes8(_grind(other))), other);
        vm.assertTrue(afterOther != after_);
    }

    function test_aNonceWithoutTheWorkIsRejected() public {
        bytes32 state = keccak256("some transcript state");
        uint64 n = _grind(state);
        // every nonce below the least valid one lacks the work
        for (uint64 m = n > 16 ? n - 16 : 0; m < n; m++) {
            vm.expectRevert(abi.encodeWithSelector(MlpProofVerifier.Rejected.selector, "test: the proof-of-work nonce is not valid"));
            harness.checkWork(abi.encodePacked(bytes8(m)), state);
        }
        // the valid nonce for one state is (almost surely) not valid for another: fixed inputs, so this is deterministic
        vm.expectRevert(abi.encodeWithSelector(MlpProofVerifier.Rejected.selector, "test: the proof-of-work nonce is not valid"));
        harness.checkWork(abi.encodePacked(bytes8(n)), keccak256("another transcript state"));
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {MlpProofVerifier} from "../../src/zk/MlpProofVerifier.sol";

/// Real proofs made by hypha-zk's Java prover (`SolidityFixturesTest` writes them) verify on-chain with the statement
/// the Java verifier reads; any changed byte is rejected.
contract MlpProofVerifierTest is HyphaTest {
    MlpProofVerifier internal verifier;

    /// @dev Printed by `forge test -vv`.
    event log_named_uint(string key, uint256 val);

    function setUp() public {
        verifier = new MlpProofVerifier();
    }

    function _fixture(string memory name) internal view returns (bytes memory) {
        return vm.readFileBinary(string.concat("test/zk/fixtures/", name, ".proof"));
    }

    function test_smallReluModelVerifies() public view {
        MlpProofVerifier.Result memory r = verifier.verify(_fixture("small-relu"));
        vm.assertEq(r.modelId, "fixture-small-relu");
        vm.assertEq(r.logits.length, 4);
        vm.assertLt(r.predictedClass, 4);
    }

    function test_twoHiddenLayersVerify() public view {
        MlpProofVerifier.Result memory r = verifier.verify(_fixture("two-hidden"));
        vm.assertEq(r.logits.length, 3);
    }

    function test_oneLayerModelVerifies() public view {
        MlpProofVerifier.Result memory r = verifier.verify(_fixture("one-layer"));
        vm.assertEq(r.logits.length, 4);
    }

    /// The 784 -> 256 -> 10 shape of the Fashion-MNIST MLP: the gas figure of bench/README.md.
    function test_fashionMnistShapeVerifies() public {
        bytes memory proof = _fixture("fashion-mnist-shape");
        MlpProofVerifier.Result memory r = verifier.verify(proof);
        // the call alone, with its calldata encoded beforehand (encoding 629 KB in this test's memory costs ~2.3M)
        bytes memory data = abi.encodeCall(MlpProofVerifier.verify, (proof));
        uint256 before = gasleft();
        (bool ok,) = address(verifier).staticcall(data);
        uint256 used = before - gasleft();
        vm.assertTrue(ok);
        uint256 calldataGas = 0;
        for (uint256 i = 0; i < data.length; i++) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        emit log_named_uint("verification gas (execution of the call)", used);
        emit log_named_uint("calldata gas (16 per non-zero byte, 4 per zero byte)", calldataGas);
        emit log_named_uint("transaction gas (21000 + calldata + execution)", 21000 + calldataGas + used);
        emit log_named_uint("proof bytes", proof.length);
        vm.assertEq(r.logits.length, 10);
        vm.assertEq(r.inputHash, sha256(_slice(proof, 13 + bytes(r.modelId).length + 32 + 1 + 24 + 4, 784)));
    }

    function test_rejectsAChangedLogit() public {
        bytes memory proof = _fixture("small-relu");
        // the logits follow the header: magic 8, version 2, kind 1, id length 2, id, root 32, layer count 1,
        // 2 layers × 12, input length 4, 12 pixels
        uint256 at = 13 + bytes("fixture-small-relu").length + 32 + 1 + 24 + 4 + 12;
        proof[at + 7] = bytes1(uint8(proof[at + 7]) ^ 1);
        vm.expectPartialRevert(MlpProofVerifier.Rejected.selector);
        verifier.verify(proof);
    }

    function test_rejectsATruncatedProof() public {
        bytes memory proof = _fixture("small-relu");
        vm.expectPartialRevert(MlpProofVerifier.Rejected.selector);
        verifier.verify(_slice(proof, 0, proof.length - 1));
    }

    function test_rejectsAnotherMagic() public {
        bytes memory proof = _fixture("small-relu");
        proof[0] = "X";
        vm.expectRevert(
            abi.encodeWithSelector(
                MlpProofVerifier.Rejected.selector, "not a Hypha proof file (it does not start with HYPHA-ZK)"
            )
        );
        verifier.verify(proof);
    }

    /// Any byte at any position, changed to any other value, is rejected (header, statement, messages, openings).
    function testFuzz_anyChangedByteIsRejected(uint256 position, uint8 delta) public {
        bytes memory proof = _fixture("small-relu");
        position = bound(position, 0, proof.length - 1);
        vm.assume(delta != 0);
        proof[position] = bytes1(uint8(proof[position]) ^ delta);
        (bool ok,) = address(verifier).staticcall(abi.encodeCall(MlpProofVerifier.verify, (proof)));
        vm.assertFalse(ok, "a proof with a changed byte verified");
    }

    /// The same over the two-hidden-layer model (no ReLU, so the lower clamp at -128 is exercised).
    function testFuzz_anyChangedByteIsRejectedTwoHidden(uint256 position, uint8 delta) public {
        bytes memory proof = _fixture("two-hidden");
        position = bound(position, 0, proof.length - 1);
        vm.assume(delta != 0);
        proof[position] = bytes1(uint8(proof[position]) ^ delta);
        (bool ok,) = address(verifier).staticcall(abi.encodeCall(MlpProofVerifier.verify, (proof)));
        vm.assertFalse(ok, "a proof with a changed byte verified");
    }

    /// Agreement with the Java verifier: the same tampered proofs that `SolidityFixturesTest.javaRejectsTheTamperedProofs
    /// TheContractRejects` feeds to `MlpVerifier` — byte i·len/64 + 7 XOR 0x01 for i < 64 (spread over the header, the
    /// statement, every sumcheck, both rows and the columns and paths of both openings) — are rejected here too, and the
    /// untampered files, which Java accepts, verify.
    function test_rejectsTheSameTamperedProofsAsJavaSmall() public {
        _agreesWithJava("small-relu", 0, 64);
        _agreesWithJava("two-hidden", 0, 64);
        _agreesWithJava("one-layer", 0, 64);
    }

    /// The big proof in two halves, each within a test's gas (every case is a whole verification).
    function test_rejectsTheSameTamperedProofsAsJavaFashionFirstHalf() public {
        _agreesWithJava("fashion-mnist-shape", 0, 32);
    }

    function test_rejectsTheSameTamperedProofsAsJavaFashionSecondHalf() public {
        _agreesWithJava("fashion-mnist-shape", 32, 64);
    }

    function _agreesWithJava(string memory name, uint256 from, uint256 to) internal view {
        bytes memory proof = _fixture(name);
        // encoded once and tampered in place (selector, offset and length words before the file): a fresh encoding
        // per case would not fit the test's memory
        bytes memory data = abi.encodeCall(MlpProofVerifier.verify, (proof));
        (bool good,) = address(verifier).staticcall(data);
        vm.assertTrue(good, name);
        for (uint256 i = from; i < to; i++) {
            uint256 at = 68 + i * proof.length / 64 + 7;
            data[at] = bytes1(uint8(data[at]) ^ 1);
            (bool ok,) = address(verifier).staticcall(data);
            vm.assertFalse(ok, string.concat(name, ": a tampered byte verified"));
            data[at] = bytes1(uint8(data[at]) ^ 1);
        }
    }

    /// Any changed byte of the Fashion-MNIST-sized proof is rejected (fewer runs: each costs a whole verification).
    /// forge-config: default.fuzz.runs = 48
    function testFuzz_anyChangedByteIsRejectedFashionShape(uint256 position, uint8 delta) public {
        bytes memory proof = _fixture("fashion-mnist-shape");
        position = bound(position, 0, proof.length - 1);
        vm.assume(delta != 0);
        proof[position] = bytes1(uint8(proof[position]) ^ delta);
        (bool ok,) = address(verifier).staticcall(abi.encodeCall(MlpProofVerifier.verify, (proof)));
        vm.assertFalse(ok, "a proof with a changed byte verified");
    }

    function _slice(bytes memory b, uint256 from, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            out[i] = b[from + i];
        }
    }
}

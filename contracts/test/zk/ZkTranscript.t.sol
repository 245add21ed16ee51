// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {ZkTranscript} from "../../src/zk/ZkTranscript.sol";

/// @dev Exposes the library's reverts as external calls, so the test can expect them.
contract ZkTranscriptHarness {
    function absorbFields(uint256[] memory values) external pure returns (bytes32) {
        return ZkTranscript.absorbFields(ZkTranscript.start("t"), "x", values);
    }
}

/// The same operations as hypha-zk's Java `TranscriptTest.solidityVectorReplays` give the same challenges, bit for
/// bit: the Java prover and a Solidity verifier agree on the Fiat–Shamir transcript.
contract ZkTranscriptTest is HyphaTest {
    function test_replaysTheJavaTestVector() public pure {
        bytes32 s = ZkTranscript.start("hypha.zk.test-vector");
        uint256[] memory fields = new uint256[](3);
        fields[0] = 1;
        fields[1] = 2;
        fields[2] = ZkTranscript.P - 1;
        s = ZkTranscript.absorbFields(s, "x", fields);
        uint256[] memory ext = new uint256[](2);
        ext[0] = 3;
        ext[1] = 4;
        s = ZkTranscript.absorbFields(s, "e", ext); // an extension element is its two coefficients in order
        s = ZkTranscript.absorb(s, "d", abi.encodePacked(bytes32(0)));
        uint256 c0;
        uint256 c1;
        (s, c0, c1) = ZkTranscript.challengeExt(s, "c");
        vm.assertEq(c0, 9094999743619310446);
        vm.assertEq(c1, 4118825813858198062);
        (s, c0, c1) = ZkTranscript.challengeExt(s, "c");
        vm.assertEq(c0, 4545065838656194749);
        vm.assertEq(c1, 7836769145246901646);
        uint256[] memory q;
        (s, q) = ZkTranscript.challengeIndices(s, "q", 5, 1024);
        vm.assertEq(q.length, 5);
        vm.assertEq(q[0], 461);
        vm.assertEq(q[1], 641);
        vm.assertEq(q[2], 243);
        vm.assertEq(q[3], 213);
        vm.assertEq(q[4], 1019);
        vm.assertEq(s, bytes32(0xe76bd45ee13cd3fb4b6093a98a9b73038da7674d02b67955cfd2d376074c7689));
    }

    function test_rejectsNonCanonicalFieldElements() public {
        ZkTranscriptHarness h = new ZkTranscriptHarness();
        uint256[] memory bad = new uint256[](1);
        bad[0] = ZkTranscript.P;
        vm.expectRevert(abi.encodeWithSelector(ZkTranscript.NonCanonicalFieldElement.selector, ZkTranscript.P));
        h.absorbFields(bad);
    }
}

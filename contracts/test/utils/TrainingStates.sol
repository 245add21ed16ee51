// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @notice A stand-in for training states in the verifier's tests: the true state after step s has 2^DEPTH leaves
/// keccak256("truth", s, i); a party's view (variant, from, leaf) holds keccak256(variant, s, i) at `leaf` for every
/// step after `from` (the step at which its training went wrong) and the truth elsewhere. An honest party's `from` is
/// type(uint64).max. Trees use the verifier's layout (inner node keccak256(0x01 ‖ left ‖ right)).
library TrainingStates {
    uint8 internal constant DEPTH = 3;
    uint64 internal constant HONEST = type(uint64).max;

    struct View {
        bytes32 variant;
        uint64 from;
        uint64 leaf;
    }

    function honest() internal pure returns (View memory) {
        return View({variant: bytes32(0), from: HONEST, leaf: 0});
    }

    function leafHash(View memory v, uint64 step, uint64 i) internal pure returns (bytes32) {
        if (v.from != HONEST && step > v.from && i == v.leaf) return keccak256(abi.encode(v.variant, step, i));
        return keccak256(abi.encode("truth", step, i));
    }

    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /// @dev Node `index` at `level` (0 = root, DEPTH = leaves) of the view's state after `step` steps.
    function node(View memory v, uint64 step, uint8 level, uint64 index) internal pure returns (bytes32) {
        if (level == DEPTH) return leafHash(v, step, index);
        return nodeHash(node(v, step, level + 1, 2 * index), node(v, step, level + 1, 2 * index + 1));
    }

    function root(View memory v, uint64 step) internal pure returns (bytes32) {
        return node(v, step, 0, 0);
    }
}

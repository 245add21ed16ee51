// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title IntLm
/// @notice The integer decoder that optimistic verification (OpmlVerifier) recomputes one operation of. It is the
/// exact twin of hypha-ml `dev.hypha.ml.opml.IntLm`: same shapes, same operations, same rounding, so a contract can
/// check one element of any operation of a generation bit for bit.
///
/// Shapes: byte tokens (V = 256), width D = 32, hidden F = 64, L = 2 blocks. Weights are int8 rows, committed as a
/// Merkle tree (leaf keccak256(0x00 ‖ row), node keccak256(0x01 ‖ left ‖ right), zero-hash padding to 2^10 leaves) in
/// the order EMB (V rows of D), then per block W1 (F rows of D) and W2 (D rows of F), then HEAD (V rows of D).
///
/// One position runs 4 slots of 8 operations (the trace's leaf index is ((pos · 4 + slot) · 8 + op)):
/// - slot 0, input: op 0 EMBED (the row of EMB for the position's token), ops 1-7 padding;
/// - slot 1 + l, block l with input x (EMBED for l = 0, else the previous block's ADD):
///   0 NORM y = clamp(x·32 / (isqrt(Σx²/D) + 1)), 1 MIX s = s(pos-1) + y (int32, s(-1) = 0), 2 AVG a = clamp(s / (pos+1)),
///   3 MM1 h_r = clamp((W1_r · a) >> 6), 4 RELU g = max(h, 0), 5 MM2 o_i = clamp((W2_i · g) >> 6), 6 ADD clamp(x + o),
///   7 padding;
/// - slot 3, head with input x = block 1's ADD: 0 NORM, 1 LOGITS z_v = clamp((HEAD_v · y) >> 6),
///   2 SAMPLE argmax_v (z_v · 256 + noise(seed, pos, v)), the lowest v on ties, ops 3-7 padding.
/// Divisions truncate toward zero, shifts round toward −∞, clamp is to [−128, 127]. Each output is a byte string:
/// int8 vectors one byte per element, MIX 4 bytes big-endian two's complement per element, SAMPLE one byte (the token).
/// The token mixing is a causal running mean, not softmax attention: it keeps every operation exact and small.
library IntLm {
    uint256 internal constant V = 256;
    uint256 internal constant D = 32;
    uint256 internal constant F = 64;
    uint256 internal constant L = 2;
    uint256 internal constant SLOTS = 4;
    uint256 internal constant OPS = 8;
    uint256 internal constant SHIFT = 6;
    int256 internal constant NORM_SCALE = 32;
    /// @notice Positions a generation may run (prompt length + output length − 1).
    uint256 internal constant MAX_POSITIONS = 32;
    /// @notice Depth of the weight tree (704 rows padded to 1024).
    uint8 internal constant WEIGHT_DEPTH = 10;

    uint8 internal constant PAD = 0;
    uint8 internal constant EMBED = 1;
    uint8 internal constant NORM = 2;
    uint8 internal constant MIX = 3;
    uint8 internal constant AVG = 4;
    uint8 internal constant MM1 = 5;
    uint8 internal constant RELU = 6;
    uint8 internal constant MM2 = 7;
    uint8 internal constant ADD = 8;
    uint8 internal constant LOGITS = 9;
    uint8 internal constant SAMPLE = 10;

    /// @notice The kind of operation at (slot, op).
    function kindOf(uint256 slot, uint256 op) internal pure returns (uint8) {
        if (slot == 0) return op == 0 ? EMBED : PAD;
        if (slot <= L) {
            if (op == 7) return PAD;
            return uint8(NORM + op); // NORM MIX AVG MM1 RELU MM2 ADD in op order
        }
        if (op == 0) return NORM;
        if (op == 1) return LOGITS;
        if (op == 2) return SAMPLE;
        return PAD;
    }

    /// @notice Length in bytes of an operation's output.
    function outputLength(uint8 kind) internal pure returns (uint256) {
        if (kind == MIX) return 4 * D;
        if (kind == MM1 || kind == RELU) return F;
        if (kind == LOGITS) return V;
        if (kind == SAMPLE) return 1;
        return D;
    }

    /// @notice Leaf index of (pos, slot, op) in the trace tree.
    function leafIndex(uint256 pos, uint256 slot, uint256 op) internal pure returns (uint256) {
        return (pos * SLOTS + slot) * OPS + op;
    }

    /// @notice Trace leaf index of the input x of slot `slot` (1..L+1) at `pos`: EMBED or the previous block's ADD.
    function blockInput(uint256 pos, uint256 slot) internal pure returns (uint256) {
        return slot == 1 ? leafIndex(pos, 0, 0) : leafIndex(pos, slot - 1, 6);
    }

    /// @notice Weight-tree row of EMB row v.
    function embRow(uint256 v) internal pure returns (uint256) {
        return v;
    }

    /// @notice Weight-tree row of W1 row r of block l.
    function w1Row(uint256 l, uint256 r) internal pure returns (uint256) {
        return V + l * (F + D) + r;
    }

    /// @notice Weight-tree row of W2 row i of block l.
    function w2Row(uint256 l, uint256 i) internal pure returns (uint256) {
        return V + l * (F + D) + F + i;
    }

    /// @notice Weight-tree row of HEAD row v.
    function headRow(uint256 v) internal pure returns (uint256) {
        return V + L * (F + D) + v;
    }

    function at8(bytes calldata b, uint256 i) internal pure returns (int256) {
        return int256(int8(uint8(b[i])));
    }

    function at32(bytes calldata b, uint256 i) internal pure returns (int256) {
        uint256 o = 4 * i;
        uint32 u = (uint32(uint8(b[o])) << 24) | (uint32(uint8(b[o + 1])) << 16) | (uint32(uint8(b[o + 2])) << 8)
            | uint32(uint8(b[o + 3]));
        return int256(int32(u));
    }

    function clamp8(int256 x) internal pure returns (int256) {
        if (x > 127) return 127;
        if (x < -128) return -128;
        return x;
    }

    /// @notice Element `i` of NORM(x): clamp(x_i · 32 / (isqrt(Σ x² / D) + 1)).
    function norm(bytes calldata x, uint256 i) internal pure returns (int256) {
        uint256 ss;
        for (uint256 j = 0; j < D; ++j) {
            int256 v = at8(x, j);
            ss += uint256(v * v);
        }
        int256 rms = int256(Math.sqrt(ss / D)) + 1;
        return clamp8((at8(x, i) * NORM_SCALE) / rms);
    }

    /// @notice Element `i` of MIX: prev_i + y_i (prev empty at position 0).
    function mix(bytes calldata prev, bytes calldata y, uint256 i) internal pure returns (int256) {
        int256 p = prev.length == 0 ? int256(0) : at32(prev, i);
        return p + at8(y, i);
    }

    /// @notice Element `i` of AVG: clamp(s_i / (pos + 1)).
    function avg(bytes calldata s, uint256 pos, uint256 i) internal pure returns (int256) {
        return clamp8(at32(s, i) / int256(pos + 1));
    }

    /// @notice One row of an int8 matrix product: clamp((row · a) >> 6).
    function dotRow(bytes calldata row, bytes calldata a) internal pure returns (int256) {
        int256 acc;
        uint256 n = a.length;
        for (uint256 j = 0; j < n; ++j) {
            acc += at8(row, j) * at8(a, j);
        }
        return clamp8(acc >> SHIFT);
    }

    /// @notice The sampled token: argmax over v of z_v · 256 + noise(seed, pos, v), the lowest v on ties, where
    /// noise(seed, pos, v) is byte (v mod 32) of keccak256(seed (8 bytes) ‖ pos (4 bytes) ‖ v / 32 (4 bytes)).
    function sample(bytes calldata logits, uint64 seed, uint256 pos) internal pure returns (uint256 best) {
        int256 bestScore = type(int256).min;
        bytes32 noise;
        for (uint256 v = 0; v < V; ++v) {
            // forge-lint: disable-next-line(unsafe-typecast)
            if (v % 32 == 0) noise = keccak256(abi.encodePacked(seed, uint32(pos), uint32(v / 32)));
            int256 score = at8(logits, v) * 256 + int256(uint256(uint8(noise[v % 32])));
            if (score > bestScore) (best, bestScore) = (v, score);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {CoordinatorFixture} from "./CoordinatorFixture.sol";
import {OpmlVerifier} from "../../src/opml/OpmlVerifier.sol";
import {IntLm} from "../../src/opml/IntLm.sol";

/// @notice OpmlVerifier among HYP, Staking and ProviderRegistry (FAULT_PROOF_ROLE granted), with a second, independent
/// implementation of the IntLm forward pass over memory (so the library's one-element recomputation is checked
/// against a whole forward pass written apart from it), trace trees, and helpers that play a dispute for two parties
/// holding traces.
abstract contract OpmlFixture is CoordinatorFixture {
    uint256 internal constant BOND = 100 ether;
    uint256 internal constant SLASH = 500 ether;
    uint256 internal constant MIN_CHALLENGER_STAKE = 1_000 ether;
    uint64 internal constant MOVE_TIMEOUT = 1 hours;
    uint64 internal constant SEED = 7;

    OpmlVerifier internal verifier;
    bytes[] internal wrows;
    bytes32[][] internal wlevels;
    bytes32 internal modelRoot;

    /// @dev A party's trace: every operation's output (empty = padding) and the tree levels (levels[0] = leaves).
    struct Trace {
        bytes[] leaves;
        bytes32[][] levels;
    }

    function _deployOpml() internal {
        _deployRegistry();
        verifier = new OpmlVerifier(staking, registry, BOND, SLASH, MIN_CHALLENGER_STAKE, MOVE_TIMEOUT);
        bytes32 role = staking.FAULT_PROOF_ROLE();
        vm.prank(admin);
        staking.grantRole(role, address(verifier));
        _buildWeights(keccak256("weights"));
    }

    // ------------------------------------------------------------------ weights

    function _isW2(uint256 i) internal pure returns (bool) {
        if (i < IntLm.V) return false;
        uint256 k = i - IntLm.V;
        return k < IntLm.L * (IntLm.F + IntLm.D) && k % (IntLm.F + IntLm.D) >= IntLm.F;
    }

    function _buildWeights(bytes32 wseed) internal {
        uint256 n = IntLm.V + IntLm.L * (IntLm.F + IntLm.D) + IntLm.V;
        bytes32[] memory hashes = new bytes32[](1 << IntLm.WEIGHT_DEPTH);
        delete wrows;
        for (uint256 i = 0; i < n; ++i) {
            uint256 len = _isW2(i) ? IntLm.F : IntLm.D;
            bytes memory row = new bytes(len);
            for (uint256 c = 0; c < len; c += 32) {
                bytes32 h = keccak256(abi.encode(wseed, i, c));
                for (uint256 j = 0; j < 32; ++j) {
                    // forge-lint: disable-next-line(unsafe-typecast)
                    row[c + j] = bytes1(uint8(int8(int256(uint256(uint8(h[j])) % 63) - 31)));
                }
            }
            wrows.push(row);
            hashes[i] = _leaf(row);
        }
        bytes32[][] memory levels = _levels(hashes);
        delete wlevels;
        for (uint256 l = 0; l < levels.length; ++l) wlevels.push(levels[l]);
        modelRoot = levels[levels.length - 1][0];
    }

    function _weightProof(uint256 row) internal view returns (bytes32[] memory proof) {
        proof = new bytes32[](IntLm.WEIGHT_DEPTH);
        for (uint256 l = 0; l < IntLm.WEIGHT_DEPTH; ++l) {
            proof[l] = wlevels[l][(row >> l) ^ 1];
        }
    }

    // ------------------------------------------------------------------ the forward pass, apart from IntLm.sol

    function _s8(bytes memory b, uint256 i) internal pure returns (int256) {
        return int256(int8(uint8(b[i])));
    }

    function _b8(int256 v) internal pure returns (bytes1) {
        if (v > 127) v = 127;
        if (v < -128) v = -128;
        // forge-lint: disable-next-line(unsafe-typecast)
        return bytes1(uint8(int8(v)));
    }

    function _norm(bytes memory x) internal pure returns (bytes memory y) {
        uint256 ss;
        for (uint256 i = 0; i < x.length; ++i) ss += uint256(_s8(x, i) * _s8(x, i));
        int256 rms = int256(Math.sqrt(ss / IntLm.D)) + 1;
        y = new bytes(x.length);
        for (uint256 i = 0; i < x.length; ++i) y[i] = _b8((_s8(x, i) * 32) / rms);
    }

    function _matmul(uint256 firstRow, uint256 rows, bytes memory a) internal view returns (bytes memory out) {
        out = new bytes(rows);
        for (uint256 r = 0; r < rows; ++r) {
            bytes storage w = wrows[firstRow + r];
            int256 acc;
            for (uint256 j = 0; j < a.length; ++j) acc += int256(int8(uint8(w[j]))) * _s8(a, j);
            out[r] = _b8(acc >> 6);
        }
    }

    /// @dev The trace of the model over prompt ‖ output; blocks from `fullBlocks` on skip their feed-forward part.
    function _trace(bytes memory prompt, bytes memory output, uint64 seed, uint256 fullBlocks)
        internal
        view
        returns (Trace memory t)
    {
        uint256 positions = prompt.length + output.length - 1;
        uint256 padded = 1;
        while (padded < positions) padded <<= 1;
        t.leaves = new bytes[](padded * 32);
        int256[][] memory sums = new int256[][](IntLm.L);
        for (uint256 l = 0; l < IntLm.L; ++l) sums[l] = new int256[](IntLm.D);
        for (uint256 pos = 0; pos < positions; ++pos) {
            uint8 token = uint8(pos < prompt.length ? prompt[pos] : output[pos - prompt.length]);
            bytes memory x = wrows[token];
            t.leaves[pos * 32] = x;
            for (uint256 l = 0; l < IntLm.L; ++l) {
                x = _block(t, pos, l, x, sums[l], l < fullBlocks);
            }
            uint256 base = pos * 32 + 24;
            bytes memory y = _norm(x);
            bytes memory logits = _matmul(IntLm.V + IntLm.L * (IntLm.F + IntLm.D), IntLm.V, y);
            t.leaves[base] = y;
            t.leaves[base + 1] = logits;
            t.leaves[base + 2] = abi.encodePacked(_sample(logits, seed, pos));
        }
        t.levels = _levels(_hashes(t.leaves));
    }

    function _block(Trace memory t, uint256 pos, uint256 l, bytes memory x, int256[] memory s, bool full)
        internal
        view
        returns (bytes memory)
    {
        uint256 base = pos * 32 + (1 + l) * 8;
        bytes memory y = _norm(x);
        t.leaves[base] = y;
        bytes memory a = _mixAvg(t, base, pos, y, s);
        return _ffn(t, base, l, x, a, full);
    }

    function _mixAvg(Trace memory t, uint256 base, uint256 pos, bytes memory y, int256[] memory s)
        internal
        pure
        returns (bytes memory a)
    {
        bytes memory sBytes = new bytes(4 * IntLm.D);
        a = new bytes(IntLm.D);
        for (uint256 i = 0; i < IntLm.D; ++i) {
            s[i] += _s8(y, i);
            // forge-lint: disable-next-line(unsafe-typecast)
            bytes4 be = bytes4(uint32(int32(s[i])));
            for (uint256 k = 0; k < 4; ++k) sBytes[4 * i + k] = be[k];
            a[i] = _b8(s[i] / int256(pos + 1));
        }
        t.leaves[base + 1] = sBytes;
        t.leaves[base + 2] = a;
    }

    function _ffn(Trace memory t, uint256 base, uint256 l, bytes memory x, bytes memory a, bool full)
        internal
        view
        returns (bytes memory z)
    {
        uint256 w = IntLm.V + l * (IntLm.F + IntLm.D);
        bytes memory h = full ? _matmul(w, IntLm.F, a) : new bytes(IntLm.F);
        bytes memory g = new bytes(IntLm.F);
        for (uint256 r = 0; r < IntLm.F; ++r) g[r] = _s8(h, r) > 0 ? h[r] : bytes1(0);
        bytes memory o = full ? _matmul(w + IntLm.F, IntLm.D, g) : new bytes(IntLm.D);
        z = new bytes(IntLm.D);
        for (uint256 i = 0; i < IntLm.D; ++i) z[i] = _b8(_s8(x, i) + _s8(o, i));
        t.leaves[base + 3] = h;
        t.leaves[base + 4] = g;
        t.leaves[base + 5] = o;
        t.leaves[base + 6] = z;
    }

    function _sample(bytes memory logits, uint64 seed, uint256 pos) internal pure returns (uint8 best) {
        int256 bestScore = type(int256).min;
        for (uint256 v = 0; v < 256; ++v) {
            // forge-lint: disable-next-line(unsafe-typecast)
            bytes32 noise = keccak256(abi.encodePacked(seed, uint32(pos), uint32(v / 32)));
            int256 score = _s8(logits, v) * 256 + int256(uint256(uint8(noise[v % 32])));
            // forge-lint: disable-next-line(unsafe-typecast)
            if (score > bestScore) (best, bestScore) = (uint8(v), score);
        }
    }

    /// @dev What the model generates after `prompt` (greedy with the seed's tie noise), by re-tracing as it goes.
    function _generate(bytes memory prompt, uint256 n, uint64 seed) internal view returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 k = 0; k < n; ++k) {
            bytes memory soFar = new bytes(k + 1);
            for (uint256 i = 0; i < k; ++i) soFar[i] = out[i];
            Trace memory t = _trace(prompt, soFar, seed, IntLm.L);
            uint256 pos = prompt.length + k - 1;
            out[k] = t.leaves[pos * 32 + 26][0];
        }
    }

    // ------------------------------------------------------------------ trees

    function _leaf(bytes memory data) internal pure returns (bytes32) {
        return data.length == 0 ? bytes32(0) : keccak256(abi.encodePacked(bytes1(0x00), data));
    }

    function _hashes(bytes[] memory leaves) internal pure returns (bytes32[] memory h) {
        h = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) h[i] = _leaf(leaves[i]);
    }

    function _levels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory levels) {
        uint256 depth;
        while ((uint256(1) << depth) < leaves.length) ++depth;
        levels = new bytes32[][](depth + 1);
        levels[0] = leaves;
        for (uint256 l = 1; l <= depth; ++l) {
            bytes32[] memory below = levels[l - 1];
            bytes32[] memory up = new bytes32[](below.length / 2);
            for (uint256 i = 0; i < up.length; ++i) {
                up[i] = keccak256(abi.encodePacked(bytes1(0x01), below[2 * i], below[2 * i + 1]));
            }
            levels[l] = up;
        }
    }

    function _root(Trace memory t) internal pure returns (bytes32) {
        return t.levels[t.levels.length - 1][0];
    }

    function _proof(Trace memory t, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = t.levels.length - 1;
        proof = new bytes32[](depth);
        for (uint256 l = 0; l < depth; ++l) proof[l] = t.levels[l][(index >> l) ^ 1];
    }

    /// @dev `t` with leaf `index` replaced by `data` (a copy).
    function _with(Trace memory t, uint256 index, bytes memory data) internal pure returns (Trace memory c) {
        c.leaves = new bytes[](t.leaves.length);
        for (uint256 i = 0; i < t.leaves.length; ++i) c.leaves[i] = t.leaves[i];
        c.leaves[index] = data;
        c.levels = _levels(_hashes(c.leaves));
    }

    // ------------------------------------------------------------------ receipts and the game

    function _receiptOf(address provider, bytes memory prompt, bytes memory output, Trace memory t)
        internal
        view
        returns (OpmlVerifier.Receipt memory r)
    {
        r = OpmlVerifier.Receipt({
            provider: provider,
            modelRoot: modelRoot,
            promptHash: keccak256(prompt),
            outputHash: keccak256(output),
            seed: SEED,
            // forge-lint: disable-next-line(unsafe-typecast)
            promptLength: uint16(prompt.length),
            // forge-lint: disable-next-line(unsafe-typecast)
            outputLength: uint16(output.length),
            traceRoot: _root(t),
            requestId: keccak256(abi.encode(prompt, output))
        });
    }

    function _sign(OpmlVerifier.Receipt memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(signingKeyOf[r.provider], verifier.receiptDigest(r));
        return abi.encodePacked(rr, s, v);
    }

    /// @dev `party` reveals the children of its current node from its trace.
    function _move(uint256 id, address party, Trace memory t) internal {
        OpmlVerifier.Dispute memory d = verifier.getDispute(id);
        uint256 below = t.levels.length - 2 - d.level; // levels[] is leaves-first
        vm.prank(party);
        verifier.move(id, t.levels[below][2 * d.nodeIndex], t.levels[below][2 * d.nodeIndex + 1]);
    }

    /// @dev Both descend to the first differing leaf (stops early if the dispute ends on a padding leaf).
    function _descendAll(uint256 id, address provider, Trace memory pt, address challenger, Trace memory ct) internal {
        while (verifier.getDispute(id).phase == OpmlVerifier.Phase.Descend) {
            _move(id, provider, pt);
            _move(id, challenger, ct);
        }
    }

    function _revealAll(uint256 id, address provider, Trace memory pt, address challenger, Trace memory ct) internal {
        uint256 leaf = verifier.getDispute(id).nodeIndex;
        vm.prank(provider);
        verifier.reveal(id, pt.leaves[leaf]);
        vm.prank(challenger);
        verifier.reveal(id, ct.leaves[leaf]);
    }

    /// @dev The witness for the disputed leaf, its inputs taken from `honest` (whose root `honestIsProvider` says).
    function _witness(uint256 id, Trace memory pt, Trace memory ct, Trace memory honest, bool honestIsProvider,
        bytes memory prompt, bytes memory output) internal view returns (OpmlVerifier.Witness memory w) {
        uint256 leaf = verifier.getDispute(id).nodeIndex;
        w.providerOut = pt.leaves[leaf];
        w.challengerOut = ct.leaves[leaf];
        w.againstProvider = honestIsProvider;
        w.prompt = prompt;
        w.output = output;
        uint256 pos = leaf / 32;
        uint256 slot = (leaf / 8) % 4;
        uint8 kind = IntLm.kindOf(slot, leaf % 8);
        uint256 e = _firstDiff(w.providerOut, w.challengerOut, kind == IntLm.MIX ? 4 : 1);
        uint256 a = type(uint256).max;
        uint256 b = type(uint256).max;
        uint256 row = type(uint256).max;
        if (kind == IntLm.EMBED) row = uint8(pos < prompt.length ? prompt[pos] : output[pos - prompt.length]);
        if (kind == IntLm.NORM) a = IntLm.blockInput(pos, slot);
        if (kind == IntLm.MIX) (a, b) = (leaf - 1, pos > 0 ? leaf - 32 : type(uint256).max);
        if (kind == IntLm.AVG || kind == IntLm.RELU || kind == IntLm.SAMPLE) a = leaf - 1;
        if (kind == IntLm.MM1) (a, row) = (leaf - 1, IntLm.w1Row(slot - 1, e));
        if (kind == IntLm.MM2) (a, row) = (leaf - 1, IntLm.w2Row(slot - 1, e));
        if (kind == IntLm.ADD) (a, b) = (IntLm.blockInput(pos, slot), leaf - 1);
        if (kind == IntLm.LOGITS) (a, row) = (leaf - 1, IntLm.headRow(e));
        if (a != type(uint256).max) (w.inputA, w.proofA) = (honest.leaves[a], _proof(honest, a));
        if (b != type(uint256).max) (w.inputB, w.proofB) = (honest.leaves[b], _proof(honest, b));
        if (row != type(uint256).max) (w.weightRow, w.weightProof) = (wrows[row], _weightProof(row));
    }

    function _firstDiff(bytes memory a, bytes memory b, uint256 width) internal pure returns (uint256) {
        uint256 n = a.length < b.length ? a.length : b.length;
        for (uint256 i = 0; i < n; ++i) {
            if (a[i] != b[i]) return i / width;
        }
        return 0;
    }
}

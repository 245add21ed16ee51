// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title Goldilocks and its quadratic extension, as hypha-zk computes them
/// @notice p = 2^64 − 2^32 + 1 and GF(p²) = GF(p)[X]/(X² − 7) (`dev.hypha.zk.field.Goldilocks`, `Ext2`). An extension
/// element c0 + c1·X is packed into one word as (c0 << 64) | c1, which is exactly how a proof file stores it (16 bytes,
/// c0 then c1, big-endian): a 16-byte calldata value is already a packed element. Every function assumes canonical
/// inputs (both coefficients below p); the verifier checks that when it reads a value.
library ZkField {
    uint256 internal constant P = 0xFFFFFFFF00000001;
    uint256 internal constant MASK = 0xFFFFFFFFFFFFFFFF;
    /// @notice The packed extension element 1.
    uint256 internal constant ONE = 1 << 64;
    /// @notice ω of order exactly 2^32 (Plonky2's constant; `Goldilocks.POWER_OF_TWO_GENERATOR`).
    uint256 internal constant ROOT_2_32 = 1753635133440165772;

    /// @notice Whether a packed word is a canonical extension element (no bits above 128, both halves below p).
    function isCanonical(uint256 a) internal pure returns (bool) {
        return a >> 128 == 0 && (a >> 64) < P && (a & MASK) < P;
    }

    function ofBase(uint256 x) internal pure returns (uint256) {
        return x << 64;
    }

    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        return (addmod(a >> 64, b >> 64, P) << 64) | addmod(a & MASK, b & MASK, P);
    }

    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        return (addmod(a >> 64, P - (b >> 64), P) << 64) | addmod(a & MASK, P - (b & MASK), P);
    }

    /// @notice (a0 + a1X)(b0 + b1X) = a0b0 + 7a1b1 + (a0b1 + a1b0)X; the unreduced sums stay below 2^132.
    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            uint256 a0 = a >> 64;
            uint256 a1 = a & MASK;
            uint256 b0 = b >> 64;
            uint256 b1 = b & MASK;
            return (((a0 * b0 + 7 * (a1 * b1)) % P) << 64) | ((a0 * b1 + a1 * b0) % P);
        }
    }

    /// @notice An extension element times a base-field element.
    function mulBase(uint256 a, uint256 s) internal pure returns (uint256) {
        return (mulmod(a >> 64, s, P) << 64) | mulmod(a & MASK, s, P);
    }

    /// @notice A signed 64-bit integer as a field element (p − |x| when negative), as `Goldilocks.fromSigned`.
    function fromSigned(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) % P : P - (uint256(-x) % P);
    }

    /// @notice eq(r, s) = Π (r_i·s_i + (1 − r_i)(1 − s_i)) over r[from..from+len) and s[0..len).
    function eqEval(uint256[] memory r, uint256 from, uint256[] memory s, uint256 sFrom, uint256 len)
        internal
        pure
        returns (uint256 acc)
    {
        acc = ONE;
        for (uint256 i = 0; i < len; i++) {
            uint256 ri = r[from + i];
            uint256 si = s[sFrom + i];
            uint256 rs = mul(ri, si);
            // 1 − r − s + 2rs
            acc = mul(acc, add(sub(sub(ONE, ri), si), add(rs, rs)));
        }
    }

    /// @notice The table eq(r[from..from+len), x) for all x ∈ {0,1}^len, the first coordinate the index's top bit
    /// (`dev.hypha.zk.poly.Eq.table`).
    function eqTable(uint256[] memory r, uint256 from, uint256 len) internal pure returns (uint256[] memory t) {
        t = new uint256[](1 << len);
        t[0] = ONE;
        for (uint256 k = 0; k < len; k++) {
            uint256 ri = r[from + k];
            uint256 oneMinus = sub(ONE, ri);
            // backwards, so entry i is read before 2i and 2i + 1 overwrite it (assembly: the verifier builds tables
            // of up to 2^12 entries, and checked Solidity indexing doubles the cost)
            assembly ("memory-safe") {
                function emul(a, b) -> out {
                    let a0 := shr(64, a)
                    let a1 := and(a, 0xFFFFFFFFFFFFFFFF)
                    let b0 := shr(64, b)
                    let b1 := and(b, 0xFFFFFFFFFFFFFFFF)
                    out := or(
                        shl(64, mod(add(mul(a0, b0), mul(7, mul(a1, b1))), 0xFFFFFFFF00000001)),
                        mod(add(mul(a0, b1), mul(a1, b0)), 0xFFFFFFFF00000001)
                    )
                }
                let base := add(t, 32)
                for { let i := shl(k, 1) } gt(i, 0) { i := sub(i, 1) } {
                    let v := mload(add(base, shl(5, sub(i, 1))))
                    mstore(add(base, shl(5, sub(shl(1, i), 1))), emul(v, ri))
                    mstore(add(base, shl(5, sub(shl(1, i), 2))), emul(v, oneMinus))
                }
            }
        }
    }

    /// @notice The primitive 2^logN-th root of unity: ω squared 32 − logN times (`Goldilocks.rootOfUnity`).
    function rootOfUnity(uint256 logN) internal pure returns (uint256 w) {
        w = ROOT_2_32;
        for (uint256 i = logN; i < 32; i++) {
            w = mulmod(w, w, P);
        }
    }

    /// @notice Evaluates, in place, the polynomial with packed extension coefficients a[0..n) at the n-th roots of
    /// unity, leaving A(ω^k) at index bitReverse(k) (decimation in frequency, so no input permutation; a caller that
    /// needs a few evaluations looks them up with `bitReverse`). The same values as `dev.hypha.zk.field.Ntt.forward`,
    /// which returns them in natural order. Assembly: it is the verifier's hottest loop (one butterfly is two base
    /// multiplications, the twiddles being base-field, and four additions).
    function nttBitReversed(uint256[] memory a) internal pure {
        uint256 n = a.length;
        if (n <= 1) return;
        uint256 logN = 0;
        while ((1 << logN) < n) logN++;
        uint256[] memory tw = new uint256[](n / 2);
        uint256 w = rootOfUnity(logN);
        assembly ("memory-safe") {
            // twiddles ω^0 .. ω^(n/2 − 1)
            let tb := add(tw, 32)
            let x := 1
            for { let i := 0 } lt(i, shr(1, n)) { i := add(i, 1) } {
                mstore(add(tb, shl(5, i)), x)
                x := mulmod(x, w, 0xFFFFFFFF00000001)
            }
        }
        butterflies(a, tw);
    }

    /// @notice `nttBitReversed` on a lane representation, about 2.5 times cheaper: each word holds an extension element
    /// as (c0 << 128) | c1 with both lanes possibly unreduced (below 2^100), so one `add` adds both coefficients and only
    /// the multiplication by a (base-field) twiddle reduces, lane by lane. A sum lane at most doubles per stage, so
    /// after ≤ 26 stages it stays below 2^90; a difference is taken as u + B − v with B = p·2^32 (a multiple of p above
    /// every lane), which never borrows across lanes. The last stage's twiddle is 1, so it only adds and subtracts.
    /// Inputs: lanes below p. Outputs: A(ω^k) at index bitReverse(k), each lane ≡ the coefficient mod p, below 2^98;
    /// `laneToPacked` reduces one. Same values as `dev.hypha.zk.field.Ntt.forward` (the verifier's tests compare).
    function nttLanes(uint256[] memory a) internal pure {
        nttLanes(a, a.length);
    }

    /// @notice `nttLanes` of an input whose entries from `used` on are zero (a Reed–Solomon message padded to the code
    /// length): while a stage's half block is at least `used` long, every pair (u, v) there has v = 0, so the stage
    /// only writes u·ω^j into the upper half and leaves u — no additions, half the multiplications, and no work on the
    /// zero entries (at rate 1/4 the first two of the stages). The values are exactly `nttLanes`'s.
    function nttLanes(uint256[] memory a, uint256 used) internal pure {
        uint256 n = a.length;
        if (n <= 1) return;
        uint256 logN = 0;
        while ((1 << logN) < n) logN++;
        if (logN > 26) revert("ntt too long");
        uint256[] memory tw = new uint256[](n / 2);
        uint256 w = rootOfUnity(logN);
        assembly ("memory-safe") {
            let tb := add(tw, 32)
            let x := 1
            for { let i := 0 } lt(i, shr(1, n)) { i := add(i, 1) } {
                mstore(add(tb, shl(5, i)), x)
                x := mulmod(x, w, 0xFFFFFFFF00000001)
            }
            let base := add(a, 32)
            let end := add(base, shl(5, n))
            // B·(2^128 + 1) with B = p·2^32
            let bb := or(shl(128, 0xFFFFFFFF0000000100000000), 0xFFFFFFFF0000000100000000)
            let m128 := 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF
            // Gentleman–Sande stages down to block length 4: the pair (s + j, s + j + len/2) becomes
            // (u + v, (u − v)·ω^(j·n/len)); the twiddle depends on j only, so j is the outer loop
            for { let len := n } gt(len, 2) { len := shr(1, len) } {
                let halfBytes := shl(4, len)
                let lenBytes := shl(5, len)
                let stride := div(n, len)
                // v = 0 in every pair: the upper half is u·ω^j for j < used, zero above (already zero in memory)
                if iszero(lt(shr(1, len), used)) {
                    for { let j := 0 } lt(j, used) { j := add(j, 1) } {
                        let tj := mload(add(tb, shl(5, mul(j, stride))))
                        for { let p := add(base, shl(5, j)) } lt(p, end) { p := add(p, lenBytes) } {
                            let u := mload(p)
                            mstore(
                                add(p, halfBytes),
                                or(
                                    shl(128, mulmod(shr(128, u), tj, 0xFFFFFFFF00000001)),
                                    mulmod(and(u, m128), tj, 0xFFFFFFFF00000001)
                                )
                            )
                        }
                    }
                    continue
                }
                for { let j := 0 } lt(j, shr(1, len)) { j := add(j, 1) } {
                    let tj := mload(add(tb, shl(5, mul(j, stride))))
                    for { let p := add(base, shl(5, j)) } lt(p, end) { p := add(p, lenBytes) } {
                        let u := mload(p)
                        let v := mload(add(p, halfBytes))
                        mstore(p, add(u, v))
                        let d := add(u, sub(bb, v))
                        mstore(
                            add(p, halfBytes),
                            or(
                                shl(128, mulmod(shr(128, d), tj, 0xFFFFFFFF00000001)),
                                mulmod(and(d, m128), tj, 0xFFFFFFFF00000001)
                            )
                        )
                    }
                }
            }
            // the last stage: len 2, twiddle 1
            for { let p := base } lt(p, end) { p := add(p, 64) } {
                let u := mload(p)
                let v := mload(add(p, 32))
                mstore(p, add(u, v))
                mstore(add(p, 32), add(u, sub(bb, v)))
            }
        }
    }

    /// @notice A lane word of `nttLanes` as a canonical packed element.
    function laneToPacked(uint256 x) internal pure returns (uint256) {
        return (((x >> 128) % P) << 64) | ((x & type(uint128).max) % P);
    }

    /// @notice The low `bits` bits of i in reverse order.
    function bitReverse(uint256 i, uint256 bits) internal pure returns (uint256 j) {
        for (uint256 b = 0; b < bits; b++) {
            j = (j << 1) | (i & 1);
            i >>= 1;
        }
    }

    /// @dev Gentleman–Sande stages: at block length len the pair (s + j, s + j + len/2) becomes (u + v, (u − v)·ω^(j·n/len)).
    function butterflies(uint256[] memory a, uint256[] memory tw) private pure {
        assembly ("memory-safe") {
            let n := mload(a)
            let base := add(a, 32)
            let twBase := add(tw, 32)
            for { let len := n } gt(len, 1) { len := shr(1, len) } {
                let half := shr(1, len)
                let stride := div(n, len)
                for { let start := 0 } lt(start, n) { start := add(start, len) } {
                    for { let j := 0 } lt(j, half) { j := add(j, 1) } {
                        let pu := add(base, shl(5, add(start, j)))
                        let pv := add(pu, shl(5, half))
                        let u := mload(pu)
                        let v := mload(pv)
                        mstore(
                            pu,
                            or(
                                shl(64, addmod(shr(64, u), shr(64, v), 0xFFFFFFFF00000001)),
                                addmod(and(u, 0xFFFFFFFFFFFFFFFF), and(v, 0xFFFFFFFFFFFFFFFF), 0xFFFFFFFF00000001)
                            )
                        )
                        let w := mload(add(twBase, shl(5, mul(j, stride))))
                        mstore(
                            pv,
                            or(
                                shl(
                                    64,
                                    mulmod(
                                        add(shr(64, u), sub(0xFFFFFFFF00000001, shr(64, v))), w, 0xFFFFFFFF00000001
                                    )
                                ),
                                mulmod(
                                    add(and(u, 0xFFFFFFFFFFFFFFFF), sub(0xFFFFFFFF00000001, and(v, 0xFFFFFFFFFFFFFFFF))),
                                    w,
                                    0xFFFFFFFF00000001
                                )
                            )
                        )
                    }
                }
            }
        }
    }
}

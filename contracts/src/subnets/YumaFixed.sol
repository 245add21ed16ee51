// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title YumaFixed
/// @notice substrate-fixed's I32F32 (and the few I64F64 / I96F32 steps of subtensor's epoch) as hypha-incentives
/// implements them (dev.hypha.incentives.fixed): values are int64 raw bits with 32 fractional bits. Rounding as the
/// crate: products keep the high bits (toward negative infinity), quotients truncate toward zero, saturating ops
/// clamp to the int64 range with the sign the crate picks. Written by hand because no Solidity library offers
/// substrate-fixed's exact rounding; every function names the Java method it mirrors.
library YumaFixed {
    int64 internal constant ONE = int64(1) << 32;
    /// @dev I32F32::saturating_from_num(u16::MAX), the scale of u16 proportions.
    int64 internal constant U16_MAX = int64(65535) << 32;

    function clamp64(int256 r) internal pure returns (int64) {
        if (r > type(int64).max) return type(int64).max;
        if (r < type(int64).min) return type(int64).min;
        return int64(r);
    }

    /// @dev I32F32.saturatingAdd
    function satAdd(int64 a, int64 b) internal pure returns (int64) {
        return clamp64(int256(a) + int256(b));
    }

    /// @dev I32F32.saturatingSub
    function satSub(int64 a, int64 b) internal pure returns (int64) {
        return clamp64(int256(a) - int256(b));
    }

    /// @dev Wrapping add, as Rust's release-build `iter().sum()` (YumaMath.sum).
    function wrapAdd(int64 a, int64 b) internal pure returns (int64) {
        unchecked {
            return a + b;
        }
    }

    /// @dev I32F32.saturatingMul: floor(a·b / 2^32), saturated by the operands' signs when it does not fit.
    function satMul(int64 a, int64 b) internal pure returns (int64) {
        int256 r = (int256(a) * int256(b)) >> 32;
        if (r > type(int64).max || r < type(int64).min) {
            return ((a < 0) != (b < 0)) ? type(int64).min : type(int64).max;
        }
        return int64(r);
    }

    /// @dev I32F32.mulOrZero (checked_mul(..).unwrap_or_default()).
    function mulOrZero(int64 a, int64 b) internal pure returns (int64) {
        int256 r = (int256(a) * int256(b)) >> 32;
        if (r > type(int64).max || r < type(int64).min) return 0;
        return int64(r);
    }

    /// @dev I32F32.safeDiv: (a·2^32)/b truncated toward zero; 0 on a zero divisor or a quotient that does not fit.
    function safeDiv(int64 a, int64 b) internal pure returns (int64) {
        if (b == 0) return 0;
        int256 q = (int256(a) * (int256(1) << 32)) / int256(b);
        if (q > type(int64).max || q < type(int64).min) return 0;
        return int64(q);
    }

    /// @dev I32F32.fromInt for a u16 (always fits).
    function fromU16(uint16 x) internal pure returns (int64) {
        return int64(uint64(x)) << 32;
    }

    /// @dev I32F32.toU16: integer part clamped to [0, 65535].
    function toU16(int64 a) internal pure returns (uint16) {
        int64 i = a >> 32;
        if (i < 0) return 0;
        return i > 65535 ? 65535 : uint16(uint64(i));
    }

    /// @dev subtensor's fixed_proportion_to_u16 (I32F32.proportionToU16).
    function proportionToU16(int64 x) internal pure returns (uint16) {
        return toU16(satMul(x, U16_MAX));
    }

    /// @dev subtensor's u16_proportion_to_fixed (I32F32.u16ProportionToFixed): x / 65535.
    function u16ProportionToFixed(uint16 x) internal pure returns (int64) {
        return safeDiv(fromU16(x), U16_MAX);
    }

    /// @dev I64F64.fromU64 then safeDiv by `total` then I64F64.toI32F32: one UID's normalised stake.
    /// `stake` and `total` are u64 integers (total ≤ 2^63-1, which the registry guarantees).
    function stakeShare(uint64 stake, uint256 total) internal pure returns (int64) {
        uint256 s = stake > uint64(type(int64).max) ? uint64(type(int64).max) : stake;
        if (total == 0) return clamp64(int256((s << 64) >> 32));
        uint256 q = (s << 128) / (total << 64); // (s·2^64 · 2^64) / (total·2^64): the I64F64 quotient's raw bits
        if (q >= (uint256(1) << 127)) return 0; // does not fit I64F64: safe_div answers 0
        return clamp64(int256(q >> 32));
    }

    /// @dev YumaEpoch.fixedAlpha: 1 − I32F32(I64F64(movingAverage) / 1e6).
    function fixedAlpha(uint64 bondsMovingAverage) internal pure returns (int64) {
        uint256 ma = bondsMovingAverage > uint64(type(int64).max) ? uint64(type(int64).max) : bondsMovingAverage;
        uint256 q = (ma << 64) / 1_000_000; // I64F64 raw bits of ma / 1e6 (fits: ma < 2^63)
        return satSub(ONE, clamp64(int256(q >> 32)));
    }

    /// @dev I96F32.shareOf: a normalised share of an emission in the smallest unit, saturated to u64.
    function shareOf(int64 share, uint64 emission) internal pure returns (uint64) {
        int256 product = (int256(share) * int256(uint256(emission))); // bits: share·emission·2^32 / 2^32
        int256 maxI96 = int256((uint256(1) << 127) - 1);
        if (product > maxI96) product = maxI96;
        int256 integer = product >> 32;
        if (integer < 0) return 0;
        return integer > int256(uint256(type(uint64).max)) ? type(uint64).max : uint64(uint256(integer));
    }
}

package dev.hypha.incentives.fixed;

import static dev.hypha.incentives.fixed.Fx.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * substrate-fixed's documented I32F32 semantics (rounding of mul/div/round, saturation, conversions) and the
 * conversion tests of subtensor's tests/math.rs (test_math_fixed_to_u16 ... test_vec_fixed64_to_fixed32_saturates,
 * test_math_fixed_overflow, test_math_u64_normalization), replayed exactly.
 */
class I32F32Test {
    @Test
    void multiplicationRoundsTowardNegativeInfinity() {
        long tiny = 1; // 2^-32
        long half = I32F32.ONE / 2;
        assertThat(I32F32.saturatingMul(tiny, half)).isZero(); // 2^-33 floors to 0
        assertThat(I32F32.saturatingMul(-tiny, half)).isEqualTo(-1); // -2^-33 floors to -2^-32
        assertThat(I32F32.saturatingMul(I32F32.fromInt(3), I32F32.fromInt(-4))).isEqualTo(I32F32.fromInt(-12));
    }

    @Test
    void divisionRoundsTowardZero() {
        assertThat(I32F32.checkedDiv(1, I32F32.fromInt(3))).isZero();
        assertThat(I32F32.checkedDiv(-1, I32F32.fromInt(3))).isZero();
        assertThat(I32F32.checkedDiv(I32F32.ONE, I32F32.fromInt(3))).isEqualTo(1431655765L); // floor(2^32/3)
        assertThat(I32F32.checkedDiv(-I32F32.ONE, I32F32.fromInt(3))).isEqualTo(-1431655765L); // not -1431655766
    }

    /** The long-only division equals the widened division the crate does (BigInteger as the oracle). */
    @net.jqwik.api.Property(tries = 3000)
    void divisionEqualsWidenedIntegerDivision(@net.jqwik.api.ForAll long a, @net.jqwik.api.ForAll long b) {
        if (b == 0) return;
        BigInteger q = BigInteger.valueOf(a).shiftLeft(32).divide(BigInteger.valueOf(b));
        if (q.bitLength() > 63) {
            assertThat(I32F32.safeDiv(a, b)).isZero();
            assertThatThrownBy(() -> I32F32.checkedDiv(a, b)).isInstanceOf(ArithmeticException.class);
        } else {
            assertThat(I32F32.checkedDiv(a, b)).isEqualTo(q.longValueExact());
            assertThat(I32F32.safeDiv(a, b)).isEqualTo(q.longValueExact());
        }
    }

    @Test
    void divisionEdgeCases() {
        for (long a : new long[] {I32F32.MIN, I32F32.MAX, I32F32.MIN + 1, 1L << 31, -(1L << 31), -(1L << 31) - 1, 7, -7}) {
            for (long b : new long[] {I32F32.MIN, I32F32.MAX, 1, -1, 3, -3, 1L << 32, -(1L << 32), 12345678901L}) {
                divisionEqualsWidenedIntegerDivision(a, b);
            }
        }
    }

    @Test
    void saturationFollowsOperandSigns() {
        assertThat(I32F32.saturatingMul(I32F32.MAX, I32F32.fromInt(2))).isEqualTo(I32F32.MAX);
        assertThat(I32F32.saturatingMul(I32F32.MAX, I32F32.fromInt(-2))).isEqualTo(I32F32.MIN);
        assertThat(I32F32.saturatingAdd(I32F32.MAX, 1)).isEqualTo(I32F32.MAX);
        assertThat(I32F32.saturatingSub(I32F32.MIN, 1)).isEqualTo(I32F32.MIN);
        assertThat(I32F32.saturatingDiv(I32F32.MAX, I32F32.ONE / 2)).isEqualTo(I32F32.MAX);
        assertThat(I32F32.saturatingDiv(I32F32.MAX, -I32F32.ONE / 2)).isEqualTo(I32F32.MIN);
        assertThatThrownBy(() -> I32F32.saturatingDiv(1, 0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void safeDivIsZeroOnZeroDivisorAndOnOverflow() {
        assertThat(I32F32.safeDiv(I32F32.ONE, 0)).isZero();
        assertThat(I32F32.safeDiv(I32F32.MAX, I32F32.ONE / 2)).isZero(); // checked_div is None: unwrap_or_default
        assertThat(I32F32.safeDiv(I32F32.fromInt(7), I32F32.fromInt(2))).isEqualTo(f64(3.5));
    }

    @Test
    void roundIsHalfAwayFromZero() { // the crate's doc examples
        assertThat(I32F32.round(f64(2.5))).isEqualTo(I32F32.fromInt(3));
        assertThat(I32F32.round(f64(-2.5))).isEqualTo(I32F32.fromInt(-3));
        assertThat(I32F32.round(f64(2.4999999))).isEqualTo(I32F32.fromInt(2));
        assertThat(I32F32.round(f64(-2.6))).isEqualTo(I32F32.fromInt(-3));
    }

    @Test
    void fromIntSaturates() {
        assertThat(I32F32.fromInt(1L << 40)).isEqualTo(I32F32.MAX);
        assertThat(I32F32.fromInt(-(1L << 40))).isEqualTo(I32F32.MIN);
        assertThat(I32F32.fromU64(-1L)).isEqualTo(I32F32.MAX); // u64::MAX
    }

    @Test
    void fixedToU16() { // test_math_fixed_to_u16 (the panicking variant is for the non-saturating to_num)
        assertThat(I32F32.toU16(I32F32.fromInt(0))).isZero();
        assertThat(I32F32.toU16(I32F32.fromInt(65535 / 2))).isEqualTo(65535 / 2);
        assertThat(I32F32.toU16(I32F32.fromInt(65535))).isEqualTo(65535);
        assertThat(I32F32.toU16(I32F32.fromInt(-1))).isZero();
        assertThat(I32F32.toU16(I32F32.fromInt(70000))).isEqualTo(65535);
    }

    @Test
    void fixedToU64Saturates() { // test_math_fixed_to_u64(_saturates), test_math_to_num
        assertThat(I32F32.toU64(0)).isZero();
        assertThat(I32F32.toU64(I32F32.fromInt(-1))).isZero();
        assertThat(I32F32.toU64(I32F32.MAX)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void fixed64ToU64() { // test_math_fixed64_to_u64(_saturates)
        assertThat(I64F64.toU64(I64F64.fromInt(0))).isZero();
        assertThat(I64F64.toU64(I64F64.fromInt(Long.MAX_VALUE / 2))).isEqualTo(Long.MAX_VALUE / 2);
        assertThat(I64F64.toU64(I64F64.fromInt(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThat(I64F64.toU64(I64F64.fromInt(-1))).isZero();
    }

    @Test
    void fixed64ToFixed32() { // test_math_fixed64_to_fixed32(_saturates), test_vec_fixed64_to_fixed32(_saturates)
        assertThat(I64F64.toI32F32(I64F64.fromInt(0))).isZero();
        assertThat(I64F64.toI32F32(I64F64.fromInt(0xFFFF_FFFFL / 2))).isEqualTo(I32F32.fromInt(0xFFFF_FFFFL / 2));
        assertThat(I64F64.toI32F32(I64F64.fromInt(0xFFFF_FFFFL))).isEqualTo(I32F32.MAX);
        assertThat(I64F64.toI32F32(I64F64.fromInt(Integer.MIN_VALUE))).isEqualTo(I32F32.fromInt(Integer.MIN_VALUE));
        assertThat(I64F64.toI32F32(I64F64.fromInt(Integer.MAX_VALUE))).isEqualTo(I32F32.fromInt(Integer.MAX_VALUE));
        assertThat(I64F64.toI32F32(I64F64.fromInt(Long.MAX_VALUE))).isEqualTo(I32F32.MAX);
    }

    @Test
    void u16Conversions() { // test_math_u16_to_fixed, test_math_u16_proportion_to_fixed, test_fixed_proportion_to_u16(_saturates)
        assertThat(I32F32.fromInt(65535 / 2)).isEqualTo(f64(32767));
        assertThat(I32F32.u16ProportionToFixed(0)).isZero();
        assertThat(I32F32.proportionToU16(0)).isZero();
        assertThat(I32F32.proportionToU16(I32F32.fromInt(65535))).isEqualTo(65535);
        assertThat(I32F32.u16ProportionToFixed(65535)).isEqualTo(I32F32.ONE);
        assertThat(I32F32.proportionToU16(I32F32.ONE)).isEqualTo(65535);
    }

    @Test
    void fixedOverflow() { // test_math_fixed_overflow: 1 - I64F64(900_000)/1e6 narrowed to I32F32 is exactly 0.1
        BigInteger bma = I64F64.safeDiv(I64F64.fromInt(900_000), I64F64.fromInt(1_000_000));
        assertThat(I32F32.saturatingSub(I32F32.ONE, I64F64.toI32F32(bma))).isEqualTo(f64(0.1)); // I32F32::from_num(0.1): an f64 literal
        BigInteger one = I64F64.safeDiv(I64F64.fromInt(Integer.MAX_VALUE), I64F64.fromInt(Integer.MAX_VALUE));
        assertThat(I32F32.saturatingSub(I32F32.ONE, I64F64.toI32F32(one))).isZero();
        assertThat(I96F32.shareOf(I32F32.MAX, -1L)).isEqualTo(-1L); // saturates at u64::MAX
    }

    @Test
    void u64Normalization() { // test_math_u64_normalization
        BigInteger maxSum = I64F64.fromInt(21_000_000_000_000_000L);
        BigInteger minFrac = I64F64.safeDiv(I64F64.fromInt(1), maxSum);
        assertThat(minFrac).isEqualTo(BigInteger.valueOf(878)); // I64F64::from_num(0.0000000000000000476)
        assertThat(I64F64.toI32F32(minFrac)).isZero();
        BigInteger min32Frac = I64F64.safeDiv(I64F64.fromInt(4_889_444), maxSum);
        assertThat(I64F64.toI32F32(min32Frac)).isEqualTo(f64(0.0000000002));
        assertThat(I64F64.toI32F32(I64F64.safeDiv(I64F64.fromInt(10_500_000_000_000_000L), maxSum))).isEqualTo(f64(0.5));
        assertThat(I64F64.toI32F32(I64F64.safeDiv(maxSum, maxSum))).isEqualTo(I32F32.ONE);
    }
}

package dev.hypha.incentives.fixed;

import java.math.BigInteger;

/**
 * Signed Q64.64 fixed point as substrate-fixed's {@code I64F64}: the stake vector and the bonds moving average are
 * computed in it before subtensor narrows them to {@link I32F32}. Values are {@link BigInteger} raw bits (the epoch
 * does O(n) of these operations, so clarity wins over speed). Same rounding rules as {@link I32F32}.
 */
public final class I64F64 {
    public static final int FRAC_BITS = 64;
    public static final BigInteger ZERO = BigInteger.ZERO;
    public static final BigInteger MAX = BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE);
    public static final BigInteger MIN = BigInteger.ONE.shiftLeft(127).negate();
    private static final BigInteger I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);

    private I64F64() {}

    /** {@code I64F64::saturating_from_num(u64)}: values above i64::MAX saturate. */
    public static BigInteger fromU64(long unsigned) {
        BigInteger v = new BigInteger(Long.toUnsignedString(unsigned));
        return (v.compareTo(I64_MAX) > 0 ? I64_MAX : v).shiftLeft(FRAC_BITS);
    }

    public static BigInteger fromInt(long i) {
        return BigInteger.valueOf(i).shiftLeft(FRAC_BITS);
    }

    public static BigInteger saturatingAdd(BigInteger a, BigInteger b) {
        return clamp(a.add(b));
    }

    /** {@code safe_div}: (a &lt;&lt; 64) / b toward zero; 0 on a zero divisor or a quotient that does not fit. */
    public static BigInteger safeDiv(BigInteger a, BigInteger b) {
        if (b.signum() == 0) return ZERO;
        BigInteger q = a.shiftLeft(FRAC_BITS).divide(b); // BigInteger.divide truncates toward zero, as Rust does
        return q.bitLength() > 127 ? ZERO : q;
    }

    /** {@code I32F32::saturating_from_num(I64F64)}: drops 32 fractional bits (toward negative infinity), clamps. */
    public static long toI32F32(BigInteger a) {
        BigInteger bits = a.shiftRight(FRAC_BITS - I32F32.FRAC_BITS);
        if (bits.compareTo(I64_MAX) > 0) return I32F32.MAX;
        if (bits.compareTo(I64_MIN) < 0) return I32F32.MIN;
        return bits.longValue();
    }

    /** {@code saturating_to_num::<u64>()}: the integer part, clamped to [0, u64::MAX] (returned as unsigned long). */
    public static long toU64(BigInteger a) {
        BigInteger i = a.shiftRight(FRAC_BITS);
        if (i.signum() < 0) return 0;
        return i.bitLength() > 64 ? -1L : i.longValue();
    }

    private static BigInteger clamp(BigInteger v) {
        if (v.compareTo(MAX) > 0) return MAX;
        if (v.compareTo(MIN) < 0) return MIN;
        return v;
    }
}

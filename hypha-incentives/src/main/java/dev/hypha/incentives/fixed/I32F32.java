package dev.hypha.incentives.fixed;

import java.math.BigInteger;

/**
 * Signed Q32.32 fixed point exactly as substrate-fixed's {@code I32F32} (v0.6.0, the crate subtensor uses) behaves.
 * Values are their raw {@code long} bits, so arrays of them cost nothing extra; every method is static.
 *
 * <p>Rounding, as the crate does it: multiplication keeps the high bits of the 128-bit product (rounds toward
 * negative infinity); division divides the widened dividend with Rust's integer division (rounds toward zero);
 * conversion to an integer or to a type with fewer fractional bits drops bits (toward negative infinity);
 * {@link #round} rounds half away from zero. Saturating operations clamp to {@link #MAX}/{@link #MIN}; where the
 * crate decides the sign of a saturated product or quotient from the operands' signs, so does this class.
 */
public final class I32F32 {
    public static final int FRAC_BITS = 32;
    public static final long ZERO = 0L;
    public static final long ONE = 1L << FRAC_BITS;
    public static final long MAX = Long.MAX_VALUE;
    public static final long MIN = Long.MIN_VALUE;
    /** {@code I32F32::saturating_from_num(u16::MAX)}, the scale of u16 proportions. */
    public static final long U16_MAX = 65535L << FRAC_BITS;

    private static final long FRAC_MSB = 1L << (FRAC_BITS - 1);
    private static final long INT_MASK = -ONE;

    private I32F32() {}

    /** {@code I32F32::saturating_from_num(i)} for an integer. */
    public static long fromInt(long i) {
        if (i > Integer.MAX_VALUE) return MAX;
        if (i < Integer.MIN_VALUE) return MIN;
        return i << FRAC_BITS;
    }

    /** {@code I32F32::saturating_from_num(u64)}: an unsigned 64-bit integer (Java's long read as unsigned). */
    public static long fromU64(long unsigned) {
        return Long.compareUnsigned(unsigned, Integer.MAX_VALUE) > 0 ? MAX : unsigned << FRAC_BITS;
    }

    public static long saturatingAdd(long a, long b) {
        long r = a + b;
        // overflow iff both operands have the sign opposite to the result
        if (((a ^ r) & (b ^ r)) < 0) return a < 0 ? MIN : MAX;
        return r;
    }

    public static long saturatingSub(long a, long b) {
        long r = a - b;
        if (((a ^ b) & (a ^ r)) < 0) return a < 0 ? MIN : MAX;
        return r;
    }

    public static long saturatingNeg(long a) {
        return a == MIN ? MAX : -a;
    }

    /** True when the product a·b does not fit: substrate-fixed's {@code mul_overflow}. */
    private static boolean mulOverflows(long hi) {
        return hi > Integer.MAX_VALUE || hi < Integer.MIN_VALUE;
    }

    private static long mulBits(long a, long b, long hi) {
        return (hi << 32) | ((a * b) >>> 32);
    }

    public static long saturatingMul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        if (mulOverflows(hi)) return ((a < 0) != (b < 0)) ? MIN : MAX;
        return mulBits(a, b, hi);
    }

    /** {@code checked_mul}: the product, or {@link ArithmeticException} where the crate answers {@code None}. */
    public static long checkedMul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        if (mulOverflows(hi)) throw new ArithmeticException("I32F32 multiplication overflow");
        return mulBits(a, b, hi);
    }

    /** {@code checked_mul(..).unwrap_or_default()}: 0 on overflow. */
    public static long mulOrZero(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        return mulOverflows(hi) ? 0 : mulBits(a, b, hi);
    }

    /**
     * {@code checked_div}: (a &lt;&lt; 32) / b rounded toward zero, or {@link ArithmeticException} on a zero divisor
     * or a quotient that does not fit (the crate's {@code None}).
     */
    public static long checkedDiv(long a, long b) {
        if (b == 0) throw new ArithmeticException("I32F32 division by zero");
        long q = divide(a, b);
        if (q == OVERFLOW_MARKER && overflows(a, b)) throw new ArithmeticException("I32F32 division overflow");
        return q;
    }

    private static final long OVERFLOW_MARKER = Long.MIN_VALUE;

    /**
     * (a · 2^32) / b truncated toward zero, as the crate's widening division; {@link #OVERFLOW_MARKER} when it does
     * not fit (Long.MIN_VALUE is also a legitimate quotient, which {@link #overflows} tells apart).
     */
    static long divide(long a, long b) {
        if (a >= Integer.MIN_VALUE && a <= Integer.MAX_VALUE) return (a << FRAC_BITS) / b; // fits; both truncate toward zero
        boolean negative = (a < 0) != (b < 0);
        // magnitudes read as unsigned: -MIN is MIN, whose unsigned value is 2^63
        long magnitude = divideMagnitudes(a < 0 ? -a : a, b < 0 ? -b : b);
        if (magnitude == -1L) return OVERFLOW_MARKER; // more than 2^64 - 1
        if (negative) {
            return Long.compareUnsigned(magnitude, 1L << 63) > 0 ? OVERFLOW_MARKER : -magnitude;
        }
        return magnitude < 0 ? OVERFLOW_MARKER : magnitude;
    }

    private static boolean overflows(long a, long b) {
        BigInteger q = BigInteger.valueOf(a).shiftLeft(FRAC_BITS).divide(BigInteger.valueOf(b));
        return q.bitLength() > 63;
    }

    /**
     * floor(A · 2^32 / B) for unsigned A and B (B &gt; 0): the integer part by one unsigned division, then 32 quotient
     * bits of the remainder by shift-and-subtract. Returns -1 (all ones) when the quotient exceeds 64 bits.
     */
    private static long divideMagnitudes(long a, long b) {
        long high = Long.divideUnsigned(a, b);
        if (Long.compareUnsigned(high, 0xFFFF_FFFFL) > 0) return -1L;
        long r = Long.remainderUnsigned(a, b);
        long low = 0;
        for (int i = 0; i < FRAC_BITS; i++) {
            boolean carry = r < 0;
            r <<= 1;
            low <<= 1;
            if (carry || Long.compareUnsigned(r, b) >= 0) {
                r -= b;
                low |= 1;
            }
        }
        return (high << FRAC_BITS) | low;
    }

    /** subtensor's {@code safe_div}: {@code checked_div(..).unwrap_or_default()}, so 0 on a zero divisor or overflow. */
    public static long safeDiv(long a, long b) {
        if (b == 0) return 0;
        long q = divide(a, b);
        return q == OVERFLOW_MARKER && overflows(a, b) ? 0 : q;
    }

    /** {@code saturating_div}: saturates on overflow by the operands' signs; a zero divisor panics in Rust, throws here. */
    public static long saturatingDiv(long a, long b) {
        try {
            return checkedDiv(a, b);
        } catch (ArithmeticException overflow) {
            if (b == 0) throw overflow;
            return ((a < 0) != (b < 0)) ? MIN : MAX;
        }
    }

    /** {@code round()}: to the nearest integer, ties away from zero. */
    public static long round(long a) {
        long floor = a & INT_MASK;
        if ((a & FRAC_MSB) == 0) return floor;
        boolean tie = (a & (ONE - 1)) == FRAC_MSB;
        if (tie && a < 0) return floor;
        return floor + ONE; // wraps like the crate's release build if it does not fit
    }

    /** {@code saturating_to_num::<u16>()}: drops the fraction (toward negative infinity), clamps to [0, 65535]. */
    public static int toU16(long a) {
        long i = a >> FRAC_BITS;
        return i < 0 ? 0 : (int) Math.min(i, 65535);
    }

    /** {@code saturating_to_num::<u64>()}: the integer part, 0 for negatives (fits a long: at most 2^31 - 1). */
    public static long toU64(long a) {
        return Math.max(0, a >> FRAC_BITS);
    }

    /** subtensor's {@code fixed_proportion_to_u16}: {@code fixed_to_u16(x.saturating_mul(u16::MAX))}. */
    public static int proportionToU16(long x) {
        return toU16(saturatingMul(x, U16_MAX));
    }

    /** subtensor's {@code u16_proportion_to_fixed}: x / 65535. */
    public static long u16ProportionToFixed(int x) {
        return safeDiv(fromInt(x), U16_MAX);
    }

    /** subtensor's {@code fixed_to_fixed_u16_proportion}: x / 65535. */
    public static long toU16Proportion(long x) {
        return safeDiv(x, U16_MAX);
    }

    /** Exact decimal text of a value (for output and messages, never for arithmetic). */
    public static String toPlainString(long a) {
        return new java.math.BigDecimal(BigInteger.valueOf(a)).divide(java.math.BigDecimal.valueOf(ONE))
                .stripTrailingZeros().toPlainString();
    }
}

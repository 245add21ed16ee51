package dev.hypha.incentives.fixed;

import java.math.BigInteger;

/**
 * substrate-fixed's {@code transcendental::exp} for {@code I32F32 -> I32F32}, step for step: a Taylor series of 31
 * terms (i = 2..31) in checked fixed-point arithmetic, the reciprocal for negative inputs, and an error wherever the
 * crate returns {@code Err}. subtensor's {@code exp_safe} clamps the input to [-20, 20] first (see {@link #expSafe}).
 */
public final class Transcendental {
    /** The crate's e: its U2F126 constant shifted to I9F23 ({@code bits >> 103}), widened to 32 fractional bits. */
    static final long E = new BigInteger("ADF85458A2BB4A9AAFDC5620273D3CF1", 16).shiftRight(103).longValueExact() << 9;

    private Transcendental() {}

    /** e^x, or {@link ArithmeticException} where the crate's {@code exp} fails (overflow of a term or the sum). */
    public static long exp(long x) {
        if (x == 0) return I32F32.ONE;
        if (x == I32F32.ONE) return E;
        boolean negative = x < 0;
        if (negative) {
            if (x == I32F32.MIN) throw new ArithmeticException("exp: negation overflow");
            x = -x;
        }
        long result = Math.addExact(x, I32F32.ONE);
        long term = x;
        for (int i = 2; i < I32F32.FRAC_BITS; i++) {
            term = I32F32.checkedMul(term, x);
            // checked_div by the fixed-point integer i is trunc((term · 2^32) / (i · 2^32)) = trunc(term / i): the same
            // rational, so plain long division (toward zero, as Rust's) gives the crate's bits; it cannot overflow
            term = term / i;
            result = Math.addExact(result, term);
        }
        if (negative) result = I32F32.checkedDiv(I32F32.ONE, result);
        return result;
    }

    /** subtensor's {@code exp_safe}: input clamped to [-20, 20]; a failed exp gives 0 (input &lt;= 0) or MAX. */
    public static long expSafe(long input) {
        long min = I32F32.fromInt(-20);
        long max = I32F32.fromInt(20);
        long safe = input < min ? min : Math.min(input, max);
        try {
            return exp(safe);
        } catch (ArithmeticException failed) {
            return safe <= 0 ? 0 : I32F32.MAX;
        }
    }

    /** subtensor's {@code sigmoid_safe}: 1 / (1 + exp_safe(-rho·(input - kappa))). */
    public static long sigmoidSafe(long input, long rho, long kappa) {
        long offset = I32F32.saturatingSub(input, kappa);
        long negRho = I32F32.saturatingMul(rho, I32F32.saturatingNeg(I32F32.ONE));
        long expOutput = expSafe(I32F32.saturatingMul(negRho, offset));
        return I32F32.safeDiv(I32F32.ONE, I32F32.saturatingAdd(expOutput, I32F32.ONE));
    }
}

package dev.hypha.ml.train.int8;

/**
 * Scales an accumulator to the next layer's int8 scale: y = clamp(⌊(acc·multiplier + 2^(shift−1)) / 2^shift⌋, lo, 127)
 * with lo = 0 after a ReLU and −128 otherwise (round half up, then clamp; the ReLU is the clamp's lower bound).
 *
 * <p>The multiplier has 15 bits (2^14 ≤ multiplier < 2^15, relative precision 2^−15, far finer than int8's 2^−7):
 * TFLite uses 31, but a circuit range-checks the product and the dropped remainder, and 15 bits keep those checks to
 * small lookup tables.
 */
public record Requantizer(int multiplier, int shift, boolean relu) {
    static final int MULTIPLIER_BITS = 15;
    static final int MAX_SHIFT = 62;

    public Requantizer {
        if (multiplier < 0 || multiplier >= 1 << MULTIPLIER_BITS) {
            throw new IllegalArgumentException("requantization multiplier must be below 2^15, got " + multiplier);
        }
        if (shift < 0 || shift > MAX_SHIFT) {
            throw new IllegalArgumentException("requantization shift must be 0 to 62, got " + shift);
        }
    }

    /**
     * The multiplier and shift with multiplier·2^−shift closest to {@code real} at 15-bit precision.
     *
     * @throws IllegalArgumentException when real is not a positive number below 2^15 (no int8 layer needs more)
     */
    public static Requantizer approximating(double real, boolean relu) {
        if (!(real > 0) || real >= 1 << MULTIPLIER_BITS) {
            throw new IllegalArgumentException("requantization scale must be in (0, 2^15), got " + real);
        }
        int shift = 0;
        double scaled = real;
        while (scaled < 1 << (MULTIPLIER_BITS - 1) && shift < MAX_SHIFT) {
            scaled *= 2;
            shift++;
        }
        long m = Math.round(scaled);
        if (m == 1 << MULTIPLIER_BITS) { // rounding up crossed the top: one bit less
            m >>= 1;
            shift--;
        }
        return new Requantizer((int) m, shift, relu);
    }

    /** The int8 activation for one accumulator. */
    public int apply(long accumulator) {
        long product = accumulator * multiplier; // |acc| < 2^40 for any layer we accept, so no overflow below 2^55
        long rounded = shift == 0 ? product : (product + (1L << (shift - 1))) >> shift;
        long lo = relu ? 0 : -128;
        return (int) Math.max(lo, Math.min(127, rounded));
    }
}

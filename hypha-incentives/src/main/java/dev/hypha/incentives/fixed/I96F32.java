package dev.hypha.incentives.fixed;

import java.math.BigInteger;

/**
 * The one {@code I96F32} step of the epoch: scaling a normalised {@link I32F32} share by an emission in the smallest
 * unit, {@code I96F32::saturating_from_num(share).saturating_mul(I96F32::saturating_from_num(emission))
 * .saturating_to_num::<u64>()}. Both have 32 fractional bits, so the product's bits are share_bits · emission and the
 * integer part drops the fraction; results saturate at the type's and then u64's bounds.
 */
public final class I96F32 {
    private static final BigInteger I96F32_MAX = BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private I96F32() {}

    /** The share of an emission, in the smallest unit, returned as an unsigned long. */
    public static long shareOf(long shareI32F32, long emissionUnsigned) {
        BigInteger emission = new BigInteger(Long.toUnsignedString(emissionUnsigned));
        BigInteger product = BigInteger.valueOf(shareI32F32).multiply(emission.shiftLeft(32)).shiftRight(32);
        if (product.compareTo(I96F32_MAX) > 0) product = I96F32_MAX;
        BigInteger integer = product.shiftRight(32);
        if (integer.signum() < 0) return 0;
        return integer.compareTo(U64_MAX) > 0 ? -1L : integer.longValue();
    }
}

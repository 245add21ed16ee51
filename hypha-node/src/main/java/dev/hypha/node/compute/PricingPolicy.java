package dev.hypha.node.compute;

import dev.hypha.chain.compute.Resources;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * How a compute provider prices a bid, from the order's resource needs and how busy the provider is: a flat part per
 * hour, plus a rate per core, per GiB of memory and per accelerator the order needs, marked up by
 * {@code busyMarkupBps} while more than half of the provider's job slots are in use, never below {@code minPrice};
 * no bid at all when that comes to more than the order's maximum. A fixed price is the policy with only the flat part.
 *
 * <p>Money is whole token units (BigInteger, no floats). Rounding, once, at the end: the exact price (memory is priced
 * per MiB as {@code perGiBHour / 1024}, the markup as {@code (10000 + bps) / 10000}) is rounded up to the next whole
 * unit, so a provider never bids below its own rates. Pure and deterministic: the same inputs give the same price.
 *
 * @param flatPerHour        units per hour whatever the order needs (the fixed price when the rates are 0)
 * @param perCoreHour        units per hour per core the order needs
 * @param perGiBHour         units per hour per GiB (1024 MiB) of memory the order needs
 * @param perAcceleratorHour units per hour per accelerator the order needs
 * @param minPrice           the least it bids (at least 1: the market takes no free bids)
 * @param busyMarkupBps      added, in basis points of the price (2500 = 25%), while busy; 0 .. {@link #MAX_MARKUP_BPS}
 */
public record PricingPolicy(BigInteger flatPerHour, BigInteger perCoreHour, BigInteger perGiBHour,
                            BigInteger perAcceleratorHour, BigInteger minPrice, int busyMarkupBps) {
    /** The largest amount the market holds (uint96): no rate or price may exceed it. */
    public static final BigInteger MAX_UNITS = BigInteger.ONE.shiftLeft(96).subtract(BigInteger.ONE);
    /** The largest markup: 1000%. */
    public static final int MAX_MARKUP_BPS = 100_000;
    private static final BigInteger MIB_PER_GIB = BigInteger.valueOf(1024);
    private static final BigInteger BPS = BigInteger.valueOf(10_000);

    public PricingPolicy {
        units("flat price per hour", flatPerHour);
        units("price per core-hour", perCoreHour);
        units("price per GiB-hour", perGiBHour);
        units("price per accelerator-hour", perAcceleratorHour);
        units("minimum price", minPrice);
        if (minPrice.signum() == 0) {
            throw new IllegalArgumentException("the minimum price must be at least 1 unit (the market takes no free bids)");
        }
        if (busyMarkupBps < 0 || busyMarkupBps > MAX_MARKUP_BPS) {
            throw new IllegalArgumentException("the busy markup must be 0 .. " + MAX_MARKUP_BPS + " basis points (0 .. 1000%), got "
                    + busyMarkupBps);
        }
    }

    /** The simplest policy: {@code pricePerHour} (at least 1) on every order, busy or not. */
    public static PricingPolicy fixed(BigInteger pricePerHour) {
        return new PricingPolicy(pricePerHour, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, pricePerHour, 0);
    }

    /** Whether the busy markup applies: more than half of {@code maxJobs} slots are in use (bid on, leased or running). */
    public static boolean busy(int inUse, int maxJobs) {
        return 2L * inUse > maxJobs;
    }

    /** What this policy asks per hour for an order needing {@code needs}, before the order's maximum is considered. */
    public BigInteger quote(Resources needs, boolean busy) {
        BigInteger whole = flatPerHour
                .add(perCoreHour.multiply(BigInteger.valueOf(needs.cores())))
                .add(perAcceleratorHour.multiply(BigInteger.valueOf(needs.accelerators())));
        BigInteger perMiBScaled = whole.multiply(MIB_PER_GIB).add(perGiBHour.multiply(BigInteger.valueOf(needs.memoryMiB())));
        BigInteger scaled = perMiBScaled.multiply(BPS.add(BigInteger.valueOf(busy ? busyMarkupBps : 0)));
        BigInteger[] qr = scaled.divideAndRemainder(MIB_PER_GIB.multiply(BPS));
        BigInteger price = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE); // round up, once
        return price.max(minPrice);
    }

    /** The bid for an order: the {@link #quote}, or nothing when that is above the order's maximum price per hour. */
    public Optional<BigInteger> price(Resources needs, BigInteger maxPricePerHour, boolean busy) {
        BigInteger price = quote(needs, busy);
        return price.compareTo(maxPricePerHour) <= 0 ? Optional.of(price) : Optional.empty();
    }

    /** One line for logs and the offer's banner. */
    public String describe() {
        boolean fixed = perCoreHour.signum() == 0 && perGiBHour.signum() == 0 && perAcceleratorHour.signum() == 0;
        StringBuilder b = new StringBuilder();
        if (fixed) {
            b.append(flatPerHour.max(minPrice)).append(" units/hour");
        } else {
            b.append(flatPerHour).append(" + ").append(perCoreHour).append("/core + ").append(perGiBHour).append("/GiB + ")
                    .append(perAcceleratorHour).append("/accelerator units/hour, at least ").append(minPrice);
        }
        if (busyMarkupBps > 0) {
            b.append(", +").append(BigInteger.valueOf(busyMarkupBps).divide(BigInteger.valueOf(100)))
                    .append(busyMarkupBps % 100 == 0 ? "" : "." + String.format(java.util.Locale.ROOT, "%02d", busyMarkupBps % 100))
                    .append("% while more than half the job slots are in use");
        }
        return b.toString();
    }

    private static void units(String what, BigInteger v) {
        Objects.requireNonNull(v, what);
        if (v.signum() < 0 || v.compareTo(MAX_UNITS) > 0) {
            throw new IllegalArgumentException("the " + what + " must be 0 .. 2^96 - 1 units, got " + v);
        }
    }
}

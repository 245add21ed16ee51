package dev.hypha.node.compute;

import dev.hypha.chain.compute.Resources;
import java.math.BigInteger;

/**
 * What a provider sells: a pricing policy (one price per hour, bid on every order whose maximum reaches it) and its
 * capacity (the resources each bid offers, and how many jobs run at once).
 *
 * @param pricePerHour the bid price, in the payment token's smallest units per hour
 * @param capacity     what each job may use: cores (its threads), memory in MiB (its budget), accelerators
 * @param maxJobs      jobs bid on or running at once
 * @param limits       what a spec may ask for
 */
public record ComputeOffer(BigInteger pricePerHour, Resources capacity, int maxJobs, JobLimits limits) {
    public ComputeOffer {
        if (pricePerHour.signum() <= 0 || pricePerHour.bitLength() > 96) {
            throw new IllegalArgumentException("the price per hour must be 1 .. 2^96 - 1 units, got " + pricePerHour);
        }
        if (capacity.cores() < 1 || capacity.memoryMiB() < 1) {
            throw new IllegalArgumentException("a compute offer needs at least one core and 1 MiB of memory");
        }
        if (maxJobs < 1 || maxJobs > 64) {
            throw new IllegalArgumentException("max jobs must be 1..64, got " + maxJobs);
        }
    }

    /** Whether an order's terms are ones this offer bids on. */
    public boolean accepts(Resources needs, BigInteger maxPricePerHour) {
        return capacity.covers(needs) && maxPricePerHour.compareTo(pricePerHour) >= 0;
    }
}

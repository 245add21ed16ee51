package dev.hypha.node.compute;

import dev.hypha.chain.compute.AuditDomain;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider sells: a {@link PricingPolicy}, its capacity (the resources each bid offers, and how many jobs run
 * at once), and auditors' attestations of that capacity, for orders that require one of those auditors.
 *
 * @param pricing      how each bid is priced
 * @param capacity     what each job may use: cores (its threads), memory in MiB (its budget), accelerators
 * @param maxJobs      jobs bid on or running at once
 * @param limits       what a spec may ask for
 * @param attestations at most one per auditor, each of exactly {@code capacity} (see {@link #check})
 */
public record ComputeOffer(PricingPolicy pricing, Resources capacity, int maxJobs, JobLimits limits,
                           List<ResourceAttestation> attestations) {
    public ComputeOffer {
        if (capacity.cores() < 1 || capacity.memoryMiB() < 1) {
            throw new IllegalArgumentException("a compute offer needs at least one core and 1 MiB of memory");
        }
        if (maxJobs < 1 || maxJobs > 64) {
            throw new IllegalArgumentException("max jobs must be 1..64, got " + maxJobs);
        }
        attestations = List.copyOf(attestations);
        Set<Address> auditors = new HashSet<>();
        for (ResourceAttestation a : attestations) {
            if (!auditors.add(a.auditor())) {
                throw new IllegalArgumentException("two attestations from auditor " + a.auditor().toChecksumString()
                        + ": give one (a bid carries one)");
            }
            if (!a.resources().equals(capacity)) {
                throw new IllegalArgumentException(mismatch(a.resources(), capacity));
            }
        }
    }

    /** An offer at one fixed price per hour, without attestations. */
    public ComputeOffer(BigInteger pricePerHour, Resources capacity, int maxJobs, JobLimits limits) {
        this(PricingPolicy.fixed(pricePerHour), capacity, maxJobs, limits, List.of());
    }

    /** The attestation by {@code auditor}, if this offer carries one. */
    public Optional<ResourceAttestation> attestationBy(Address auditor) {
        return attestations.stream().filter(a -> a.auditor().equals(auditor)).findFirst();
    }

    /**
     * Checks that an attestation is one this provider can bid with: for this market, for this provider, signed by
     * its auditor over exactly these terms, not expired at chain time {@code now}.
     *
     * @throws HyphaException (INPUT) naming what is wrong
     */
    public static ResourceAttestation check(ResourceAttestation a, Address self, AuditDomain market, long now) {
        if (a.chainId() != market.chainId() || !a.market().equals(market.market())) {
            throw HyphaException.input("it is for ComputeMarket " + a.market().toChecksumString() + " on chain " + a.chainId()
                    + ", and this provider bids on " + market.market().toChecksumString() + " on chain " + market.chainId());
        }
        if (!a.provider().equals(self)) {
            throw HyphaException.input("it attests provider " + a.provider().toChecksumString() + ", not this provider "
                    + self.toChecksumString());
        }
        if (!a.isSigned()) {
            throw HyphaException.input("its signature is not auditor " + a.auditor().toChecksumString() + "'s over these "
                    + "terms (provider, resources and expiry must be exactly what was signed)");
        }
        if (a.expiresAt() <= now) {
            throw HyphaException.input("it expired at " + Instant.ofEpochSecond(a.expiresAt()) + " (chain time is "
                    + Instant.ofEpochSecond(now) + "); ask the auditor for a new one");
        }
        return a;
    }

    /** Why an attestation of {@code attested} cannot go with an offer of {@code capacity}. */
    private static String mismatch(Resources attested, Resources capacity) {
        StringBuilder b = new StringBuilder();
        over(b, "cores", capacity.cores(), attested.cores());
        over(b, "MiB of memory", capacity.memoryMiB(), attested.memoryMiB());
        over(b, "accelerators", capacity.accelerators(), attested.accelerators());
        String what = "the attestation is of " + attested.cores() + " cores, " + attested.memoryMiB() + " MiB, "
                + attested.accelerators() + " accelerators";
        if (!b.isEmpty()) {
            return "the offer claims more than attested (" + b + "); " + what;
        }
        return what + ", and the offer gives each job " + capacity.cores() + " cores, " + capacity.memoryMiB() + " MiB, "
                + capacity.accelerators() + " accelerators: a bid carrying it states exactly the attested resources (the "
                + "auditor's signature covers them), so offer exactly those (--cores, --memory, --accelerators)";
    }

    private static void over(StringBuilder b, String what, long offered, long attested) {
        if (offered > attested) {
            b.append(b.isEmpty() ? "" : ", ").append(offered).append(' ').append(what).append(" > ").append(attested);
        }
    }
}

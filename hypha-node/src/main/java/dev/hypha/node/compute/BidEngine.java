package dev.hypha.node.compute;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Looks at each new ComputeMarket order once, in id order from a saved cursor, and bids on those the offer can serve:
 * open, still taking bids, the needs within the capacity, the offer's {@link PricingPolicy} price for those needs (with
 * the busy markup when more than half the job slots are in use) at most the order's maximum, not already bid on by this
 * provider, and, when the order names an auditor, an unexpired attestation by that auditor carried by the offer (sent
 * with the bid, which then offers exactly the attested resources). The work per poll is
 * bounded ({@link #MAX_ORDERS_PER_POLL} orders), and nothing is looked at while the provider is at capacity (the
 * cursor waits, so orders posted meanwhile are still considered).
 *
 * <p>Decision: polling order ids rather than following events, because ids count up from 1 with no gaps, so a cursor
 * is the whole state; an order's terms never change after it is posted, so one look is enough.
 */
public final class BidEngine {
    /** Orders looked at per poll. */
    public static final int MAX_ORDERS_PER_POLL = 32;
    /** Bids the contract keeps per order. */
    private static final int MAX_BIDS = 32;

    private final ComputeMarketClient market;
    private final Address self;
    private final ComputeOffer offer;
    private final JobBook book;
    private final Consumer<String> log;

    public BidEngine(ComputeMarketClient market, Address self, ComputeOffer offer, JobBook book, Consumer<String> log) {
        this.market = market;
        this.self = self;
        this.offer = offer;
        this.book = book;
        this.log = log;
    }

    /**
     * Looks at up to {@link #MAX_ORDERS_PER_POLL} new orders while fewer than {@code freeSlots} bids were placed.
     *
     * @param now the chain's time (seconds)
     * @return bids placed
     */
    public int scan(long now, int freeSlots) {
        BigInteger next = market.nextOrderId();
        BigInteger cursor = book.cursor();
        int looked = 0;
        int placed = 0;
        while (cursor.compareTo(next) < 0 && looked < MAX_ORDERS_PER_POLL && placed < freeSlots) {
            int inUse = offer.maxJobs() - freeSlots + placed;
            if (consider(cursor, now, inUse)) {
                placed++;
            }
            cursor = cursor.add(BigInteger.ONE);
            looked++;
        }
        if (looked > 0) {
            book.saveCursor(cursor);
        }
        return placed;
    }

    private boolean consider(BigInteger id, long now, int inUse) {
        ComputeOrder o = market.order(id);
        if (o.state() != OrderState.OPEN || o.bidsCloseAt() <= now) {
            return false;
        }
        Optional<ResourceAttestation> attestation = Optional.empty();
        if (!o.auditor().equals(Address.ZERO)) {
            attestation = offer.attestationBy(o.auditor());
            if (attestation.isEmpty()) {
                log.accept("order " + id + ": skipped, it needs auditor " + o.auditor() + "'s attestation and this offer "
                        + "carries none by it");
                return false;
            }
            if (attestation.get().expiresAt() <= now) {
                log.accept("order " + id + ": skipped, auditor " + o.auditor() + "'s attestation expired at "
                        + java.time.Instant.ofEpochSecond(attestation.get().expiresAt()));
                return false;
            }
        }
        if (!offer.capacity().covers(o.needs())) {
            log.accept("order " + id + ": skipped (needs " + o.needs() + "; offer " + offer.capacity() + ")");
            return false;
        }
        boolean busy = PricingPolicy.busy(inUse, offer.maxJobs());
        Optional<BigInteger> price = offer.pricing().price(o.needs(), o.maxPricePerHour(), busy);
        if (price.isEmpty()) {
            log.accept("order " + id + ": skipped (pays at most " + o.maxPricePerHour() + "/h; this offer asks "
                    + offer.pricing().quote(o.needs(), busy) + "/h for it" + (busy ? ", busy" : "") + ")");
            return false;
        }
        if (o.bidCount() >= MAX_BIDS || book.get(id).isPresent()) {
            return false;
        }
        for (ComputeBid b : market.bids(id)) {
            if (b.provider().equals(self)) {
                return false;
            }
        }
        book.put(JobRecord.bid(id)); // recorded before it is sent: a restart follows it either way
        try {
            if (attestation.isPresent()) {
                ResourceAttestation a = attestation.get();
                market.bid(id, price.get(), a.resources(), a.signature().toBytes(), a.expiresAt());
            } else {
                market.bid(id, price.get(), offer.capacity(), new byte[0], 0);
            }
        } catch (ChainException e) {
            book.remove(id);
            log.accept("order " + id + ": bid refused: " + e.getMessage());
            return false;
        }
        log.accept("order " + id + ": bid " + price.get() + "/h" + (busy ? " (busy markup)" : "")
                + attestation.map(a -> " with auditor " + a.auditor() + "'s attestation").orElse(""));
        return true;
    }
}

package dev.hypha.node.compute;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.function.Consumer;

/**
 * Looks at each new ComputeMarket order once, in id order from a saved cursor, and bids the offer's price on those the
 * offer can serve: open, still taking bids, no auditor required (this provider carries no attestation), the maximum
 * price at least the offer's, the needs within the capacity, not already bid on by this provider. The work per poll is
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
            if (consider(cursor, now)) {
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

    private boolean consider(BigInteger id, long now) {
        ComputeOrder o = market.order(id);
        if (o.state() != OrderState.OPEN || o.bidsCloseAt() <= now) {
            return false;
        }
        if (!o.auditor().equals(Address.ZERO)) {
            log.accept("order " + id + ": skipped, it needs auditor " + o.auditor() + "'s attestation");
            return false;
        }
        if (!offer.accepts(o.needs(), o.maxPricePerHour())) {
            log.accept("order " + id + ": skipped (needs " + o.needs() + " at most " + o.maxPricePerHour() + "/h; offer "
                    + offer.capacity() + " at " + offer.pricePerHour() + "/h)");
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
            market.bid(id, offer.pricePerHour(), offer.capacity(), new byte[0], 0);
        } catch (ChainException e) {
            book.remove(id);
            log.accept("order " + id + ": bid refused: " + e.getMessage());
            return false;
        }
        log.accept("order " + id + ": bid " + offer.pricePerHour() + "/h");
        return true;
    }
}

package dev.hypha.node.offers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Another source's offers, read again only when the last read is older than {@code maxAge}: routing reads the offers
 * on every request, and the chain-backed source costs several calls per read. When a refresh fails the last good list
 * is kept (offers carry their own expiry, so stale entries still lapse) and the failure is logged.
 */
public final class RefreshingOffers implements OfferSource {
    private static final System.Logger LOG = System.getLogger(RefreshingOffers.class.getName());

    private final OfferSource source;
    private final Duration maxAge;
    private final Clock clock;
    private List<Offer> offers;
    private Instant readAt = Instant.MIN;

    public RefreshingOffers(OfferSource source, Duration maxAge, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized List<Offer> offers() {
        Instant now = clock.instant();
        if (offers == null || !now.isBefore(readAt.plus(maxAge))) {
            try {
                offers = List.copyOf(source.offers());
                readAt = now;
            } catch (RuntimeException e) {
                if (offers == null) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "cannot refresh the network's offers, keeping the last list: "
                        + e.getMessage());
            }
        }
        return offers;
    }
}

package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What the gateway has seen of each provider: answers, failures and time to first token (an exponentially weighted
 * average). A provider that just failed sits out a cool-down, doubled with each failure in a row (capped), so a dead
 * provider is skipped until its offer lapses on chain, and one that recovers gets traffic again.
 */
public final class ProviderStats {
    private static final Duration FIRST_COOL_DOWN = Duration.ofSeconds(5);
    private static final Duration MAX_COOL_DOWN = Duration.ofMinutes(5);
    /** Weight of the newest latency sample. */
    private static final double ALPHA = 0.3;

    /** One provider's record. */
    public record Record(long answers, long failures, int failuresInARow, Instant coolsDownAt, long latencyNanos) {
        static final Record NEW = new Record(0, 0, 0, Instant.MIN, 0);

        /** Share of requests that failed, 0 when none was sent yet. */
        public double failureRate() {
            long all = answers + failures;
            return all == 0 ? 0 : (double) failures / all;
        }
    }

    private final Map<Address, Record> records = new HashMap<>();

    public synchronized Record of(Address provider) {
        return records.getOrDefault(provider, Record.NEW);
    }

    public synchronized void answered(Address provider, long firstTokenNanos) {
        Record r = of(provider);
        long latency = r.latencyNanos() == 0 ? firstTokenNanos
                : Math.round(ALPHA * firstTokenNanos + (1 - ALPHA) * r.latencyNanos());
        records.put(provider, new Record(r.answers() + 1, r.failures(), 0, Instant.MIN, latency));
    }

    public synchronized void failed(Address provider, Instant now) {
        Record r = of(provider);
        int inARow = Math.min(r.failuresInARow() + 1, 16);
        Duration coolDown = FIRST_COOL_DOWN.multipliedBy(1L << Math.min(inARow - 1, 10));
        if (coolDown.compareTo(MAX_COOL_DOWN) > 0) {
            coolDown = MAX_COOL_DOWN;
        }
        records.put(provider, new Record(r.answers(), r.failures() + 1, inARow, now.plus(coolDown), r.latencyNanos()));
    }
}

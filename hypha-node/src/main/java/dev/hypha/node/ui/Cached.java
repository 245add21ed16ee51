package dev.hypha.node.ui;

import dev.hypha.core.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value re-read at most once per {@code maxAge}, so any number of open pages polling the dashboard cost the chain
 * and the files one read per interval. A failed read is not kept: the next call tries again.
 */
final class Cached<T> implements Supplier<T> {
    private final Supplier<T> source;
    private final Duration maxAge;
    private final TimeSource clock;
    private T value;
    private Instant readAt;

    Cached(Supplier<T> source, Duration maxAge, TimeSource clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Forgets the value: the next {@link #get()} reads again (when the caller knows the source changed). */
    synchronized void invalidate() {
        value = null;
    }

    @Override
    public synchronized T get() {
        Instant now = clock.now();
        if (value == null || !now.isBefore(readAt.plus(maxAge))) {
            value = Objects.requireNonNull(source.get(), "a dashboard source returned null");
            readAt = now;
        }
        return value;
    }
}

package dev.hypha.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Simulated time for tests and simulations: time moves only when {@link #advance} is called or when someone
 * sleeps, and a sleep returns at once after moving the clock forward by its duration. Thread-safe.
 */
public final class ManualTimeSource implements TimeSource {
    private final Instant origin;
    private long elapsedNanos;
    private long sleeps;

    /** Starts at {@code origin} on the wall clock (the monotonic clock starts at 0). */
    public ManualTimeSource(Instant origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    @Override
    public synchronized long nanoTime() {
        return elapsedNanos;
    }

    @Override
    public synchronized Instant now() {
        return origin.plusNanos(elapsedNanos);
    }

    /** Moves the clock forward by {@code duration} at once; interrupted threads still see the interrupt. */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
        synchronized (this) {
            sleeps++;
            if (duration.isPositive()) {
                elapsedNanos = Math.addExact(elapsedNanos, duration.toNanos());
            }
        }
    }

    /** Moves the clock forward. */
    public synchronized void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time cannot go back: " + duration);
        }
        elapsedNanos = Math.addExact(elapsedNanos, duration.toNanos());
    }

    /** How many times someone slept on this source. */
    public synchronized long sleeps() {
        return sleeps;
    }

    /** Total time elapsed since creation. */
    public synchronized Duration elapsed() {
        return Duration.ofNanos(elapsedNanos);
    }
}

package dev.hypha.core.time;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff without jitter: attempt 1 waits {@code initial}, each later one twice the one before,
 * never more than {@code max}. Deterministic on purpose, so tests and simulations see the same waits; callers that
 * need spreading across many clients add their own jitter.
 *
 * @param initial the first wait (> 0)
 * @param max the longest wait (>= initial)
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (!initial.isPositive()) {
            throw new IllegalArgumentException("initial backoff must be > 0, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below the initial " + initial);
        }
    }

    /** The wait after failed attempt {@code attempt} (1-based). */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, was " + attempt);
        }
        Duration d = initial;
        for (int i = 1; i < attempt && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Sleeps on {@code time} for the wait after attempt {@code attempt}. */
    public void sleep(TimeSource time, int attempt) throws InterruptedException {
        time.sleep(delay(attempt));
    }
}

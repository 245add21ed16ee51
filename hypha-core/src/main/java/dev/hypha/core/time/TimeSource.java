package dev.hypha.core.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The one way Hypha reads time and waits: a monotonic clock for deadlines and intervals, the wall clock for
 * timestamps people read, and a sleep. Injected through constructors so that tests and simulations decide what
 * time it is and how long a wait takes.
 */
public interface TimeSource {

    /** The system's clocks and a real sleep. */
    TimeSource SYSTEM = new TimeSource() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration);
        }

        @Override
        public String toString() {
            return "TimeSource.SYSTEM";
        }
    };

    /** Monotonic nanoseconds from an arbitrary origin (only differences mean anything), as {@link System#nanoTime}. */
    long nanoTime();

    /** Wall-clock time (may jump; never use it for deadlines). */
    Instant now();

    /** Waits {@code duration} (nothing for zero or negative). */
    void sleep(Duration duration) throws InterruptedException;

    /** A deadline {@code timeout} from now on this source's monotonic clock. */
    default Deadline deadline(Duration timeout) {
        return new Deadline(this, Math.addExact(nanoTime(), timeout.toNanos()));
    }

    /** A point on a {@link TimeSource}'s monotonic clock. */
    record Deadline(TimeSource time, long nanos) {
        /** Whether the deadline has passed. */
        public boolean passed() {
            return time.nanoTime() - nanos > 0;
        }

        /** Time left (zero once passed). */
        public Duration remaining() {
            long left = nanos - time.nanoTime();
            return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
        }
    }
}

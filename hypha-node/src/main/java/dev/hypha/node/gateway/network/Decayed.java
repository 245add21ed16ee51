package dev.hypha.node.gateway.network;

import java.time.Duration;
import java.time.Instant;

/**
 * A sum of weights that halves every {@code halfLife}: evidence that counts less as it ages. Pure and deterministic:
 * the value at a time depends only on the weights added, their times and that time ({@link StrictMath}, no clock read).
 *
 * @param value the sum as of {@code at}
 * @param at    when {@code value} was last brought up to date
 */
record Decayed(double value, Instant at) {
    static final Decayed NONE = new Decayed(0, Instant.EPOCH);

    /** The sum as it stands at {@code now} (a {@code now} before {@link #at} is taken as {@link #at}: no growth). */
    double at(Instant now, Duration halfLife) {
        if (value == 0 || !now.isAfter(at)) {
            return value;
        }
        double halfLives = Duration.between(at, now).toMillis() / (double) halfLife.toMillis();
        return value * StrictMath.pow(0.5, halfLives);
    }

    /** This sum with {@code weight} added at {@code when}. */
    Decayed plus(double weight, Instant when, Duration halfLife) {
        if (when.isBefore(at)) { // an older event (replayed out of order): decay it to our time instead
            return new Decayed(value + new Decayed(weight, when).at(at, halfLife), at);
        }
        return new Decayed(at(when, halfLife) + weight, when);
    }
}

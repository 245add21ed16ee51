package dev.hypha.node.ui;

import dev.hypha.core.time.TimeSource;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The second step of every action that spends: a quote hands out a random one-time code bound to exactly what it
 * showed, and only that code, within {@link #LIFETIME}, does it, once (the code is removed before the action runs,
 * even if it then fails). At most {@link #MAX_HELD} quotes are held per action; older ones are dropped (a page asks
 * again). One mechanism for every action (channel funding, training orders), so each gets the same rules.
 *
 * @param <T> what a code confirms
 */
final class PendingConfirmations<T> {
    static final Duration LIFETIME = Duration.ofMinutes(2);
    static final int MAX_HELD = 32;

    private record Held<T>(T what, Instant expires) {}

    private final TimeSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Held<T>> held = new LinkedHashMap<>();

    PendingConfirmations(TimeSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Holds {@code what} and returns the code that confirms it. */
    String issue(T what) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        String code = HexFormat.of().formatHex(b);
        synchronized (held) {
            dropExpired();
            while (held.size() >= MAX_HELD) {
                Iterator<String> oldest = held.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            held.put(code, new Held<>(what, clock.now().plus(LIFETIME)));
        }
        return code;
    }

    /**
     * What {@code code} confirms, removed so it cannot confirm again.
     *
     * @throws ActionRefused 400 for an unknown, used or expired code
     */
    T take(String code) {
        Held<T> h;
        synchronized (held) {
            dropExpired();
            h = held.remove(code);
        }
        if (h == null) {
            throw new ActionRefused(400, "no such confirmation code, or it expired (" + LIFETIME.toSeconds()
                    + " s) or was used: ask for the cost again");
        }
        return h.what();
    }

    private void dropExpired() {
        Instant now = clock.now();
        held.values().removeIf(q -> !now.isBefore(q.expires()));
    }
}

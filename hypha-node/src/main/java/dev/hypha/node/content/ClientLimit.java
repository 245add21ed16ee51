package dev.hypha.node.content;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How many requests may be in flight at once: at most {@code perClient} from one client address and {@code total}
 * over all. A refused request costs nothing but the check; the map holds only clients with requests in flight, so
 * many addresses cannot make it grow beyond {@code total} entries.
 */
final class ClientLimit {
    private final int perClient;
    private final Semaphore total;
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    ClientLimit(int perClient, int total) {
        if (perClient < 1 || total < perClient) {
            throw new IllegalArgumentException("limits must be 1 <= perClient <= total, were " + perClient + ", " + total);
        }
        this.perClient = perClient;
        this.total = new Semaphore(total);
    }

    /** Takes a place for {@code client}; false (and nothing taken) when it or everyone together is at the limit. */
    boolean enter(String client) {
        if (!total.tryAcquire()) {
            return false;
        }
        boolean[] admitted = {false};
        inFlight.compute(client, (c, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perClient) return n;
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            total.release();
        }
        return admitted[0];
    }

    /** Gives back a place {@link #enter} gave {@code client}. */
    void leave(String client) {
        inFlight.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
        total.release();
    }

    /** Clients with requests in flight. */
    int clients() {
        return inFlight.size();
    }
}

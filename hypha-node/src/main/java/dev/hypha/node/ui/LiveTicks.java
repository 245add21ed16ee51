package dev.hypha.node.ui;

import dev.hypha.core.time.TimeSource;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Live updates for open pages, as server-sent events: a {@code tick} event (JSON: block, newest receipt, model and
 * offer counts, alerts) whenever it changes, checked every {@link #EVERY}, and a comment otherwise (so a closed page
 * is noticed and its slot freed). Each page holds a virtual thread; the tick itself is computed once per interval for
 * all of them ({@link Cached}). At most {@link #MAX_CLIENTS} pages at once; beyond, a page gets an {@code error} event
 * and falls back to reloading data when it is shown.
 */
final class LiveTicks implements AutoCloseable {
    static final int MAX_CLIENTS = 16;
    static final Duration EVERY = Duration.ofSeconds(2);

    private final Supplier<String> tick;
    private final TimeSource clock;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    private volatile boolean closed;

    /** @param tick the current state as one line of JSON (already cached by the caller) */
    LiveTicks(Supplier<String> tick, TimeSource clock) {
        this.tick = Objects.requireNonNull(tick, "tick");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void serve(SseClient client) {
        if (!slots.tryAcquire()) {
            client.sendEvent("error", "{\"error\":\"too many live dashboard pages (at most " + MAX_CLIENTS
                    + "); close one\"}");
            client.close();
            return;
        }
        try {
            String last = null;
            while (!closed && !client.terminated()) {
                String now;
                try {
                    now = tick.get();
                } catch (RuntimeException e) {
                    now = "{\"error\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(
                            "cannot read the node's state: " + e.getMessage()) + "}";
                }
                if (!now.equals(last)) {
                    client.sendEvent("tick", now);
                    last = now;
                } else {
                    client.sendComment("unchanged");
                }
                clock.sleep(EVERY);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            slots.release();
        }
    }

    /** Ends every page's stream at its next check. */
    @Override
    public void close() {
        closed = true;
    }
}

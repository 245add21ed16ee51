package dev.hypha.node;

import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.node.health.HealthProbe;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.metrics.NodeMetrics;
import java.time.InstantSource;
import java.util.Objects;

/**
 * One Hypha node, wired by hand (no DI framework): metrics, health, the HTTP API. Start with {@link #start()},
 * stop with {@link #close()}. The chain client belongs to the caller and stays open.
 */
public final class Node implements AutoCloseable {

    private final NodeMetrics metrics;
    private final ApiServer api;
    private boolean started;
    private boolean closed;

    public Node(NodeSettings settings, ChainClient chain, InstantSource clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(clock, "clock");
        this.metrics = new NodeMetrics();
        HealthProbe health = new HealthProbe(chain, () -> null, metrics, clock);
        this.api = new ApiServer(settings, health, metrics);
    }

    /** Starts serving the HTTP API. */
    public synchronized Node start() {
        if (started) {
            throw new IllegalStateException("node already started");
        }
        started = true;
        api.start();
        return this;
    }

    /** The port the HTTP API listens on. */
    public int apiPort() {
        return api.port();
    }

    /** The node's metrics (for components that add their own). */
    public NodeMetrics metrics() {
        return metrics;
    }

    /** Stops the HTTP API and releases the metrics. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.close();
        metrics.close();
    }
}

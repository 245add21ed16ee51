package dev.hypha.node;

import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.Position;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.health.HealthProbe;
import dev.hypha.node.health.HealthRoutes;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.metrics.MetricsRoutes;
import dev.hypha.node.metrics.NodeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Objects;

/**
 * One Hypha node, wired by hand (no DI framework): metrics, health, the HTTP API and the event indexer following the
 * contracts. Start with {@link #start()}, stop with {@link #close()}. The chain client belongs to the caller and
 * stays open.
 */
public final class Node implements AutoCloseable {

    /** How often the indexer asks the chain for new blocks. */
    static final Duration INDEX_INTERVAL = Duration.ofSeconds(1);

    private final NodeMetrics metrics;
    private final ApiServer api;
    private final Optional<EventIndexer> indexer;
    private boolean started;
    private boolean closed;

    /** A node without an event indexer (no contracts to follow yet) and no other areas. */
    public Node(NodeSettings settings, ChainClient chain, TimeSource clock) {
        this(settings, chain, Optional.empty(), List.of(), clock);
    }

    /**
     * @param indexer the indexer following the contracts; the node starts it, reports it in /health and /metrics,
     *                and closes it
     * @param areas   routes of the areas this node runs (gateway, provider...), served beside /health and /metrics
     */
    public Node(NodeSettings settings, ChainClient chain, Optional<EventIndexer> indexer, List<ApiRoutes> areas,
                TimeSource clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(clock, "clock");
        this.indexer = Objects.requireNonNull(indexer, "indexer");
        this.metrics = new NodeMetrics();
        indexer.ifPresent(metrics::bindIndexer);
        Supplier<Long> indexed = () -> indexer.flatMap(EventIndexer::position).map(Position::blockNumber).orElse(null);
        List<ApiRoutes> routes = new ArrayList<>();
        routes.add(new HealthRoutes(new HealthProbe(chain, indexed, metrics, clock)));
        if (settings.metricsEnabled()) {
            routes.add(new MetricsRoutes(metrics));
        }
        routes.addAll(areas);
        this.api = new ApiServer(settings.host(), settings.port(), routes);
    }

    /** Starts serving the HTTP API. */
    public synchronized Node start() {
        if (started) {
            throw new IllegalStateException("node already started");
        }
        started = true;
        api.start();
        indexer.ifPresent(i -> i.start(INDEX_INTERVAL));
        return this;
    }

    /** The port the HTTP API listens on. */
    public int apiPort() {
        return api.port();
    }

    /** The event indexer the node runs, if any. */
    public Optional<EventIndexer> indexer() {
        return indexer;
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
        try {
            api.close();
        } finally {
            indexer.ifPresent(EventIndexer::close);
            metrics.close();
        }
    }
}

package dev.hypha.node.metrics;

import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.Position;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's Prometheus registry: JVM and process metrics plus the node's own (chain head, RPC errors, indexer
 * progress). Names follow Prometheus conventions once rendered ({@code hypha_rpc_errors_total}, ...).
 */
public final class NodeMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Counter rpcErrors;
    private final AtomicLong chainHead = new AtomicLong(-1);

    public NodeMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        rpcErrors = Counter.builder("hypha.rpc.errors")
                .description("JSON-RPC calls that failed (unreachable node, timeouts, error answers)")
                .register(registry);
        registry.gauge("hypha.chain.head.block", chainHead);
    }

    /**
     * Exposes an event indexer's progress: last indexed block, events stored, and its RPC failures. Read at scrape
     * time from the indexer itself, so the numbers are never stale or double-counted.
     */
    public void bindIndexer(EventIndexer indexer) {
        Gauge.builder("hypha.indexer.block", indexer, i -> i.position().map(Position::blockNumber).orElse(-1L))
                .description("Last block the event indexer has processed (-1 before the first)")
                .register(registry);
        Gauge.builder("hypha.indexer.events", indexer, EventIndexer::eventCount)
                .description("Contract events stored by the indexer")
                .register(registry);
        FunctionCounter.builder("hypha.indexer.rpc.errors", indexer, EventIndexer::rpcErrors)
                .description("Indexer polls that failed (node unreachable, reorg races)")
                .register(registry);
    }

    /** The registry, for components that register their own meters (the indexer). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Counts one failed RPC call. */
    public void rpcError() {
        rpcErrors.increment();
    }

    /** Records the latest block the chain reported. */
    public void chainHead(long block) {
        chainHead.set(block);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}

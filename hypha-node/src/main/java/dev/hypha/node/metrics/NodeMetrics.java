package dev.hypha.node.metrics;

import io.micrometer.core.instrument.Counter;
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

package dev.hypha.node.health;

import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.metrics.NodeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/** Asks the chain (and the indexer, when one runs) how things stand, for {@code GET /health}. */
public final class HealthProbe {

    private final ChainClient chain;
    private final Supplier<Long> indexerPosition;
    private final NodeMetrics metrics;
    private final TimeSource clock;
    private final Instant startedAt;

    /**
     * @param chain           the RPC the node follows
     * @param indexerPosition last indexed block, or null while none is known; {@code () -> null} without an indexer
     * @param metrics         where RPC failures and the chain head are recorded
     * @param clock           time source for the uptime
     */
    public HealthProbe(ChainClient chain, Supplier<Long> indexerPosition, NodeMetrics metrics, TimeSource clock) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.indexerPosition = Objects.requireNonNull(indexerPosition, "indexerPosition");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startedAt = clock.now();
    }

    /** Checks now. Never throws: an unreachable chain is reported as {@code degraded} with the reason. */
    public HealthReport check() {
        long uptime = Math.max(0, Duration.between(startedAt, clock.now()).toSeconds());
        Long indexed = indexerPosition.get();
        try {
            long chainId = chain.chainId();
            long block = chain.blockNumber();
            metrics.chainHead(block);
            return new HealthReport(HealthReport.OK, chainId, block, indexed, uptime, null);
        } catch (RuntimeException e) {
            metrics.rpcError();
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new HealthReport(HealthReport.DEGRADED, null, null, indexed, uptime,
                    "chain RPC " + chain.url() + " failed: " + reason.lines().findFirst().orElse(""));
        }
    }
}

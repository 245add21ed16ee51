package dev.hypha.node.metrics;

import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import java.util.Objects;

/** {@code GET /metrics}: the node's meters in Prometheus text format. */
public final class MetricsRoutes implements ApiRoutes {

    /** Content type Prometheus scrapers expect for the text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final NodeMetrics metrics;

    public MetricsRoutes(NodeMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape()));
    }
}

package dev.hypha.node.http;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.NodeSettings;
import dev.hypha.node.health.HealthProbe;
import dev.hypha.node.health.HealthReport;
import dev.hypha.node.metrics.NodeMetrics;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import java.util.Objects;

/**
 * The node's HTTP API on {@code api.listen}: {@code GET /health} (JSON) and {@code GET /metrics} (Prometheus text).
 * Later areas (gateway, provider) add their routes here.
 */
public final class ApiServer implements AutoCloseable {

    /** Content type Prometheus scrapers expect for the text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final NodeSettings settings;
    private final Javalin app;

    public ApiServer(NodeSettings settings, HealthProbe health, NodeMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
        });
        app.get("/health", ctx -> {
            HealthReport report = health.check();
            ctx.status(report.healthy() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
        });
        if (settings.metricsEnabled()) {
            app.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape()));
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws HyphaException (INPUT) naming the address and the setting when it cannot be bound (port taken,
     *                        unknown host)
     */
    public void start() {
        try {
            app.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            throw HyphaException.input("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                    + rootMessage(e) + " (stop what uses it, or set api.listen / HYPHA_API_LISTEN to a free host:port)", e);
        }
    }

    /** The bound port (the real one when the settings asked for 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

package dev.hypha.node.health;

import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import java.util.Objects;

/** {@code GET /health}: the probe's report as JSON, 200 when healthy and 503 when degraded. */
public final class HealthRoutes implements ApiRoutes {
    private final HealthProbe probe;

    public HealthRoutes(HealthProbe probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/health", ctx -> {
            HealthReport report = probe.check();
            ctx.status(report.healthy() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
        });
    }
}

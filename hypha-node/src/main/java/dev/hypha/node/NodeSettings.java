package dev.hypha.node;

import java.util.Objects;

/**
 * What the node needs to know to start its HTTP API (the CLI builds it from the {@code api.listen} and
 * {@code metrics.enabled} settings, which hypha-core parses).
 *
 * @param host           interface to bind (for example {@code 127.0.0.1})
 * @param port           TCP port; 0 picks a free one (tests)
 * @param metricsEnabled whether {@code /metrics} is served
 */
public record NodeSettings(String host, int port, boolean metricsEnabled) {

    public NodeSettings {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("api host must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("api port must be 0..65535, got " + port);
        }
    }
}

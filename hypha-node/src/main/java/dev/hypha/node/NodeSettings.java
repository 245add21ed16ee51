package dev.hypha.node;

import java.util.Objects;

/**
 * What the node needs to know to start its HTTP API.
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

    /**
     * Parses an {@code api.listen} value such as {@code 127.0.0.1:11434} or {@code [::1]:8080}.
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static NodeSettings parseListen(String listen, boolean metricsEnabled) {
        Objects.requireNonNull(listen, "listen");
        int colon = listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            throw badListen(listen);
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String portText = listen.substring(colon + 1);
        if (host.isBlank() || !portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
            throw badListen(listen);
        }
        int port = Integer.parseInt(portText);
        if (port > 65_535) {
            throw badListen(listen);
        }
        return new NodeSettings(host, port, metricsEnabled);
    }

    private static IllegalArgumentException badListen(String listen) {
        return new IllegalArgumentException(
                "api.listen '" + listen + "' is not HOST:PORT (expected for example 127.0.0.1:11434)");
    }
}

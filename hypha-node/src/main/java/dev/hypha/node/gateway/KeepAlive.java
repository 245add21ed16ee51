package dev.hypha.node.gateway;

import java.time.Duration;
import java.util.Optional;

/**
 * How long a model stays loaded after a request: Ollama's {@code keep_alive}.
 *
 * @param duration how long; {@link Duration#ZERO} unloads after the request; empty keeps it loaded for ever
 */
public record KeepAlive(Optional<Duration> duration) {
    /** Ollama's default: five minutes. */
    public static final KeepAlive DEFAULT = of(Duration.ofMinutes(5));
    public static final KeepAlive FOREVER = new KeepAlive(Optional.empty());

    public KeepAlive {
        duration.ifPresent(d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("a keep-alive duration must not be negative (use FOREVER): " + d);
            }
        });
    }

    public static KeepAlive of(Duration d) {
        return new KeepAlive(Optional.of(d));
    }

    public boolean unloadNow() {
        return duration.map(Duration::isZero).orElse(false);
    }
}

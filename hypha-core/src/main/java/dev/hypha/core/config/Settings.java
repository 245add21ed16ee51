package dev.hypha.core.config;

import dev.hypha.core.crypto.Address;
import java.net.URI;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every setting Hypha knows, with its parser and default. To add one, add a constant and list it in {@link #ALL}. */
public final class Settings {
    private Settings() {}

    /** What defaults may depend on: the user's home folder (so tests need not touch the real one). */
    public record Context(Path userHome) {}

    public static final Setting<Path> HOME = new Setting<>("home", Setting.Kind.STRING, "a folder path",
            Settings::path, c -> c.userHome().resolve(".hypha"), "folder for keys, chain state and data");
    public static final Setting<URI> RPC_URL = new Setting<>("rpc.url", Setting.Kind.STRING, "an http(s):// or ws(s):// URL",
            Settings::rpcUrl, c -> URI.create("http://127.0.0.1:8545"), "JSON-RPC endpoint of the EVM chain");
    public static final Setting<Long> CHAIN_ID = new Setting<>("chain.id", Setting.Kind.INTEGER, "a positive chain id",
            Settings::positiveLong, c -> null, "expected chain id (checked against the RPC endpoint when set)");
    public static final Setting<Address> ACCOUNT = new Setting<>("account", Setting.Kind.STRING, "0x + 40 hex digits",
            Address::parse, c -> null, "default account address");
    public static final Setting<HostPort> API_LISTEN = new Setting<>("api.listen", Setting.Kind.STRING, "host:port",
            HostPort::parse, c -> new HostPort("127.0.0.1", 11434), "address of the local Ollama/OpenAI-compatible API");
    public static final Setting<Boolean> METRICS_ENABLED = new Setting<>("metrics.enabled", Setting.Kind.BOOLEAN,
            "true or false", Settings::bool, c -> true, "serve Prometheus metrics at /metrics");
    public static final Setting<String> LOG_LEVEL = new Setting<>("log.level", Setting.Kind.STRING,
            "one of error, warn, info, debug, trace", Settings::logLevel, c -> "info", "log verbosity");
    public static final Setting<Integer> DEVNET_PORT = new Setting<>("devnet.port", Setting.Kind.INTEGER,
            "a port number 1-65535", Settings::port, c -> 8545, "port of the local anvil chain started by `hypha up`");
    public static final Setting<Integer> DEVNET_STATE_INTERVAL = new Setting<>("devnet.state-interval-seconds",
            Setting.Kind.INTEGER, "whole seconds, 1 or more", Settings::positiveInt, c -> 5,
            "how often anvil writes its state file (at most this much is lost on a crash)");
    public static final Setting<Long> TX_MAX_FEE_GWEI = new Setting<>("tx.max-fee-gwei", Setting.Kind.INTEGER,
            "whole gwei, 1 or more", Settings::positiveLong, c -> 500L,
            "the most any transaction offers per gas; above it a transaction is refused, not sent");

    /** All settings, sorted by key. */
    public static final List<Setting<?>> ALL = List.<Setting<?>>of(HOME, RPC_URL, CHAIN_ID, ACCOUNT, API_LISTEN,
            METRICS_ENABLED, LOG_LEVEL, DEVNET_PORT, DEVNET_STATE_INTERVAL, TX_MAX_FEE_GWEI).stream()
            .sorted(Comparator.comparing(Setting::key)).toList();

    private static final Map<String, Setting<?>> BY_KEY =
            ALL.stream().collect(Collectors.toUnmodifiableMap(Setting::key, Function.identity()));

    /** The setting with this key, if Hypha has one. */
    public static Optional<Setting<?>> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** A host and port, e.g. {@code 127.0.0.1:11434}. */
    public record HostPort(String host, int port) {
        public HostPort {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("empty host");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        }

        /** Parses {@code host:port}; IPv6 hosts in brackets ({@code [::1]:8080}). */
        public static HostPort parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("no port");
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            return new HostPort(host, Settings.port(text.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static Path path(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("empty path");
        return Path.of(text);
    }

    static URI rpcUrl(String text) {
        URI uri = URI.create(text);
        String scheme = uri.getScheme();
        if (scheme == null || !List.of("http", "https", "ws", "wss").contains(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an RPC URL");
        }
        return uri;
    }

    static long positiveLong(String text) {
        long value = Long.parseLong(text);
        if (value <= 0) throw new IllegalArgumentException("not positive");
        return value;
    }

    static int positiveInt(String text) {
        int value = Integer.parseInt(text);
        if (value <= 0) throw new IllegalArgumentException("not positive");
        return value;
    }

    static int port(String text) {
        int value = Integer.parseInt(text);
        if (value < 1 || value > 65535) throw new IllegalArgumentException("port out of range");
        return value;
    }

    static boolean bool(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    static String logLevel(String text) {
        String level = text.toLowerCase(java.util.Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new IllegalArgumentException("unknown level");
        }
        return level;
    }
}

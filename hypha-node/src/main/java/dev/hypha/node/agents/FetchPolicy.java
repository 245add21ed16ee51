package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.core.errors.HyphaException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an agent's {@code http_fetch} tool may go and how much it may take ({@code "fetch"} in the spec):
 * <pre>{@code "fetch": {"hosts": ["api.example.com", "127.0.0.1:21595"], "maxBytes": 65536, "timeoutSeconds": 10,
 *            "redirects": 2}}</pre>
 * Each host is an exact name or IP literal (no wildcards), with an optional port. A URL is allowed only when its host
 * and port equal an entry's: https (port 443 unless the entry names one) for every host, plain http (port 80 unless
 * named) only for a loopback host listed as such ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}), since
 * anything else sent in clear can be read and rewritten on the way.
 *
 * @param hosts        the allowed hosts
 * @param maxBytes     the largest body read (a longer one is refused, not cut: half a JSON document misleads)
 * @param timeout      how long one fetch may take in all, redirects included
 * @param maxRedirects redirects followed, each only to an allowed host (0: none)
 */
public record FetchPolicy(List<Host> hosts, int maxBytes, Duration timeout, int maxRedirects) {
    /** Most hosts one spec may allow. */
    public static final int MAX_HOSTS = 32;
    /** Body size when the spec says nothing, and the most it may allow. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;
    public static final int MAX_MAX_BYTES = 1 << 20;
    /** Seconds per fetch when the spec says nothing, and the most it may allow. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 10;
    public static final int MAX_TIMEOUT_SECONDS = 60;
    /** Redirects when the spec says nothing, and the most it may allow. */
    public static final int DEFAULT_REDIRECTS = 2;
    public static final int MAX_REDIRECTS = 5;

    /** A DNS name (letters, digits, '-', '.'), an IPv4 literal, or an IPv6 literal in brackets; then maybe a port. */
    private static final Pattern ENTRY = Pattern.compile(
            "(?<host>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\\[[0-9a-f:.]{2,45}])(?::(?<port>[0-9]{1,5}))?");

    /**
     * One allowed host.
     *
     * @param host     lower case; an IPv6 literal keeps its brackets
     * @param port     the port named, if any
     * @param loopback whether the entry itself names this machine (then plain http and loopback addresses are allowed)
     */
    public record Host(String host, Optional<Integer> port, boolean loopback) {
        public Host {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(port, "port");
        }

        /** Whether {@code scheme://host:port} is this entry. */
        boolean allows(String scheme, String urlHost, int urlPort) {
            if (!host.equals(urlHost) || (scheme.equals("http") && !loopback)) {
                return false;
            }
            return urlPort == port.orElse(scheme.equals("https") ? 443 : 80);
        }

        @Override
        public String toString() {
            return host + port.map(p -> ":" + p).orElse("");
        }
    }

    public FetchPolicy {
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The entry that allows {@code url}.
     *
     * @throws HyphaException INPUT naming why it is not allowed
     */
    public Host check(URI url) {
        String scheme = Optional.ofNullable(url.getScheme()).map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw HyphaException.input("'" + AgentLog.quote(url.toString()) + "' is not an http(s) URL");
        }
        if (url.getRawUserInfo() != null) {
            throw HyphaException.input("'" + AgentLog.quote(url.toString()) + "' carries user info; not sent");
        }
        String host = Optional.ofNullable(url.getHost()).map(h -> h.toLowerCase(Locale.ROOT)).orElse("");
        if (host.isEmpty()) {
            throw HyphaException.input("'" + AgentLog.quote(url.toString()) + "' names no host");
        }
        int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        for (Host h : hosts) {
            if (h.allows(scheme, host, port)) {
                return h;
            }
        }
        boolean listed = hosts.stream().anyMatch(h -> h.host().equals(host));
        throw HyphaException.input(scheme + "://" + AgentLog.quote(host) + ":" + port + " is not on the fetch allowlist "
                + hosts + (listed && scheme.equals("http") ? " (plain http only for a loopback host)" : ""));
    }

    /** Reads {@code "fetch"} of a spec; {@code where} names the spec in errors. */
    static FetchPolicy parse(String where, JsonNode f) {
        String at = "agent spec " + where + ": fetch";
        if (!f.isObject()) {
            throw HyphaException.input(at + " must be an object with hosts (and maybe maxBytes, timeoutSeconds, redirects)");
        }
        JsonNode hs = f.path("hosts");
        if (!hs.isArray() || hs.isEmpty() || hs.size() > MAX_HOSTS) {
            throw HyphaException.input(at + ".hosts must list 1.." + MAX_HOSTS + " host names (host or host:port)");
        }
        List<Host> hosts = new ArrayList<>();
        for (JsonNode h : hs) {
            if (!h.isTextual()) {
                throw HyphaException.input(at + ".hosts entries must be strings (host or host:port)");
            }
            hosts.add(host(at, h.textValue()));
        }
        return new FetchPolicy(hosts, bounded(at, f, "maxBytes", 1, MAX_MAX_BYTES, DEFAULT_MAX_BYTES),
                Duration.ofSeconds(bounded(at, f, "timeoutSeconds", 1, MAX_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS)),
                bounded(at, f, "redirects", 0, MAX_REDIRECTS, DEFAULT_REDIRECTS));
    }

    private static Host host(String at, String entry) {
        String e = entry.strip().toLowerCase(Locale.ROOT);
        if (e.contains("/") || e.contains("@")) {
            throw HyphaException.input(at + ".hosts entry '" + AgentLog.quote(entry) + "' must be a host or host:port, not"
                    + " a URL (https is implied; plain http only for loopback)");
        }
        if (e.contains("*")) {
            throw HyphaException.input(at + ".hosts entry '" + AgentLog.quote(entry) + "': wildcards are not allowed;"
                    + " list each host exactly");
        }
        Matcher m = ENTRY.matcher(e);
        if (!m.matches()) {
            throw HyphaException.input(at + ".hosts entry '" + AgentLog.quote(entry) + "' is not a host name, IPv4 or"
                    + " [IPv6] literal with an optional :port");
        }
        Optional<Integer> port = Optional.ofNullable(m.group("port")).map(Integer::parseInt);
        if (port.isPresent() && (port.get() < 1 || port.get() > 65_535)) {
            throw HyphaException.input(at + ".hosts entry '" + AgentLog.quote(entry) + "': port must be 1..65535");
        }
        String host = m.group("host");
        return new Host(host, port, isLoopbackName(host));
    }

    /** Names that mean this machine without asking DNS: {@code localhost}, 127.0.0.0/8 and ::1 literals. */
    static boolean isLoopbackName(String host) {
        return host.equals("localhost") || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}")
                || host.equals("[::1]") || host.equals("[0:0:0:0:0:0:0:1]");
    }

    private static int bounded(String at, JsonNode f, String field, int min, int max, int dflt) {
        JsonNode v = f.path(field);
        if (v.isMissingNode()) {
            return dflt;
        }
        if (!v.isInt() || v.intValue() < min || v.intValue() > max) {
            throw HyphaException.input(at + "." + field + " must be a whole number " + min + ".." + max);
        }
        return v.intValue();
    }
}

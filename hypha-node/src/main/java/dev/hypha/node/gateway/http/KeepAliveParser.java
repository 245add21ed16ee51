package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.KeepAlive;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ollama's {@code keep_alive}: a Go duration string ("5m", "1h30m", "300ms", "-1m"), a number of seconds, a
 * negative value (stay loaded) or 0 (unload after the reply).
 */
public final class KeepAliveParser {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    /** Longest keep-alive that is still a time: beyond this it is "for ever" anyway. */
    private static final Duration LONGEST = Duration.ofDays(365 * 100L);

    private KeepAliveParser() {
    }

    public static KeepAlive parse(ObjectNode body) {
        JsonNode n = body.get("keep_alive");
        if (n == null || n.isNull()) {
            return KeepAlive.DEFAULT;
        }
        if (n.isNumber()) {
            return ofSeconds(n.doubleValue(), n.toString());
        }
        if (!n.isTextual()) {
            throw Fields.wrongType("keep_alive", "a duration such as \"5m\" or a number of seconds", n);
        }
        String s = n.textValue().strip();
        if (NUMBER.matcher(s).matches()) {
            return ofSeconds(Double.parseDouble(s), s);
        }
        boolean negative = s.startsWith("-");
        String rest = negative || s.startsWith("+") ? s.substring(1) : s;
        Matcher m = PART.matcher(rest);
        double nanos = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            nanos += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
            at = m.end();
        }
        if (rest.isEmpty() || at != rest.length()) {
            throw GatewayException.badRequest("keep_alive must be a duration such as \"5m\", \"1h30m\" or \"-1\", or a "
                    + "number of seconds; got \"" + s + "\"");
        }
        if (negative && nanos > 0) {
            return KeepAlive.FOREVER;
        }
        return nanos >= LONGEST.toNanos() ? KeepAlive.FOREVER : KeepAlive.of(Duration.ofNanos((long) nanos));
    }

    private static KeepAlive ofSeconds(double seconds, String text) {
        if (!Double.isFinite(seconds)) {
            throw GatewayException.badRequest("keep_alive must be finite, got " + text);
        }
        if (seconds < 0) {
            return KeepAlive.FOREVER;
        }
        return seconds * 1e9 >= LONGEST.toNanos() ? KeepAlive.FOREVER
                : KeepAlive.of(Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static double unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> throw new IllegalStateException(unit);
        };
    }
}

package dev.hypha.node.http;

import java.util.regex.Pattern;

/**
 * Which {@code Host} headers name this machine in a way no one else can re-point. DNS rebinding works by making a name
 * the attacker controls resolve first to its own server (which serves a page) and then to 127.0.0.1: the page's
 * requests then reach the node with {@code Host: attacker.example}, and its Origin matches its Host. An IP address
 * literal, {@code localhost} and names under {@code .localhost} (RFC 6761: always loopback, resolved by the client
 * itself) cannot be made to do that.
 */
public final class HostHeader {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern LOCALHOST_LABELS = Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*localhost\\.?",
            Pattern.CASE_INSENSITIVE);

    private HostHeader() {
    }

    /** Whether {@code hostHeader} ({@code host[:port]}) is an IP literal, localhost or a name under .localhost. */
    public static boolean unrebindable(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty() || hostHeader.length() > 255) {
            return false;
        }
        String name = hostHeader;
        int colon = hostHeader.lastIndexOf(':');
        if (colon >= 0 && hostHeader.indexOf(']', colon) < 0) {
            if (!PORT.matcher(hostHeader.substring(colon + 1)).matches()) {
                return false;
            }
            name = hostHeader.substring(0, colon);
        }
        return LOCALHOST_LABELS.matcher(name).matches() || IPV4.matcher(name).matches() || IPV6.matcher(name).matches();
    }

    /** {@code s} cut to 64 characters, for messages that quote a client's header. */
    public static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}

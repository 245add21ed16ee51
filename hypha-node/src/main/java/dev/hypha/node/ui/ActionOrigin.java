package dev.hypha.node.ui;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a request to a spending action under {@code /ui/api/actions/} may have come from this node's own page. A
 * browser sends {@code Origin} with every POST, so a page of another site is refused by comparing it with {@code Host}.
 * That comparison alone does not stop DNS rebinding: a name the attacker controls first resolves to its own server,
 * then to this node's address, and its page's Origin and Host then match. On loopback no API key stands in the way, so
 * the host must also be a name no one can rebind: an IP address literal or {@code localhost}. (A node reached by
 * another name beyond loopback is refused here; its page is opened by address to fund channels.)
 */
final class ActionOrigin {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    private ActionOrigin() {
    }

    /** Why {@code origin} (null when the client sent none) and {@code host} may not act, or empty when they may. */
    static Optional<String> refusal(String origin, String host) {
        if (host == null || !unrebindable(host)) {
            return Optional.of("actions are accepted only on this node's IP address or localhost, not on the name '"
                    + shorten(host) + "' (a page of another site could make that name point here: open the dashboard"
                    + " by IP address)");
        }
        if (origin != null && !(origin.equals("http://" + host) || origin.equals("https://" + host))) {
            return Optional.of("actions are accepted only from this node's own page (Origin " + shorten(origin) + ")");
        }
        return Optional.empty();
    }

    /** {@code host[:port]} where host is an IP literal or localhost. */
    private static boolean unrebindable(String hostHeader) {
        String name = hostHeader;
        int colon = hostHeader.lastIndexOf(':');
        if (colon >= 0 && hostHeader.indexOf(']', colon) < 0) {
            if (!PORT.matcher(hostHeader.substring(colon + 1)).matches()) return false;
            name = hostHeader.substring(0, colon);
        }
        return name.equalsIgnoreCase("localhost") || IPV4.matcher(name).matches() || IPV6.matcher(name).matches();
    }

    private static String shorten(String s) {
        if (s == null) return "";
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}

package dev.hypha.node.ui;

import dev.hypha.node.http.HostHeader;
import java.util.Optional;

/**
 * Whether a request to a spending action under {@code /ui/api/actions/} may have come from this node's own page. A
 * browser sends {@code Origin} with every POST, so a page of another site is refused by comparing it with {@code Host}.
 * That comparison alone does not stop DNS rebinding: a name the attacker controls first resolves to its own server,
 * then to this node's address, and its page's Origin and Host then match. On loopback no API key stands in the way, so
 * the host must also be a name no one can rebind: an IP address literal or {@code localhost}. (A node reached by
 * another name beyond loopback is refused here; its page is opened by address to fund channels.)
 */
final class ActionOrigin {
    private ActionOrigin() {
    }

    /** Why {@code origin} (null when the client sent none) and {@code host} may not act, or empty when they may. */
    static Optional<String> refusal(String origin, String host) {
        if (host == null || !HostHeader.unrebindable(host)) {
            return Optional.of("actions are accepted only on this node's IP address or localhost, not on the name '"
                    + HostHeader.shorten(host) + "' (a page of another site could make that name point here: open the dashboard"
                    + " by IP address)");
        }
        if (origin != null && !(origin.equals("http://" + host) || origin.equals("https://" + host))) {
            return Optional.of("actions are accepted only from this node's own page (Origin " + HostHeader.shorten(origin) + ")");
        }
        return Optional.empty();
    }
}

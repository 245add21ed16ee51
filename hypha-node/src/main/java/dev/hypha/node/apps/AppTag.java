package dev.hypha.node.apps;

import dev.hypha.node.gateway.GatewayException;
import java.util.OptionalLong;

/**
 * The app a gateway request is made for: the {@code X-Hypha-App} header, bound to the request's thread by the gateway's
 * before-handler (set for every request, so a pooled thread never carries an earlier request's tag) and read by the
 * backend when it buys the answer. Decision: a thread binding rather than a field of every call record, because the tag
 * is about billing, not generation, and the Javalin handlers run a request on one thread from before to after.
 */
public final class AppTag {
    /** The request header naming the app (its AppRewards id, a decimal number). */
    public static final String HEADER = "X-Hypha-App";
    /** Longest header value looked at (a uint256 has 78 digits; longer is refused without parsing). */
    static final int MAX_LENGTH = 78;
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private AppTag() {}

    /** Binds the header's raw value (null or blank: no app) to this thread until {@link #clear}. */
    public static void set(String headerValue) {
        if (headerValue == null || headerValue.isBlank()) {
            CURRENT.remove();
        } else {
            CURRENT.set(headerValue.strip());
        }
    }

    public static void clear() {
        CURRENT.remove();
    }

    /**
     * The app id this thread's request is tagged with; empty when untagged.
     *
     * @throws GatewayException BAD_REQUEST naming the header when its value is not an app id
     */
    public static OptionalLong current() {
        String raw = CURRENT.get();
        if (raw == null) {
            return OptionalLong.empty();
        }
        if (raw.length() > MAX_LENGTH || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw GatewayException.badRequest(HEADER + " must be an app id (a decimal number), not \""
                    + dev.hypha.core.text.TerminalText.line(raw.substring(0, Math.min(raw.length(), 80))) + "\"");
        }
        try {
            return OptionalLong.of(Long.parseLong(raw));
        } catch (NumberFormatException e) {
            throw GatewayException.badRequest(HEADER + " " + raw + " is not a published app (ids are below 2^63)");
        }
    }
}

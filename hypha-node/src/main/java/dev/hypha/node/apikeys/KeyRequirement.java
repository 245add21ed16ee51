package dev.hypha.node.apikeys;

import dev.hypha.core.errors.HyphaException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * When a gateway must ask for API keys, and the keys it then checks: beyond loopback always (anyone who reaches the
 * address could otherwise spend the user's models and money), on loopback only when asked. One rule for
 * {@code hypha gateway} and the node {@code hypha up} starts.
 */
public final class KeyRequirement {
    private KeyRequirement() {}

    /** Whether clients of a gateway listening on {@code host} must send a key. */
    public static boolean applies(String host, boolean forced) {
        return forced || !isLoopback(host);
    }

    /** Whether every address {@code host} resolves to is a loopback address. */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw HyphaException.input("cannot resolve the listen host " + host + ": " + e.getMessage());
        }
    }

    /**
     * The keys of {@code home} to check, refusing when none is active: a check without a key would turn every client
     * away, and starting anyway would hide that.
     *
     * @param where the listen address, for the message
     * @throws HyphaException INPUT naming {@code hypha apikey create} when there is no active key
     */
    public static ApiKeys openActive(Path home, String where) {
        Path file = ApiKeys.file(home);
        ApiKeys keys = ApiKeys.open(file);
        if (!keys.anyActive()) {
            keys.close();
            throw HyphaException.input("refusing to listen on " + where + " with API keys required: " + file
                    + " has no active key. Create one with `hypha apikey create NAME` and give it to your clients.");
        }
        return keys;
    }
}

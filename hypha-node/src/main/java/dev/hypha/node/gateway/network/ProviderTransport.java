package dev.hypha.node.gateway.network;

import dev.hypha.node.apikeys.KeyRequirement;
import dev.hypha.node.gateway.remote.ProviderHttp;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.transport.ProviderTls;
import java.net.http.HttpClient;
import java.time.Clock;

/**
 * How the gateway reaches an offer's provider: over TLS whose certificate the provider's registered signing key vouches
 * for ({@link ProviderTls}), so neither a proxy nor an impostor reads prompts or forges answers; plain HTTP only to a
 * provider on this machine (loopback), where there is no one in between.
 */
public final class ProviderTransport {
    private ProviderTransport() {}

    /** Whether prompts may be sent to this offer's endpoint at all. */
    public static boolean usable(Offer offer) {
        String scheme = offer.endpoint().getScheme();
        String host = offer.endpoint().getHost();
        return "https".equals(scheme) || ("http".equals(scheme) && host != null && isLoopback(host));
    }

    /**
     * The client that buys answers from one provider (blocking, see {@link ProviderHttp} for why), trusting only a
     * certificate bound to its signing key (https endpoints).
     */
    public static ProviderHttp answersClientFor(Offer offer, long chainId, Clock clock) {
        if ("https".equals(offer.endpoint().getScheme())) {
            return ProviderHttp.tls(ProviderTls.clientContext(offer.signingKey(), chainId, offer.provider(), clock));
        }
        requireUsable(offer);
        return ProviderHttp.plain();
    }

    /**
     * A client for one provider's other routes (model blocks for pulls), trusting only a certificate bound to its
     * signing key (https endpoints).
     */
    public static HttpClient clientFor(Offer offer, long chainId, Clock clock) {
        if ("https".equals(offer.endpoint().getScheme())) {
            return ProviderTls.clientBuilder(offer.signingKey(), chainId, offer.provider(), clock)
                    .connectTimeout(ProviderHttp.CONNECT_TIMEOUT).build();
        }
        requireUsable(offer);
        return HttpClient.newBuilder().connectTimeout(ProviderHttp.CONNECT_TIMEOUT).build();
    }

    private static void requireUsable(Offer offer) {
        if (!usable(offer)) {
            throw new IllegalArgumentException("refusing plain HTTP to " + offer.endpoint() + ": not on this machine");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return KeyRequirement.isLoopback(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (RuntimeException unresolvable) {
            return false;
        }
    }
}

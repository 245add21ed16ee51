package dev.hypha.node.gateway.remote;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client the gateway buys answers with: a blocking one (Apache HttpClient 5 classic) with a small pool of kept
 * connections per provider.
 *
 * <p>Why not {@code java.net.http}, which the rest of the node uses: an answer streams one NDJSON line per token, and
 * {@code java.net.http} reads every piece on its selector thread and hands it to the reading thread, a thread wake-up
 * per token and per request on top of the engine's own work. The blocking client reads the socket on the thread that
 * relays the answer, so the gateway's per-request and per-token cost is only the parse and the write (see
 * bench/README.md, "Gateway and payment overhead").
 *
 * <p>Over TLS the context's trust manager decides: it accepts only a certificate bound to the provider's registered key
 * (see {@code transport.ProviderTls}), so the host name check is left out on purpose; an endpoint's name proves nothing
 * here, the binding does.
 */
public final class ProviderHttp implements AutoCloseable {
    /** How long connecting to a provider may take, for answers and for its other routes alike. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a provider may stay silent (before its headers, or between two lines), as for an upstream engine. */
    private static final Timeout IDLE_TIMEOUT = Timeout.of(UpstreamHttp.DEFAULT_IDLE);
    /** Connections kept per provider: one channel takes turns, so one is busy at a time; the rest serve failover. */
    private static final int CONNECTIONS_PER_PROVIDER = 8;

    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient client;

    private ProviderHttp(PoolingHttpClientConnectionManagerBuilder pool) {
        this.connections = pool
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(CONNECT_TIMEOUT))
                        .setSocketTimeout(IDLE_TIMEOUT).setTimeToLive(TimeValue.ofMinutes(10)).build())
                .setMaxConnPerRoute(CONNECTIONS_PER_PROVIDER).setMaxConnTotal(4 * CONNECTIONS_PER_PROVIDER).build();
        this.client = HttpClients.custom().setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(IDLE_TIMEOUT).build())
                // A paid post is never repeated behind the payer's back: a retry would be a second request under one
                // voucher. Failover is NetworkBackend's decision, with what was delivered.
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement()
                .disableContentCompression().disableAuthCaching().evictExpiredConnections()
                .evictIdleConnections(TimeValue.ofMinutes(1)).build();
    }

    /** Plain HTTP: only for a provider on this machine (see {@code gateway.network.ProviderTransport}). */
    public static ProviderHttp plain() {
        return new ProviderHttp(PoolingHttpClientConnectionManagerBuilder.create());
    }

    /** TLS 1.3 with {@code context}, whose trust manager accepts only the provider's bound certificate. */
    public static ProviderHttp tls(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new ProviderHttp(PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(context).setTlsVersions(TLS.V_1_3)
                        .setHostnameVerifier(NoopHostnameVerifier.INSTANCE).buildClassic()));
    }

    CloseableHttpClient client() {
        return client;
    }

    /** Connections in use and kept for reuse, over all providers. */
    PoolStats connections() {
        return connections.getTotalStats();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // closing sockets of a client nobody uses any more: nothing to recover
        }
    }
}

package dev.hypha.node.http;

import dev.hypha.core.errors.HyphaException;
import io.javalin.Javalin;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The node's HTTP API on {@code api.listen}, serving the routes its areas contribute: plain HTTP, or HTTPS (TLS 1.3
 * only) with a given {@link SSLContext}, such as the provider's from {@code dev.hypha.node.transport.ProviderTls}.
 */
public final class ApiServer implements AutoCloseable {

    private final String host;
    private final int port;
    private final boolean secure;
    private final Javalin app;

    /**
     * A plain HTTP server.
     *
     * @param host  interface to bind
     * @param port  TCP port; 0 picks a free one
     * @param areas the routes to serve, added in this order
     */
    public ApiServer(String host, int port, List<ApiRoutes> areas) {
        this(host, port, areas, null);
    }

    /**
     * An HTTPS server when {@code tls} is given (TLS 1.3 only, the certificate being whatever the context's key
     * manager presents), else the plain HTTP server of {@link #ApiServer(String, int, List)}.
     *
     * @param tls the server's TLS context, or {@code null} for plain HTTP
     */
    public ApiServer(String host, int port, List<ApiRoutes> areas, SSLContext tls) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.secure = tls != null;
        this.app = Javalin.create(config -> {
            if (tls != null) {
                config.jetty.addConnector((server, http) -> tlsConnector(server, http, tls));
            }
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            // A request waiting for its model's turn (the gateway queues up to 512) parks a virtual thread, not one
            // of Jetty's ~200 platform threads, so the queue limit, not the thread pool, decides when to answer 503.
            config.useVirtualThreads = true;
        });
        for (ApiRoutes area : List.copyOf(areas)) {
            area.addTo(app);
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws HyphaException (INPUT) naming the address and the setting when it cannot be bound (port taken,
     *                        unknown host)
     */
    public void start() {
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            throw HyphaException.input("cannot listen on " + host + ":" + port + ": "
                    + rootMessage(e) + " (stop what uses it, or set api.listen / HYPHA_API_LISTEN to a free host:port)", e);
        }
    }

    /** Whether this server speaks HTTPS. */
    public boolean secure() {
        return secure;
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /**
     * Jetty's TLS connector over {@code tls}. With a connector of our own Javalin adds no plain one, so host and port
     * are set here. The SNI host check is off: a provider's certificate names no host (clients check its key binding).
     */
    private Connector tlsConnector(Server server, HttpConfiguration http, SSLContext tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls);
        ssl.setIncludeProtocols("TLSv1.3");
        http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

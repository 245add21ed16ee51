package dev.hypha.node.http;

import dev.hypha.core.errors.HyphaException;
import io.javalin.Javalin;
import java.util.List;
import java.util.Objects;

/** The node's HTTP API on {@code api.listen}, serving the routes its areas contribute. */
public final class ApiServer implements AutoCloseable {

    private final String host;
    private final int port;
    private final Javalin app;

    /**
     * @param host  interface to bind
     * @param port  TCP port; 0 picks a free one
     * @param areas the routes to serve, added in this order
     */
    public ApiServer(String host, int port, List<ApiRoutes> areas) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.app = Javalin.create(config -> {
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

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

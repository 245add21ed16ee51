package dev.hypha.node.agents;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 with the pages the fetch tests need: text, JSON, a body larger than a limit (with
 * and without Content-Length), an image, a server that never answers and one that trickles its body (both held until
 * {@link #close()}), redirects (to {@code /hello}, or to any URL given as the query), and a 402. Counts hits per path.
 */
final class LoopbackPages implements AutoCloseable {
    static final int BIG = 10_000;
    private final HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    LoopbackPages() throws IOException {
        this("127.0.0.1", 0);
    }

    /** Pages on {@code host}:{@code port} (0: any free port), e.g. a second server on 127.0.0.2 at the same port. */
    LoopbackPages(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        try (x) {
            switch (path) {
                case "/hello" -> send(x, 200, "text/plain; charset=utf-8", "hello".getBytes(StandardCharsets.UTF_8));
                case "/json" -> send(x, 200, "application/json", "{\"price\":42}".getBytes(StandardCharsets.UTF_8));
                case "/big" -> send(x, 200, "text/plain", new byte[BIG]);
                case "/big-chunked" -> {
                    x.getResponseHeaders().set("Content-Type", "text/plain");
                    x.sendResponseHeaders(200, 0);
                    try (OutputStream o = x.getResponseBody()) {
                        for (int i = 0; i < BIG / 100; i++) {
                            o.write(new byte[100]);
                        }
                    }
                }
                case "/png" -> send(x, 200, "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});
                case "/slow" -> {
                    await();
                    send(x, 200, "text/plain", "late".getBytes(StandardCharsets.UTF_8));
                }
                case "/trickle" -> {
                    x.getResponseHeaders().set("Content-Type", "text/plain");
                    x.sendResponseHeaders(200, 0);
                    OutputStream o = x.getResponseBody();
                    o.write('a');
                    o.flush();
                    await();
                }
                case "/to-hello" -> redirect(x, "/hello");
                case "/to" -> redirect(x, x.getRequestURI().getRawQuery());
                case "/pay" -> send(x, 402, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
                default -> send(x, 404, "text/plain", "no such page".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void await() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void redirect(HttpExchange x, String to) throws IOException {
        x.getResponseHeaders().set("Location", to);
        x.sendResponseHeaders(302, -1);
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, body.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(body);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}

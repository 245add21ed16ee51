package dev.hypha.chain.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A JSON-RPC proxy on loopback in front of a real node, misbehaving the way networks and public RPC
 * providers do: a {@link Rule} sees each call and the node's answer and decides what the client gets.
 */
public final class RpcProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the client gets for one call. */
    public sealed interface Answer {
        /** An HTTP 200 with this JSON body. */
        record Body(byte[] json) implements Answer {}

        /** An HTTP status without a body (e.g. 502). */
        record Status(int code) implements Answer {}

        /** The connection ends with no answer at all. */
        record Dropped() implements Answer {}

        /** No answer until the proxy closes (a node that hangs). */
        record Stalled() implements Answer {}
    }

    /** Decides the answer to one call; {@code upstream} forwards the call to the real node. */
    @FunctionalInterface
    public interface Rule {
        Answer answer(JsonNode call, Upstream upstream) throws IOException;
    }

    /** Forwards a call to the real node. */
    @FunctionalInterface
    public interface Upstream {
        byte[] forward() throws IOException;
    }

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CountDownLatch firstStall = new CountDownLatch(1);

    public RpcProxy(String upstream, Rule rule) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] request = exchange.getRequestBody().readAllBytes();
                Answer answer = rule.answer(JSON.readTree(request), () -> forward(upstream, request));
                switch (answer) {
                    case Answer.Body(byte[] json) -> {
                        exchange.getResponseHeaders().add("Content-Type", "application/json");
                        exchange.sendResponseHeaders(200, json.length);
                        exchange.getResponseBody().write(json);
                    }
                    case Answer.Status(int code) -> exchange.sendResponseHeaders(code, -1);
                    case Answer.Dropped() -> { } // closed below without response headers
                    case Answer.Stalled() -> {
                        firstStall.countDown();
                        closed.await();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** Every call forwarded unchanged except where {@code rule} says otherwise. */
    public static Answer forwarded(Upstream upstream) throws IOException {
        return new Answer.Body(upstream.forward());
    }

    /** A JSON-RPC error answer to {@code call}. */
    public static Answer error(JsonNode call, int code, String message) {
        return new Answer.Body(("{\"jsonrpc\":\"2.0\",\"id\":" + call.path("id") + ",\"error\":{\"code\":" + code
                + ",\"message\":" + JSON.valueToTree(message) + "}}").getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a node's answer (to rewrite it). */
    public static JsonNode parse(byte[] json) throws IOException {
        return JSON.readTree(json);
    }

    /** Serialises a rewritten answer. */
    public static byte[] bytes(JsonNode json) throws IOException {
        return JSON.writeValueAsBytes(json);
    }

    private byte[] forward(String upstream, byte[] request) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(upstream)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Waits until a call has been stalled. */
    public void awaitStall() throws InterruptedException {
        firstStall.await();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        http.close();
    }
}

package dev.hypha.chain.indexer;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JSON-RPC proxy on loopback in front of a real node that, like public RPC providers, answers
 * eth_getLogs over more than {@code maxBlocks} blocks with an error; everything else is forwarded.
 */
final class RangeCappedRpcProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger refused = new AtomicInteger();

    RangeCappedRpcProxy(String upstream, long maxBlocks) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] request = exchange.getRequestBody().readAllBytes();
            JsonNode call = JSON.readTree(request);
            JsonNode filter = call.path("params").path(0);
            byte[] answer;
            if (call.path("method").asText().equals("eth_getLogs")
                    && Long.decode(filter.path("toBlock").asText()) - Long.decode(filter.path("fromBlock").asText()) >= maxBlocks) {
                refused.incrementAndGet();
                answer = ("{\"jsonrpc\":\"2.0\",\"id\":" + call.path("id") + ",\"error\":{\"code\":-32005,"
                        + "\"message\":\"block range too large, max " + maxBlocks + "\"}}").getBytes(StandardCharsets.UTF_8);
            } else {
                answer = forward(upstream, request);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
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

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        server.stop(0);
        http.close();
    }
}

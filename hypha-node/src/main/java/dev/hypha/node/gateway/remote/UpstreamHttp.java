package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.http.JsonBody;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * HTTP to an upstream engine a provider sells (Ollama's API or an OpenAI-compatible one), with the bounds every call
 * needs: the headers within the idle time, then never longer than the idle time without a byte
 * ({@link IdleTimeoutBody}), whole JSON answers at most {@link JsonBody#MAX_BYTES}, and the upstream's errors kept as
 * their kind (400 stays BAD_REQUEST, 404 NOT_FOUND, 503 OVERLOADED, the rest INTERNAL) with its message quoted.
 */
final class UpstreamHttp implements AutoCloseable {
    /** How long an engine may stay silent (before its headers, or between two pieces of its answer). */
    static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

    private final URI base;
    private final Duration idle;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    UpstreamHttp(URI base, Duration idle) {
        String s = Objects.requireNonNull(base, "base").toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        if (!"http".equals(this.base.getScheme()) && !"https".equals(this.base.getScheme())) {
            throw new IllegalArgumentException("the upstream must be an http(s) URL, was " + base);
        }
        this.idle = Objects.requireNonNull(idle, "idle");
    }

    URI base() {
        return base;
    }

    /** How errors name the engine. */
    String name() {
        return "the upstream engine at " + base;
    }

    JsonNode get(String path) {
        return json(send(HttpRequest.newBuilder(URI.create(base + path)).GET()));
    }

    JsonNode post(String path, byte[] body) {
        return json(postStreaming(path, body));
    }

    /** Posts {@code body}; the answer's body is left to read (and close), bounded in time by the idle limit. */
    HttpResponse<InputStream> postStreaming(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** The whole answer as JSON, after checking its status. */
    JsonNode json(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            byte[] bytes = in.readNBytes(JsonBody.MAX_BYTES + 1);
            if (r.statusCode() != 200) {
                throw error(r.statusCode(), bytes);
            }
            if (bytes.length > JsonBody.MAX_BYTES) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, name() + " answered more than "
                        + JsonBody.MAX_BYTES + " bytes");
            }
            return JsonBody.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, name() + " sent an unreadable answer: "
                    + e.getMessage(), e);
        }
    }

    /** Throws the upstream's error when {@code r} is not a 200 (reading at most 4 KiB of it). */
    void requireOk(HttpResponse<InputStream> r) throws IOException {
        if (r.statusCode() != 200) {
            try (InputStream in = r.body()) {
                throw error(r.statusCode(), in.readNBytes(4096));
            }
        }
    }

    private HttpResponse<InputStream> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(idle).build(), IdleTimeoutBody.handler(idle, name()));
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, name() + " is unreachable or did not answer: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(GatewayException.Kind.INTERNAL, "interrupted while asking " + name(), e);
        }
    }

    /** The upstream's own error, with its status: 404 stays NOT_FOUND, 400 BAD_REQUEST, the rest INTERNAL. */
    GatewayException error(int status, byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        GatewayException.Kind kind = switch (status) {
            case 400 -> GatewayException.Kind.BAD_REQUEST;
            case 404 -> GatewayException.Kind.NOT_FOUND;
            case 503 -> GatewayException.Kind.OVERLOADED;
            default -> GatewayException.Kind.INTERNAL;
        };
        return new GatewayException(kind, name() + " answered " + status + ": " + text);
    }

    @Override
    public void close() {
        http.close();
    }
}

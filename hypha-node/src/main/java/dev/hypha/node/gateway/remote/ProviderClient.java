package dev.hypha.node.gateway.remote;

import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ReceiptHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP to one provider's paid routes: posts a body (with a payment header when paying) and hands back the status, the
 * payment headers and the body as a stream, which the caller reads bounded and closes (closing early aborts the
 * connection, which is how the provider learns that its client left and stops generating).
 */
final class ProviderClient implements AutoCloseable {
    private final URI base;
    private final HttpClient client;

    /** What came back; close it when done (or to abandon the answer). */
    record Exchange(int status, String paymentRequired, String receipt, InputStream body) implements AutoCloseable {
        /** Most bytes read past an answer's end to keep its connection (an honest provider sends none). */
        static final long DRAIN_LIMIT = 64 * 1024;

        /** The whole body, at most {@link JsonBody#MAX_BYTES}. */
        byte[] readAll(URI from) {
            try (InputStream in = body) {
                byte[] bytes = in.readNBytes(JsonBody.MAX_BYTES + 1);
                if (bytes.length > JsonBody.MAX_BYTES) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "provider " + from + " answered more than "
                            + JsonBody.MAX_BYTES + " bytes");
                }
                return bytes;
            } catch (IOException e) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, "provider " + from + " broke off its answer: "
                        + e.getMessage(), e);
            }
        }

        /**
         * The body as an error text for messages, cut short: the {@code error} field of an Ollama-shaped error body (what
         * Hypha's provider sends), else the body itself.
         */
        String error(URI from) {
            byte[] bytes = readAll(from);
            String s = new String(bytes, StandardCharsets.UTF_8);
            try {
                com.fasterxml.jackson.databind.JsonNode error = JsonBody.parse(bytes).get("error");
                if (error != null && error.isTextual()) {
                    s = error.textValue();
                }
            } catch (GatewayException e) {
                // not JSON: the text as it came
            }
            return s.length() > 300 ? s.substring(0, 300) + "..." : s;
        }

        /**
         * Reads what is left of the body (at most {@value #DRAIN_LIMIT} bytes) and closes it. A body read to its end
         * lets the HTTP client keep the connection for the next request; closing one that is not at its end aborts the
         * connection (a new TCP connection, and over TLS a new handshake, for the next request).
         */
        void finish() {
            try (InputStream in = body) {
                long left = DRAIN_LIMIT;
                byte[] scratch = new byte[8192];
                int n;
                while (left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) >= 0) {
                    left -= n;
                }
            } catch (IOException ignored) {
                // the exchange is over either way; a broken connection is simply not reused
            }
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException ignored) {
                // abandoning the answer: nothing more to do
            }
        }
    }

    ProviderClient(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** With the client to connect through (e.g. one whose TLS trusts only the provider's registered key). */
    ProviderClient(URI base, HttpClient client) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.client = client;
    }

    URI base() {
        return base;
    }

    Exchange post(boolean chat, byte[] body, String paymentSignature) {
        return post(chat ? "chat" : "generate", body, paymentSignature);
    }

    /** @param route the paid route after {@code /provider/v1/api/}: chat, generate or embed */
    Exchange post(String route, byte[] body, String paymentSignature) {
        URI uri = URI.create(base + "/provider/v1/api/" + route);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (paymentSignature != null) {
            b.header(PaymentHeaders.PAYMENT_SIGNATURE, paymentSignature);
        }
        try {
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new Exchange(r.statusCode(), r.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED).orElse(null),
                    r.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).orElse(null), r.body());
        } catch (IOException e) {
            throw new ProviderFailure(base, ProviderFault.UNREACHABLE, "unreachable: " + e.getMessage(), "", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(GatewayException.Kind.INTERNAL, "interrupted while asking provider " + base, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}

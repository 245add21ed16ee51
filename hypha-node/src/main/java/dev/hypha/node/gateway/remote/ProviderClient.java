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
 * HTTP to one provider's paid routes: posts a body (with a payment header when paying) and reads the answer bounded
 * (at most {@link JsonBody#MAX_BYTES}), keeping the status, body and the payment headers.
 */
final class ProviderClient implements AutoCloseable {
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** What came back. */
    record Response(int status, byte[] body, String paymentRequired, String receipt) {
        /** The body as an error text for messages, cut short. */
        String error() {
            String s = new String(body, StandardCharsets.UTF_8);
            return s.length() > 300 ? s.substring(0, 300) + "..." : s;
        }
    }

    ProviderClient(URI base) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    Response post(boolean chat, byte[] body, String paymentSignature) {
        URI uri = URI.create(base + "/provider/v1/api/" + (chat ? "chat" : "generate"));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (paymentSignature != null) {
            b.header(PaymentHeaders.PAYMENT_SIGNATURE, paymentSignature);
        }
        try {
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = r.body()) {
                bytes = in.readNBytes(JsonBody.MAX_BYTES + 1);
            }
            if (bytes.length > JsonBody.MAX_BYTES) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, "provider " + base + " answered more than "
                        + JsonBody.MAX_BYTES + " bytes");
            }
            return new Response(r.statusCode(), bytes, r.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED).orElse(null),
                    r.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).orElse(null));
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "provider " + base + " unreachable: " + e.getMessage(), e);
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

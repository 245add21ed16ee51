package dev.hypha.node.gateway.remote;

import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ReceiptHeaders;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * HTTP to one provider's paid routes: posts a body (with a payment header when paying) and hands back the status, the
 * payment headers and the body as a stream, which the caller reads bounded and closes (closing early aborts the
 * connection, which is how the provider learns that its client left and stops generating).
 */
final class ProviderClient implements AutoCloseable {
    private final URI base;
    private final ProviderHttp http;

    /** What came back; close it when done (or to abandon the answer). */
    record Exchange(int status, String paymentRequired, String receipt, InputStream body, Closeable connection)
            implements AutoCloseable {
        /** Most bytes read past an answer's end to keep its connection (an honest provider sends none). */
        static final long DRAIN_LIMIT = 64 * 1024;

        /** The whole body, at most {@link JsonBody#MAX_BYTES}. */
        byte[] readAll(URI from) {
            // The exchange is closed, not the body stream: closing a stream that is not at its end would read the rest
            // of whatever the provider sends.
            try (Exchange self = this) {
                byte[] bytes = body.readNBytes(JsonBody.MAX_BYTES + 1);
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
            try {
                long left = DRAIN_LIMIT;
                byte[] scratch = new byte[8192];
                int n;
                while (left > 0 && (n = body.read(scratch, 0, (int) Math.min(scratch.length, left))) >= 0) {
                    left -= n;
                }
            } catch (IOException ignored) {
                // the exchange is over either way; a broken connection is simply not reused
            } finally {
                close();
            }
        }

        /**
         * Ends the exchange: a body read to its end has already given its connection back to the pool; one that is not
         * (an abandoned answer) loses its connection, which is how the provider learns that its client left.
         */
        @Override
        public void close() {
            try {
                connection.close();
            } catch (IOException ignored) {
                // abandoning the answer: nothing more to do
            }
        }
    }

    /** With the client to connect through (e.g. one whose TLS trusts only the provider's registered key). */
    ProviderClient(URI base, ProviderHttp http) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.http = http;
    }

    URI base() {
        return base;
    }

    Exchange post(boolean chat, byte[] body, String paymentSignature) {
        return post(chat ? "chat" : "generate", body, paymentSignature);
    }

    /** @param route the paid route after {@code /provider/v1/api/}: chat, generate or embed */
    Exchange post(String route, byte[] body, String paymentSignature) {
        HttpPost post = new HttpPost(URI.create(base + "/provider/v1/api/" + route));
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        if (paymentSignature != null) {
            post.setHeader(PaymentHeaders.PAYMENT_SIGNATURE, paymentSignature);
        }
        try {
            ClassicHttpResponse r = http.client().executeOpen(null, post, null);
            HttpEntity entity = r.getEntity();
            EndTracking in = new EndTracking(entity == null ? InputStream.nullInputStream() : entity.getContent());
            // Closing the response of a body that is not at its end would first read the rest of it (the whole answer
            // of a provider still generating): cancelling the request drops the connection instead.
            Closeable end = () -> {
                if (!in.atEnd) {
                    post.cancel();
                }
                r.close();
            };
            return new Exchange(r.getCode(), header(r, PaymentHeaders.PAYMENT_REQUIRED),
                    header(r, ReceiptHeaders.PAYMENT_RESPONSE), in, end);
        } catch (IOException e) {
            throw new ProviderFailure(base, ProviderFault.UNREACHABLE, "unreachable: " + e.getMessage(), "", e);
        }
    }

    /** A body that knows whether it was read to its end (and so gave its connection back to the pool). */
    private static final class EndTracking extends FilterInputStream {
        private volatile boolean atEnd;

        EndTracking(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            atEnd |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            atEnd |= n < 0;
            return n;
        }
    }

    private static String header(ClassicHttpResponse r, String name) {
        Header h = r.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    @Override
    public void close() {
        http.close();
    }
}

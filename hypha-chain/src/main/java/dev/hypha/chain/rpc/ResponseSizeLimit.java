package dev.hypha.chain.rpc;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * Caps how many bytes one JSON-RPC answer may have. An RPC node is a stranger: without a cap, one answer of a few
 * gigabytes (a hostile or broken node, a proxy error page that never ends) would be read whole into the heap before
 * anything could check it. Reading stops at the cap with {@link TooLarge}.
 */
final class ResponseSizeLimit implements Interceptor {

    /** Thrown while reading an answer that passed the cap; not a transient failure, so never retried. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("the node's answer is larger than " + limit + " bytes");
        }
    }

    private final long maxBytes;

    ResponseSizeLimit(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        ResponseBody body = response.body();
        if (body == null) {
            return response;
        }
        if (body.contentLength() > maxBytes) {
            response.close();
            throw new TooLarge(maxBytes);
        }
        BufferedSource capped = Okio.buffer(new ForwardingSource(body.source()) {
            private long read;

            @Override
            public long read(Buffer sink, long byteCount) throws IOException {
                long n = super.read(sink, byteCount);
                if (n > 0 && (read += n) > maxBytes) {
                    throw new TooLarge(maxBytes);
                }
                return n;
            }
        });
        return response.newBuilder().body(ResponseBody.create(capped, body.contentType(), body.contentLength())).build();
    }
}

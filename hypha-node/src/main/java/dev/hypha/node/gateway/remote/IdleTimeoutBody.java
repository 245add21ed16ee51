package dev.hypha.node.gateway.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP response body as an {@link InputStream} that gives up when no byte arrives for a while: an engine that stops
 * sending mid-answer (hung, or holding the connection open on purpose) then costs a reader at most that long, not
 * forever. The JDK's own body streams have no such bound ({@code HttpRequest.timeout} ends with the headers). Holds at
 * most one delivery of buffers at a time: the next is requested only when the last is read.
 */
final class IdleTimeoutBody extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {
    private static final Object END = new Object();

    private final long idleNanos;
    private final String source;
    private final BlockingQueue<Object> deliveries = new LinkedBlockingQueue<>();
    private final Deque<ByteBuffer> buffers = new ArrayDeque<>();
    private volatile Flow.Subscription subscription;
    private boolean ended;

    private IdleTimeoutBody(Duration idle, String source) {
        this.idleNanos = idle.toNanos();
        this.source = source;
    }

    /** A handler giving the body as such a stream as soon as the headers are in. */
    static HttpResponse.BodyHandler<InputStream> handler(Duration idle, String source) {
        return info -> HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofPublisher(), publisher -> {
            IdleTimeoutBody body = new IdleTimeoutBody(idle, source);
            publisher.subscribe(body);
            return body;
        });
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        deliveries.add(item);
    }

    @Override
    public void onError(Throwable t) {
        deliveries.add(t);
    }

    @Override
    public void onComplete() {
        deliveries.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (buffers.isEmpty() || !buffers.peekFirst().hasRemaining()) {
            if (!buffers.isEmpty()) {
                buffers.pollFirst();
                continue;
            }
            if (ended) {
                return -1;
            }
            next();
        }
        ByteBuffer current = buffers.peekFirst();
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    /** Waits (at most the idle time) for the next delivery. */
    @SuppressWarnings("unchecked")
    private void next() throws IOException {
        Object item;
        try {
            item = deliveries.poll(idleNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while reading from " + source, e);
        }
        if (item == null) {
            close();
            throw new IOException(source + " sent nothing for " + Duration.ofNanos(idleNanos).toSeconds()
                    + " s in the middle of its answer (gave up waiting)");
        }
        if (item == END) {
            ended = true;
        } else if (item instanceof Throwable t) {
            ended = true;
            throw new IOException(t.getMessage(), t);
        } else {
            buffers.addAll((List<ByteBuffer>) item);
            subscription.request(1);
        }
    }

    @Override
    public void close() {
        ended = true;
        buffers.clear();
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}

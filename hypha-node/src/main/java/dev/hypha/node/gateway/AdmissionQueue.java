package dev.hypha.node.gateway;

import java.util.concurrent.Semaphore;

/**
 * Bounds the requests a backend holds at once, running or waiting (for their model, or for a provider's channel):
 * Ollama's {@code OLLAMA_MAX_QUEUE}. Beyond it a request is refused at once (503) instead of piling up threads and memory.
 */
public final class AdmissionQueue {
    /** Ollama's default queue length. */
    public static final int DEFAULT_CAPACITY = 512;

    private final int capacity;
    private final Semaphore slots;

    public AdmissionQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the queue must hold at least one request, got " + capacity);
        }
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
    }

    /** A place in the queue; closing it gives the place back. */
    public interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a place, never waiting for one.
     *
     * @throws GatewayException OVERLOADED when every place is taken
     */
    public Ticket enter() {
        if (!slots.tryAcquire()) {
            throw new GatewayException(GatewayException.Kind.OVERLOADED, "server busy, please try again. maximum pending "
                    + "requests exceeded (" + capacity + " requests are running or waiting)");
        }
        boolean[] closed = {false};
        return () -> {
            synchronized (closed) { // a ticket closed twice must not free two places
                if (!closed[0]) {
                    closed[0] = true;
                    slots.release();
                }
            }
        };
    }

    /** Requests running or waiting now. */
    public int occupied() {
        return capacity - slots.availablePermits();
    }
}

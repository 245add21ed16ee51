package dev.hypha.ml.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs loops over index ranges on a fixed number of threads: the caller plus {@code threads - 1} workers.
 *
 * <p>Work is split into contiguous chunks and each index is processed by exactly one thread, start to end,
 * so the thread count changes which thread computes an element but never how it is computed: results are
 * the same bits for 1, 2 or N threads.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: generating one token runs about 150 short parallel loops
 * (0.1-0.5 ms each), and waking parked pool threads cost about 35 microseconds per loop, some 15% of the time.
 * Here the caller works too, and workers spin briefly ({@link Thread#onSpinWait}) for the next loop before they park,
 * as llama.cpp's thread pool does; a loop then starts in about a microsecond. Waiting threads spin for
 * {@link #YIELD_AFTER_NANOS}, then yield between checks until {@link #SPIN_NANOS}, then park, so an idle model costs
 * no CPU and a busy machine's other work gets the cores.
 */
public final class Parallel implements AutoCloseable {
    /** Work on a half-open range of indices. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle thread spins before it parks: longer than the gap between two loops of one token. */
    private static final long SPIN_NANOS = 2_000_000L;
    /**
     * After this long, a spinning thread yields its core between checks: on a machine busy with other work, pure
     * spinning would hold a core that the thread with the remaining chunks needs (what makes llama.cpp's generation
     * collapse on a loaded machine).
     */
    private static final long YIELD_AFTER_NANOS = 50_000L;

    /** Waits a moment while nothing changed: spin, then yield, then park briefly. */
    private static void pause(long waitedNanos, long parkNanos, Object blocker) {
        if (waitedNanos < YIELD_AFTER_NANOS) {
            Thread.onSpinWait();
        } else if (waitedNanos < SPIN_NANOS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(blocker, parkNanos);
        }
    }

    /** One loop: workers that come late hold on to the loop they saw, whose chunks are all claimed by then. */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        final AtomicInteger nextChunk = new AtomicInteger();
        final AtomicInteger unfinished;
        final Thread caller;
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.unfinished = new AtomicInteger(chunks);
            this.caller = caller;
        }

        /** Claims and runs chunks until none are left. */
        void runChunks() {
            for (int c = nextChunk.getAndIncrement(); c < chunks; c = nextChunk.getAndIncrement()) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
                if (unfinished.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    /** The latest loop; a new object per loop, so a worker tells a new loop from the one it finished by identity. */
    private volatile Job job;
    private volatile boolean closed;

    /** A runner with {@code threads} threads in all (1 runs everything on the caller's thread). */
    public Parallel(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("thread count must be between 1 and 1024, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("hypha-ml-worker-" + (i + 1)).unstarted(this::work);
            workers[i].start();
        }
    }

    /** The number of threads, the caller's included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) split into chunks; returns when all are done. One loop at a time (callers take
     * turns); an exception thrown by the body is rethrown here once every chunk has finished.
     */
    public void forRange(int n, RangeBody body) {
        // checked before taking the lock: the caller holds it while it waits for this worker's chunk
        for (Thread worker : workers) {
            if (worker == Thread.currentThread()) {
                throw new IllegalStateException("forRange called from inside a loop body on a worker thread (not reentrant)");
            }
        }
        run(n, body);
    }

    private synchronized void run(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("this thread runner is closed");
        }
        int chunks = Math.min(n, threads * 4);
        if (chunks == 1 || workers.length == 0) {
            body.run(0, n);
            return;
        }
        Job current = new Job(body, n, chunks, Thread.currentThread());
        job = current;
        for (Thread worker : workers) {
            // a worker that is spinning just keeps the permit and spins on; a parked one wakes up
            LockSupport.unpark(worker);
        }
        current.runChunks();
        // the last chunks may still run on workers: spin a little, then park until the last one unparks us
        long start = System.nanoTime();
        while (current.unfinished.get() > 0) {
            pause(System.nanoTime() - start, 1_000_000L, this);
        }
        Throwable f = current.failure;
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private void work() {
        Job done = null;
        while (!closed) {
            long start = System.nanoTime();
            Job next;
            while ((next = job) == done && !closed) {
                pause(System.nanoTime() - start, 10_000_000L, this);
            }
            if (next != null && next != done) {
                next.runChunks();
                done = next;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}

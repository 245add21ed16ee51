package dev.hypha.ml.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs loops over index ranges on a fixed number of threads.
 *
 * <p>Work is split into contiguous chunks and each index is processed by exactly one thread, start to end,
 * so the thread count changes which thread computes an element but never how it is computed: results are
 * the same bits for 1, 2 or N threads.
 */
public final class Parallel implements AutoCloseable {
    /** Work on a half-open range of indices. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    /** A runner with {@code threads} worker threads (1 runs everything on the caller's thread). */
    public Parallel(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("thread count must be between 1 and 1024, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** The number of threads. */
    public int threads() {
        return threads;
    }

    /** Runs {@code body} over [0, n) split into chunks; returns when all are done. */
    public void forRange(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = pool == null ? 1 : Math.min(n, threads * 4);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(pool.submit(() -> body.run(from, to)));
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}

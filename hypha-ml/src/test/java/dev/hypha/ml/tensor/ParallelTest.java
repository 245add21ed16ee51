package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The thread runner covers every index exactly once, loop after loop, and reports failures. */
class ParallelTest {

    @Property(tries = 60)
    void everyIndexRunsExactlyOnce(@ForAll @IntRange(min = 1, max = 4) int threads, @ForAll @IntRange(min = 0, max = 300) int n,
                                   @ForAll @IntRange(min = 1, max = 20) int loops) {
        try (Parallel parallel = new Parallel(threads)) {
            for (int loop = 0; loop < loops; loop++) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                parallel.forRange(n, (from, to) -> {
                    assertThat(from).isLessThan(to);
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("index %d of %d, loop %d", i, n, loop).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aFailingBodyIsRethrownAfterTheLoopAndTheRunnerStaysUsable() {
        try (Parallel parallel = new Parallel(3)) {
            assertThatThrownBy(() -> parallel.forRange(100, (from, to) -> {
                if (from == 0) {
                    throw new IllegalArgumentException("boom");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
            AtomicIntegerArray hits = new AtomicIntegerArray(50);
            parallel.forRange(50, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 50; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void aLoopInsideAWorkersChunkIsRefused() {
        try (Parallel parallel = new Parallel(2)) {
            assertThatThrownBy(() -> parallel.forRange(64, (from, to) -> {
                if (Thread.currentThread().getName().startsWith("hypha-ml-worker")) {
                    parallel.forRange(4, (a, b) -> { });
                }
                // the caller's own chunks may be all the work on a busy machine: make sure a worker gets one
                long until = System.nanoTime() + 2_000_000L;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            })).isInstanceOf(IllegalStateException.class).hasMessageContaining("not reentrant");
        }
    }

    @Test
    void closedRunnerRefusesWorkAndRejectsBadThreadCounts() {
        Parallel parallel = new Parallel(2);
        parallel.close();
        assertThatThrownBy(() -> parallel.forRange(10, (a, b) -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Parallel(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 and 1024");
    }
}

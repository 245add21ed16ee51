import dev.hypha.ml.tensor.FloatKernels;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GEMM throughput of training's FloatMatMul (C = A·Bᵀ, each element one fixed-order FloatKernels.dot: deterministic)
 * and, for the cost of that choice, of an unordered variant: the summed dimension k split between threads, each slice
 * multiplied by the same blocked kernel, the partial products added into C in whatever order the threads finish (the
 * usual way to use idle cores when C is small; its bits change with the thread count and can change from run to run).
 * At one thread both are the same computation, so their ratio is about 1 there. Run by bench/gemm-vs-numpy.sh, which runs numpy (OpenBLAS) on the same shapes.
 *
 *   java -cp hypha.jar bench/GemmVsNumpy.java THREADS M,N,K [M,N,K ...]
 *
 * Prints one line per shape: "hypha M N K threads T det GFLOPS unordered GFLOPS".
 */
public final class GemmVsNumpy {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        Parallel[] ones = new Parallel[threads];
        FloatMatMul[] single = new FloatMatMul[threads];
        for (int i = 0; i < threads; i++) {
            ones[i] = new Parallel(1); // the caller's thread only: each k-slice runs on the thread that took it
            single[i] = new FloatMatMul(ones[i]);
        }
        try (Parallel parallel = new Parallel(threads)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            for (int s = 1; s < args.length; s++) {
                String[] d = args[s].split(",");
                int m = Integer.parseInt(d[0]);
                int n = Integer.parseInt(d[1]);
                int k = Integer.parseInt(d[2]);
                float[] a = random(m * k, 1);
                float[] b = random(n * k, 2);
                float[] c = new float[m * n];
                double det = gflops(m, n, k, () -> gemm.multiplyTransposed(a, b, c, m, n, k, false));
                double unordered = gflops(m, n, k, () -> unordered(parallel, single, a, b, c, m, n, k));
                System.out.printf(Locale.ROOT, "hypha %d %d %d threads %d det %.1f unordered %.1f%n", m, n, k, threads, det, unordered);
            }
        }
    }

    /**
     * k split into one slice per thread; each thread multiplies its slice with the same blocked kernel (a one-thread
     * FloatMatMul over copies of the A and B column slices) and adds its partial C into c when it finishes, so the
     * order of the additions (and the bits) depends on which thread finishes first.
     */
    static void unordered(Parallel parallel, FloatMatMul[] single, float[] a, float[] b, float[] c, int m, int n, int k) {
        int parts = parallel.threads();
        java.util.Arrays.fill(c, 0);
        parallel.forRange(parts, (from, to) -> {
            for (int p = from; p < to; p++) {
                int k0 = (int) ((long) k * p / parts);
                int width = (int) ((long) k * (p + 1) / parts) - k0;
                float[] as = slice(a, m, k, k0, width);
                float[] bs = slice(b, n, k, k0, width);
                float[] partial = new float[m * n];
                single[p].multiplyTransposed(as, bs, partial, m, n, width, false);
                synchronized (c) {
                    for (int e = 0; e < partial.length; e++) {
                        c[e] += partial[e];
                    }
                }
            }
        });
    }

    static float[] slice(float[] x, int rows, int k, int k0, int width) {
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * k + k0, out, r * width, width);
        }
        return out;
    }

    /** Best of five timings, each at least 0.2 s of repeated products, after a warm-up of the same length. */
    static double gflops(int m, int n, int k, Runnable product) {
        double flops = 2.0 * m * n * k;
        double best = 0;
        for (int round = 0; round < 6; round++) {
            long start = System.nanoTime();
            int reps = 0;
            do {
                product.run();
                reps++;
            } while (System.nanoTime() - start < 200_000_000L);
            double rate = reps * flops / (System.nanoTime() - start);
            if (round > 0) {
                best = Math.max(best, rate);
            }
        }
        return best;
    }

    static float[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}

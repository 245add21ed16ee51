package dev.hypha.ml.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Hand-run harness (not a test): a 5632 x 2048 matrix (the 0.84B model's FFN shape) times 32 tokens, the tiled
 * {@link MatMul} against the former one-token-at-a-time loop, interleaved in one JVM so both see the same machine.
 * Run: {@code java --add-modules jdk.incubator.vector -cp <test+main classes> dev.hypha.ml.tensor.TiledMatMulBench [threads]}.
 */
public final class TiledMatMulBench {
    private TiledMatMulBench() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rows = 5632;
        int cols = 2048;
        int tokens = 32;
        Random random = new Random(1);
        ActivationBatch batch = new ActivationBatch(tokens, cols);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                batch.row(t)[i] = (float) random.nextGaussian();
            }
        }
        batch.updated(tokens);
        float[][] out = new float[tokens][rows];
        try (Parallel parallel = new Parallel(threads)) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K}) {
                WeightMatrix w = matrix(type, rows, cols, random);
                for (boolean deterministic : new boolean[] {true, false}) {
                    MatMul mm = new MatMul(parallel, deterministic);
                    long oldBest = Long.MAX_VALUE;
                    long newBest = Long.MAX_VALUE;
                    for (int round = 0; round < 12; round++) {
                        long t0 = System.nanoTime();
                        perToken(parallel, w, batch, out, deterministic);
                        long t1 = System.nanoTime();
                        mm.multiply(w, batch, out);
                        long t2 = System.nanoTime();
                        if (round >= 2) {
                            oldBest = Math.min(oldBest, t1 - t0);
                            newBest = Math.min(newBest, t2 - t1);
                        }
                    }
                    System.out.printf("%s %s threads=%d: per-token %.1f ms (%.0f tok/s), tiled %.1f ms (%.0f tok/s), x%.2f%n",
                            type, deterministic ? "deterministic" : "fast", threads, oldBest / 1e6, tokens / (oldBest / 1e9),
                            newBest / 1e6, tokens / (newBest / 1e9), (double) oldBest / newBest);
                }
            }
        }
    }

    /** The loop MatMul ran before tiling: each weight row re-read and re-unpacked for every token. */
    private static void perToken(Parallel parallel, WeightMatrix w, ActivationBatch in, float[][] out, boolean exact) {
        in.prepareFor(w.type());
        int n = w.cols();
        parallel.forRange(w.rows(), (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int t = 0; t < in.count(); t++) {
                    out[t][r] = switch (w.type()) {
                        case Q8_0 -> Q8_0.dot(w.data(), w.rowOffset(r), in.q80(t), 0, n, exact);
                        case Q4_0 -> Q4_0.dot(w.data(), w.rowOffset(r), in.q80(t), 0, n, exact);
                        default -> Q4_K.dot(w.data(), w.rowOffset(r), in.q8k(t), 0, n, exact);
                    };
                }
            }
        });
    }

    private static WeightMatrix matrix(GgmlType type, int rows, int cols, Random random) {
        int rowBytes = (int) type.bytesFor(cols);
        byte[] data = new byte[rowBytes * rows];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) random.nextGaussian();
            }
            switch (type) {
                case Q8_0 -> Q8_0.quantize(row, 0, cols, data, r * rowBytes);
                case Q4_0 -> Q4_0.quantize(row, 0, cols, data, r * rowBytes);
                default -> Q4_K.quantize(row, 0, cols, data, r * rowBytes);
            }
        }
        return new WeightMatrix(type + "-bench", type, rows, cols, MemorySegment.ofArray(data));
    }
}

package dev.hypha.ml.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Hand-run harness (not a test): G weights/s of {@link MatMul} on repacked (row-interleaved) 5632 x 2048 matrices, the
 * 0.84B bench model's FFN shape, against the same matrices multiplied row by row in their GGUF layout.
 * Run from the repository root after {@code ./mvnw -q -pl hypha-ml -am test-compile}:
 * {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
 * -cp hypha-ml/target/classes:hypha-ml/target/test-classes dev.hypha.ml.tensor.MatMulBench TYPE THREADS MATRICES TOKENS}
 * (e.g. {@code Q4_K 1 40 1}; 40 matrices make a working set far beyond the caches). The JIT takes several rounds to
 * settle: read the last lines.
 */
public final class MatMulBench {
    private MatMulBench() {}

    public static void main(String[] args) {
        GgmlType type = GgmlType.valueOf(args.length > 0 ? args[0] : "Q4_K");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int matrices = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int rows = 5632;
        int cols = 2048;
        Random random = new Random(1);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        byte[] data = TensorCodec.quantize(type, values, 0, values.length);
        ActivationBatch batch = new ActivationBatch(tokens, cols);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                batch.row(t)[i] = (float) random.nextGaussian();
            }
        }
        batch.updated(tokens);
        float[][] out = new float[tokens][rows];
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(threads)) {
            WeightMatrix[] plain = new WeightMatrix[matrices];
            WeightMatrix[] packed = new WeightMatrix[matrices];
            for (int m = 0; m < matrices; m++) {
                MemorySegment copy = arena.allocate(data.length, 64).copyFrom(MemorySegment.ofArray(data));
                plain[m] = new WeightMatrix("w" + m, type, rows, cols, copy);
                packed[m] = plain[m].interleave(arena);
            }
            MatMul fast = new MatMul(parallel, false);
            double weights = (double) rows * cols * matrices * tokens;
            for (int round = 0; round < 12; round++) {
                long t0 = System.nanoTime();
                for (WeightMatrix w : plain) {
                    fast.multiply(w, batch, out);
                }
                long t1 = System.nanoTime();
                for (WeightMatrix w : packed) {
                    fast.multiply(w, batch, out);
                }
                long t2 = System.nanoTime();
                System.out.printf("%s, %d threads, %d tokens: row by row %.1f G weights/s, interleaved %.1f%n",
                        type, threads, tokens, weights / (t1 - t0), weights / (t2 - t1));
            }
        }
    }
}

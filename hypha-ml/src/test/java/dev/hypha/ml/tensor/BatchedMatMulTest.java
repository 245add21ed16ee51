package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The small-batch kernels (several tokens per weight chunk: four-token and two-token tiles, the L1-unpacked paths, rows
 * decoded once per batch) for the types the shipped and benchmarked models use: a batch of B rows gives, for every
 * row, exactly the bits that row gives multiplied alone (both modes, any thread count, interleaved or in the file's
 * layout), and that result is the product it claims to be: within float rounding of the same sum computed in double
 * from the dequantized weights and the dequantized (Q8_0 / Q8_K) activations.
 */
class BatchedMatMulTest {
    private static final int COLS = 512;

    @Property(tries = 80)
    void batchEqualsEachRowAloneAndTheExactProduct(@ForAll("types") GgmlType type, @ForAll @IntRange(min = 1, max = 16) int tokens,
                                                   @ForAll @IntRange(min = 1, max = 40) int rows, @ForAll boolean interleave,
                                                   @ForAll boolean deterministic, @ForAll @IntRange(min = 1, max = 3) int threads,
                                                   @ForAll long seed) {
        Random random = new Random(seed);
        float[] values = new float[rows * COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        WeightMatrix plain = new WeightMatrix("w", type, rows, COLS,
                MemorySegment.ofArray(TensorCodec.quantize(type, values, 0, values.length)));
        ActivationBatch batch = new ActivationBatch(tokens, COLS);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < COLS; i++) {
                batch.row(t)[i] = (float) random.nextGaussian();
            }
        }
        batch.updated(tokens);
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(threads)) {
            WeightMatrix w = interleave && WeightMatrix.interleaves(type) ? plain.interleave(arena) : plain;
            MatMul mm = new MatMul(parallel, deterministic);
            float[][] out = new float[tokens][rows];
            mm.multiply(w, batch, out);
            float[] weights = new float[COLS];
            for (int t = 0; t < tokens; t++) {
                ActivationBatch alone = new ActivationBatch(1, COLS);
                System.arraycopy(batch.row(t), 0, alone.row(0), 0, COLS);
                alone.updated(1);
                float[][] single = new float[1][rows];
                mm.multiply(w, alone, single);
                double[] activations = dequantizedActivations(type, batch, t);
                for (int r = 0; r < rows; r++) {
                    assertThat(Float.floatToRawIntBits(out[t][r]))
                            .as("%s row %d output %d of a batch of %d: alone it is %s", type, t, r, tokens, single[0][r])
                            .isEqualTo(Float.floatToRawIntBits(single[0][r]));
                    plain.dequantizeRow(r, weights, 0);
                    double exact = 0;
                    double magnitude = 0;
                    for (int i = 0; i < COLS; i++) {
                        exact += (double) weights[i] * activations[i];
                        magnitude += Math.abs((double) weights[i] * activations[i]);
                    }
                    assertThat((double) out[t][r]).as("%s row %d output %d", type, t, r)
                            .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
                }
            }
        }
    }

    @Provide
    Arbitrary<GgmlType> types() {
        return Arbitraries.of(GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16, GgmlType.F32);
    }

    /** The activations as the kernels for {@code type} see them: Q8_0 or Q8_K values times their scales, or the floats. */
    private static double[] dequantizedActivations(GgmlType type, ActivationBatch batch, int t) {
        double[] a = new double[COLS];
        switch (type) {
            case Q4_0, Q8_0 -> {
                Q8_0Activations q = batch.q80(t);
                for (int i = 0; i < COLS; i++) {
                    a[i] = (double) q.quant(i) * q.scale(i / Q8_0Activations.BLOCK);
                }
            }
            case Q4_K, Q6_K -> {
                Q8_KActivations q = batch.q8k(t);
                for (int i = 0; i < COLS; i++) {
                    a[i] = (double) q.qs[i] * q.scales[i / Q8_KActivations.BLOCK];
                }
            }
            default -> {
                for (int i = 0; i < COLS; i++) {
                    a[i] = batch.row(t)[i];
                }
            }
        }
        return a;
    }
}

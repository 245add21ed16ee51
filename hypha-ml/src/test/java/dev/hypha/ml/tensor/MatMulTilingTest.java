package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The two-token tiles of {@link MatMul} give exactly the bits of the one-token kernels, in both modes, for every
 * batch size (whole tiles plus a remainder) and every quantized type that has a tiled kernel.
 */
class MatMulTilingTest {
    private static final int ROWS = 5;
    private static final int COLS = 512;

    @Property(tries = 30)
    void tiledBatchEqualsOneTokenAtATime(@ForAll @IntRange(min = 1, max = 9) int tokens, @ForAll long seed,
                                         @ForAll boolean deterministic, @ForAll @IntRange(min = 0, max = 2) int typeIndex) {
        GgmlType type = new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K}[typeIndex];
        Random random = new Random(seed);
        WeightMatrix w = randomMatrix(type, random);
        ActivationBatch batch = new ActivationBatch(tokens, COLS);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < COLS; i++) {
                batch.row(t)[i] = (float) random.nextGaussian();
            }
        }
        batch.updated(tokens);
        float[][] out = new float[tokens][ROWS];
        try (Parallel parallel = new Parallel(1)) {
            new MatMul(parallel, deterministic).multiply(w, batch, out);
        }
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < ROWS; r++) {
                float single = switch (type) {
                    case Q8_0 -> Q8_0.dot(w.data(), w.rowOffset(r), batch.q80(t), 0, COLS, deterministic);
                    case Q4_0 -> Q4_0.dot(w.data(), w.rowOffset(r), batch.q80(t), 0, COLS, deterministic);
                    default -> Q4_K.dot(w.data(), w.rowOffset(r), batch.q8k(t), 0, COLS, deterministic);
                };
                assertThat(Float.floatToRawIntBits(out[t][r]))
                        .as("%s token %d row %d of %d tokens", type, t, r, tokens)
                        .isEqualTo(Float.floatToRawIntBits(single));
            }
        }
    }

    private static WeightMatrix randomMatrix(GgmlType type, Random random) {
        int rowBytes = (int) type.bytesFor(COLS);
        byte[] data = new byte[rowBytes * ROWS];
        float[] row = new float[COLS];
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < COLS; i++) {
                row[i] = (float) random.nextGaussian();
            }
            switch (type) {
                case Q8_0 -> Q8_0.quantize(row, 0, COLS, data, r * rowBytes);
                case Q4_0 -> Q4_0.quantize(row, 0, COLS, data, r * rowBytes);
                default -> Q4_K.quantize(row, 0, COLS, data, r * rowBytes);
            }
        }
        return new WeightMatrix("w", type, ROWS, COLS, MemorySegment.ofArray(data));
    }
}

package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The row-interleaved Q4_0 and Q4_K kernels give exactly the bits of the one-row kernels in deterministic mode, for
 * any row count (a partial last group), batch size and thread count, in both engine modes, including the extreme
 * values that come closest to overflowing the 16-bit lanes (every nibble 15, every activation +-127, 6-bit scales 63).
 */
class InterleavedMatMulTest {

    @Property(tries = 40)
    void interleavedEqualsExactRowByRow(@ForAll @IntRange(min = 1, max = 40) int rows, @ForAll @IntRange(min = 1, max = 2) int superBlocks,
                                        @ForAll @IntRange(min = 1, max = 9) int tokens, @ForAll @IntRange(min = 1, max = 3) int threads,
                                        @ForAll boolean q4k, @ForAll boolean rawBytes, @ForAll boolean deterministic, @ForAll long seed) {
        GgmlType type = q4k ? GgmlType.Q4_K : GgmlType.Q4_0;
        int cols = 256 * superBlocks;
        Random random = new Random(seed);
        WeightMatrix plain = rawBytes ? rawMatrix(type, rows, cols, random) : quantizedMatrix(type, rows, cols, random);
        ActivationBatch batch = new ActivationBatch(tokens, cols);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                // token 0 of a raw-bytes case is all +-1: every activation quantizes to +-127
                batch.row(t)[i] = rawBytes && t == 0 ? (random.nextBoolean() ? 1f : -1f) : (float) random.nextGaussian();
            }
        }
        batch.updated(tokens);
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(threads)) {
            WeightMatrix packed = plain.interleave(arena);
            assertThat(packed.interleaved()).isNotNull();
            float[][] out = new float[tokens][rows];
            new MatMul(parallel, deterministic).multiply(packed, batch, out);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    float exact = q4k
                            ? Q4_K.dot(plain.data(), plain.rowOffset(r), batch.q8k(t), 0, cols, true)
                            : Q4_0.dot(plain.data(), plain.rowOffset(r), batch.q80(t), 0, cols, true);
                    assertThat(Float.floatToRawIntBits(out[t][r])).as("%s token %d row %d of %d", type, t, r, rows)
                            .isEqualTo(Float.floatToRawIntBits(exact));
                }
            }
        }
    }

    @Test
    void typesWithoutAnInterleavedLayoutAreLeftAsTheyAre() {
        WeightMatrix q8 = quantizedMatrix(GgmlType.Q8_0, 3, 64, new Random(1));
        try (Arena arena = Arena.ofConfined()) {
            assertThat(q8.interleave(arena)).isSameAs(q8);
            WeightMatrix packed = quantizedMatrix(GgmlType.Q4_0, 3, 64, new Random(1)).interleave(arena);
            assertThat(packed.interleave(arena)).isSameAs(packed);
        }
    }

    @Test
    void rowLookupsStillReadTheOriginalLayout() {
        WeightMatrix plain = quantizedMatrix(GgmlType.Q4_K, 5, 256, new Random(2));
        float[] expected = new float[256];
        float[] actual = new float[256];
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix packed = plain.interleave(arena);
            for (int r = 0; r < 5; r++) {
                plain.dequantizeRow(r, expected, 0);
                packed.dequantizeRow(r, actual, 0);
                assertThat(actual).containsExactly(expected);
            }
        }
    }

    private static WeightMatrix quantizedMatrix(GgmlType type, int rows, int cols, Random random) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        byte[] data = TensorCodec.quantize(type, values, 0, values.length);
        return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(data));
    }

    /** Random bytes everywhere (any nibble, any packed 6-bit scale), with finite fp16 scales; half the rows all ones. */
    private static WeightMatrix rawMatrix(GgmlType type, int rows, int cols, Random random) {
        int rowBytes = (int) type.bytesFor(cols);
        byte[] data = new byte[rowBytes * rows];
        random.nextBytes(data);
        int blockBytes = type == GgmlType.Q4_K ? Q4_K.BYTES : Q4_0.BYTES;
        int halves = type == GgmlType.Q4_K ? 2 : 1;
        for (int r = 0; r < rows; r++) {
            if (r % 2 == 1) {
                java.util.Arrays.fill(data, r * rowBytes, (r + 1) * rowBytes, (byte) 0xFF);
            }
            for (int b = r * rowBytes; b < (r + 1) * rowBytes; b += blockBytes) {
                for (int h = 0; h < halves; h++) {
                    QuantLayouts.putHalf(data, b + 2 * h, (float) random.nextGaussian());
                }
            }
        }
        return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(data));
    }
}

package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The row-interleaved Q4_0, Q4_K, Q6_K and Q8_0 kernels (and Q3_K, Q5_K, Q5_0, IQ4_NL and MXFP4 repacked into the Q6_K
 * and Q8_0 layouts) give exactly the bits of the one-row kernels in deterministic
 * mode, for any row count (a partial last group), batch size and thread count, in both engine modes, including the
 * extreme values that come closest to overflowing the 16-bit lanes: every activation quantized to the same +-127 and
 * weights at their largest magnitude (nibbles 15, 6-bit levels 0 i.e. -32 with group scales -128, int8 weights -128).
 */
class InterleavedMatMulTest {

    @Property(tries = 100)
    void interleavedEqualsExactRowByRow(@ForAll("interleavedTypes") GgmlType type, @ForAll @IntRange(min = 1, max = 40) int rows,
                                        @ForAll @IntRange(min = 1, max = 2) int superBlocks, @ForAll @IntRange(min = 1, max = 12) int tokens,
                                        @ForAll @IntRange(min = 1, max = 3) int threads, @ForAll boolean rawBytes,
                                        @ForAll boolean deterministic, @ForAll long seed) {
        int cols = 256 * superBlocks;
        Random random = new Random(seed);
        WeightMatrix plain = rawBytes ? rawMatrix(type, rows, cols, random) : quantizedMatrix(type, rows, cols, random);
        ActivationBatch batch = new ActivationBatch(tokens, cols);
        float sign = random.nextBoolean() ? 1f : -1f;
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                // token 0 of a raw-bytes case is constant: every activation quantizes to the same +-127
                batch.row(t)[i] = rawBytes && t == 0 ? sign : (float) random.nextGaussian();
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
                    float exact = exactDot(plain, r, batch, t);
                    assertThat(Float.floatToRawIntBits(out[t][r])).as("%s token %d row %d of %d", type, t, r, rows)
                            .isEqualTo(Float.floatToRawIntBits(exact));
                }
            }
        }
    }

    @Provide
    Arbitrary<GgmlType> interleavedTypes() {
        return Arbitraries.of(GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q8_0, GgmlType.Q3_K, GgmlType.Q5_K, GgmlType.Q5_0,
                GgmlType.IQ4_NL, GgmlType.MXFP4);
    }

    @Test
    void interleavesExactlyTheTypesWithAKernel() {
        for (GgmlType type : GgmlType.values()) {
            boolean expected = type == GgmlType.Q4_0 || type == GgmlType.Q4_K || type == GgmlType.Q6_K || type == GgmlType.Q8_0
                    || type == GgmlType.Q3_K || type == GgmlType.Q5_K || type == GgmlType.Q5_0 || type == GgmlType.IQ4_NL || type == GgmlType.MXFP4;
            assertThat(WeightMatrix.interleaves(type)).as(type.toString()).isEqualTo(expected);
        }
    }

    /** The one-row kernel in deterministic mode: the reference every interleaved result must equal bit for bit. */
    private static float exactDot(WeightMatrix w, int r, ActivationBatch batch, int t) {
        int cols = w.cols();
        return switch (w.type()) {
            case Q4_0 -> Q4_0.dot(w.data(), w.rowOffset(r), batch.q80(t), 0, cols, true);
            case Q8_0 -> Q8_0.dot(w.data(), w.rowOffset(r), batch.q80(t), 0, cols, true);
            case Q4_K -> Q4_K.dot(w.data(), w.rowOffset(r), batch.q8k(t), 0, cols, true);
            case Q6_K -> Q6_K.dot(w.data(), w.rowOffset(r), batch.q8k(t), 0, cols, true);
            case Q3_K -> Q3_K.dot(w.data(), w.rowOffset(r), batch.q8k(t), 0, cols);
            case Q5_K -> Q5_K.dot(w.data(), w.rowOffset(r), batch.q8k(t), 0, cols);
            case Q5_0 -> Q5_0.dot(w.data(), w.rowOffset(r), batch.q80(t), cols);
            case IQ4_NL -> IQ4_NL.dot(w.data(), w.rowOffset(r), batch.q80(t), cols);
            case MXFP4 -> MXFP4.dot(w.data(), w.rowOffset(r), batch.q80(t), cols);
            default -> throw new IllegalArgumentException("no one-row quantized kernel for " + w.type());
        };
    }

    @Test
    void typesWithoutAnInterleavedLayoutAreLeftAsTheyAre() {
        WeightMatrix f16 = quantizedMatrix(GgmlType.F16, 3, 64, new Random(1));
        try (Arena arena = Arena.ofConfined()) {
            assertThat(f16.interleave(arena)).isSameAs(f16);
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

    /**
     * Random bytes everywhere (any nibble, any 6-bit level, any int8 scale or weight), with finite fp16 scales; every
     * odd row holds the type's largest-magnitude weights instead.
     */
    private static WeightMatrix rawMatrix(GgmlType type, int rows, int cols, Random random) {
        int rowBytes = (int) type.bytesFor(cols);
        int blockBytes = (int) type.bytesFor(type.blockSize());
        byte[] data = new byte[rowBytes * rows];
        random.nextBytes(data);
        for (int r = 0; r < rows; r++) {
            for (int b = r * rowBytes; b < (r + 1) * rowBytes; b += blockBytes) {
                if (r % 2 == 1) {
                    extremeBlock(type, data, b, blockBytes);
                }
                switch (type) {
                    case Q4_0, Q8_0, Q5_0, IQ4_NL -> QuantLayouts.putHalf(data, b, (float) random.nextGaussian());
                    case Q3_K -> QuantLayouts.putHalf(data, b + 108, (float) random.nextGaussian());
                    case Q5_K -> {
                        QuantLayouts.putHalf(data, b, (float) random.nextGaussian());
                        QuantLayouts.putHalf(data, b + 2, (float) random.nextGaussian());
                    }
                    case MXFP4 -> data[b] = (byte) (100 + random.nextInt(50));   // scales 2^-28 .. 2^21
                    case Q4_K -> {
                        QuantLayouts.putHalf(data, b, (float) random.nextGaussian());
                        QuantLayouts.putHalf(data, b + 2, (float) random.nextGaussian());
                    }
                    case Q6_K -> QuantLayouts.putHalf(data, b + 208, (float) random.nextGaussian());
                    default -> throw new IllegalArgumentException("no raw layout for " + type);
                }
            }
        }
        return new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(data));
    }

    /** The block's weights at their largest magnitude: nibbles 15 (Q4), int8 -128 (Q8_0), levels 0 = -32 with scales -128 (Q6_K). */
    private static void extremeBlock(GgmlType type, byte[] data, int b, int blockBytes) {
        switch (type) {
            case Q4_0, Q4_K -> Arrays.fill(data, b, b + blockBytes, (byte) 0xFF);
            case Q8_0 -> Arrays.fill(data, b, b + blockBytes, (byte) 0x80);
            case Q6_K -> {
                Arrays.fill(data, b, b + 192, (byte) 0);
                Arrays.fill(data, b + 192, b + 208, (byte) 0x80);
            }
            // levels -4 (no high bits, low bits 0) with every 6-bit scale 0, i.e. -32
            case Q3_K -> Arrays.fill(data, b, b + 108, (byte) 0);
            // every level 31 with every scale and min 63
            case Q5_K -> Arrays.fill(data, b, b + blockBytes, (byte) 0xFF);
            // Q5_0: nibbles 0 and no fifth bits = -16; IQ4_NL: index 0 = -127; MXFP4: code 15 = -12
            case Q5_0 -> Arrays.fill(data, b, b + blockBytes, (byte) 0);
            case IQ4_NL -> Arrays.fill(data, b, b + blockBytes, (byte) 0);
            case MXFP4 -> Arrays.fill(data, b, b + blockBytes, (byte) 0xFF);
            default -> throw new IllegalArgumentException("no extreme block for " + type);
        }
    }
}

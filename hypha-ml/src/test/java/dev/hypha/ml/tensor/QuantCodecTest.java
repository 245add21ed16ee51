package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class QuantCodecTest {

    static float[] randomRow(long seed, int n, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    @Provide
    Arbitrary<GgmlType> types() {
        return Arbitraries.of(TensorCodec.SUPPORTED);
    }

    /** Relative RMS error each format must stay under on Gaussian data (4-bit formats are the loosest). */
    static double errorBound(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1e-3;
            case BF16 -> 8e-3;
            case Q8_0 -> 0.01;
            case Q6_K -> 0.04;
            case Q4_K -> 0.12;
            case Q4_0 -> 0.15;
            case Q4_1 -> 0.13;
            case Q5_0 -> 0.07;
            case Q5_1 -> 0.06;
            case Q5_K -> 0.06;
            case Q3_K -> 0.25;
            case Q2_K -> 0.45;
            case IQ4_NL, IQ4_XS -> 0.12;
            case MXFP4 -> 0.2;
            default -> throw new AssertionError(t);
        };
    }

    @Property(tries = 60)
    void roundTripErrorIsBounded(@ForAll("types") GgmlType type, @ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int blocks256) {
        int n = 256 * blocks256;
        float[] x = randomRow(seed, n, 0.5f + (seed & 7));
        byte[] enc = TensorCodec.quantize(type, x, 0, n);
        assertThat(enc.length).isEqualTo(type.bytesFor(n));
        float[] y = TensorCodec.dequantize(type, MemorySegment.ofArray(enc), n);
        double err = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            err += (x[i] - y[i]) * (double) (x[i] - y[i]);
            norm += x[i] * (double) x[i];
        }
        assertThat(Math.sqrt(err / norm)).isLessThanOrEqualTo(errorBound(type));
    }

    @Property(tries = 30)
    void zeroRowsStayZero(@ForAll("types") GgmlType type) {
        float[] x = new float[256];
        float[] y = TensorCodec.dequantize(type, MemorySegment.ofArray(TensorCodec.quantize(type, x, 0, 256)), 256);
        for (float v : y) {
            assertThat(v == 0.0f).as("decoded zero (either sign)").isTrue();
        }
    }

    @Test
    void q4_0DecodesKnownBlock() {
        byte[] block = new byte[18];
        short d = Numbers.floatToHalf(0.5f);
        block[0] = (byte) d;
        block[1] = (byte) (d >> 8);
        block[2] = (byte) 0xF0; // weight 0: nibble 0 -> -8*0.5 ; weight 16: nibble 15 -> 7*0.5
        float[] y = TensorCodec.dequantize(GgmlType.Q4_0, MemorySegment.ofArray(block), 32);
        assertThat(y[0]).isEqualTo(-4.0f);
        assertThat(y[16]).isEqualTo(3.5f);
        assertThat(y[1]).isEqualTo(-4.0f); // byte 0x00 -> nibbles 0
    }

    @Test
    void q8_0QuantizesLikeTheReference() {
        float[] x = new float[32];
        x[0] = 1.27f;
        x[1] = -0.5f;
        x[2] = 0.005f; // 0.5 * (127/1.27 scale) rounds half away from zero
        byte[] enc = TensorCodec.quantize(GgmlType.Q8_0, x, 0, 32);
        assertThat(enc[2]).isEqualTo((byte) 127);
        assertThat(enc[3]).isEqualTo((byte) -50);
        assertThat(enc[4]).isEqualTo((byte) 1);
    }

    @Test
    void rejectsPartialBlocksAndUnsupportedTypes() {
        assertThatThrownBy(() -> TensorCodec.quantize(GgmlType.Q4_K, new float[100], 0, 100))
                .hasMessageContaining("blocks of 256");
        assertThatThrownBy(() -> TensorCodec.quantize(GgmlType.Q8_K, new float[256], 0, 256))
                .hasMessageContaining("does not support").hasMessageContaining("Q4_K");
    }

    @Test
    void halfAndBf16ConversionsRoundToNearestEven() {
        assertThat(Numbers.bf16ToFloat(Numbers.floatToBf16(1.0f))).isEqualTo(1.0f);
        // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even keeps 1.0
        assertThat(Numbers.bf16ToFloat(Numbers.floatToBf16(1.0f + 0x1p-8f))).isEqualTo(1.0f);
        assertThat(Numbers.bf16ToFloat(Numbers.floatToBf16(1.0f + 0x1.8p-8f))).isEqualTo(1.0f + 0x1p-7f);
        assertThat(Float.isNaN(Numbers.bf16ToFloat(Numbers.floatToBf16(Float.NaN)))).isTrue();
        assertThat(Numbers.nearestInt(2.5f)).isEqualTo(2);
        assertThat(Numbers.nearestInt(-3.5f)).isEqualTo(-4);
        assertThat(Numbers.roundHalfAway(2.5f)).isEqualTo(3);
        assertThat(Numbers.roundHalfAway(-2.5f)).isEqualTo(-3);
    }
}

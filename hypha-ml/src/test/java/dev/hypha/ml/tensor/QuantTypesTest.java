package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The block types beyond Q8_0/Q4_0/Q4_K/Q6_K (Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q5_K, IQ4_NL, IQ4_XS, MXFP4): hand-built
 * blocks decode to the values ggml's {@code dequantize_row_*} gives (worked out by hand from ggml's formulas),
 * boundary scales, NaN/Inf scales propagating as C float arithmetic does, dot kernels against the dequantized rows,
 * and malformed sizes refused. End-to-end agreement with llama.cpp is {@code GreedyAgreementTest}.
 */
class QuantTypesTest {

    static void putHalf(byte[] b, int off, float v) {
        QuantLayouts.putHalf(b, off, v);
    }

    static float[] decode(GgmlType type, byte[] block) {
        return TensorCodec.dequantize(type, MemorySegment.ofArray(block), type.blockSize());
    }

    @Test
    void q4_1DecodesScaleTimesLevelPlusMin() {
        byte[] b = new byte[20];
        putHalf(b, 0, 0.5f);
        putHalf(b, 2, -1f);
        b[4] = (byte) 0xF3;
        float[] y = decode(GgmlType.Q4_1, b);
        assertThat(y[0]).isEqualTo(3 * 0.5f - 1);
        assertThat(y[16]).isEqualTo(15 * 0.5f - 1);
        assertThat(y[1]).isEqualTo(-1f);
    }

    @Test
    void q5_0TakesTheFifthBitFromQh() {
        byte[] b = new byte[22];
        putHalf(b, 0, 0.25f);
        QuantLayouts.putInt(b, 2, 1 | 1 << 31);   // bit 0: weight 0; bit 31: weight 31
        b[6] = (byte) 0x2F;
        b[21] = (byte) 0x10;                       // weight 15 low nibble 0, weight 31 high nibble 1
        float[] y = decode(GgmlType.Q5_0, b);
        assertThat(y[0]).isEqualTo((31 - 16) * 0.25f);
        assertThat(y[16]).isEqualTo((2 - 16) * 0.25f);
        assertThat(y[15]).isEqualTo(-16 * 0.25f);
        assertThat(y[31]).isEqualTo((17 - 16) * 0.25f);
    }

    @Test
    void q5_1AddsTheMin() {
        byte[] b = new byte[24];
        putHalf(b, 0, 1f);
        putHalf(b, 2, 0.5f);
        QuantLayouts.putInt(b, 4, 1 << 16);
        b[8] = (byte) 0x10;
        float[] y = decode(GgmlType.Q5_1, b);
        assertThat(y[0]).isEqualTo(0.5f);
        assertThat(y[16]).isEqualTo(17.5f);
    }

    @Test
    void q2_KUsesFourBitScalesAndMinsPerSixteen() {
        byte[] b = new byte[84];
        b[0] = 0x21;                   // group 0: scale 1, min 2
        b[2] = 0x03;                   // group 2 (weights 32-47): scale 3, min 0
        b[15] = (byte) 0xFF;           // group 15: scale 15, min 15
        b[16] = (byte) 0b11_10_01_00;  // weights 0, 32, 64, 96 of the first half: levels 0, 1, 2, 3
        b[16 + 32 + 31] = (byte) 0xC0; // weight 128 + 96 + 31 = 255: level 3 in bits 6-7
        putHalf(b, 80, 1f);
        putHalf(b, 82, 0.5f);
        float[] y = decode(GgmlType.Q2_K, b);
        assertThat(y[0]).isEqualTo(1 * 0 - 0.5f * 2);
        assertThat(y[32]).isEqualTo(3 * 1f);
        assertThat(y[255]).isEqualTo(15 * 3 - 0.5f * 15);
    }

    @Test
    void q3_KDecodesSignedSixBitScalesAndTheHighBitMask() {
        byte[] b = new byte[110];
        // group 0 scale 33 (+1): low nibble 1 in byte 96, high pair 2 in byte 104 bits 0-1
        b[96] = 0x01;
        b[104] = 0x02;
        // group 15 scale 63 (+31): low nibble in the high half of byte 96 + 7, high pair in byte 104 + 3 bits 6-7
        b[96 + 7] = (byte) 0xF0;
        b[104 + 3] = (byte) 0xC0;
        b[0] = 0x01;           // hmask: weight 0 has its high bit (no -4)
        b[32] = 0x03;          // weight 0: low bits 3; weight 1 (byte 33) low bits 0, no high bit -> -4
        putHalf(b, 108, 2f);
        float[] y = decode(GgmlType.Q3_K, b);
        assertThat(y[0]).isEqualTo(2f * 1 * 3);
        assertThat(y[1]).isEqualTo(2f * 1 * -4);
        assertThat(y[16]).isEqualTo(2f * -32 * -4);   // group 1: scale bits 0 -> -32
        assertThat(y[255]).isEqualTo(2f * 31 * -4);
    }

    @Test
    void q5_KAddsSixteenForTheHighBit() {
        byte[] b = new byte[176];
        putHalf(b, 0, 1f);
        putHalf(b, 2, 1f);
        b[4] = 2;              // sub-block 0 scale
        b[8] = 3;              // sub-block 0 min
        b[5] = 63;             // sub-block 1 scale (weights 32-63), min 0
        b[16] = 0x03;          // qh[0]: bit 0 -> weight 0, bit 1 -> weight 32
        b[48] = 0x75;          // weight 0 low nibble 5, weight 32 nibble 7
        float[] y = decode(GgmlType.Q5_K, b);
        assertThat(y[0]).isEqualTo(2f * 21 - 3f);
        assertThat(y[32]).isEqualTo(63f * 23);
    }

    @Test
    void iq4_NLLooksLevelsUpInTheNonLinearTable() {
        byte[] b = new byte[18];
        putHalf(b, 0, 0.5f);
        b[2] = (byte) 0xF0;
        float[] y = decode(GgmlType.IQ4_NL, b);
        assertThat(y[0]).isEqualTo(0.5f * -127);
        assertThat(y[16]).isEqualTo(0.5f * 113);
    }

    @Test
    void iq4_XSScalesEachBlockByASignedSixBitScale() {
        byte[] b = new byte[136];
        putHalf(b, 0, 1f);
        b[2] = 0x02 | (byte) 0xC0;   // scales_h: block 0 high pair 2, block 3 high pair 3
        b[4] = 0x01;                 // scales_l: block 0 low nibble 1, block 1 low nibble 0
        b[5] = (byte) 0xF0;          // block 3 low nibble 15 -> ls 63
        b[8] = 0x08;                 // block 0 weight 0: index 8 (value 1)
        b[8 + 16] = 0x0F;            // block 1 weight 32: index 15 (113)
        b[8 + 48] = 0x00;            // block 3 weight 96: index 0 (-127)
        float[] y = decode(GgmlType.IQ4_XS, b);
        assertThat(y[0]).isEqualTo(1f);
        assertThat(y[32]).isEqualTo(-32f * 113);
        assertThat(y[96]).isEqualTo(31f * -127);
    }

    @Test
    void mxfp4ScalesTheDoubledE2M1ValuesByAHalvedPowerOfTwo() {
        byte[] b = new byte[17];
        b[0] = 127;                  // 2^(127-128) = 0.5
        b[1] = (byte) 0xF7;          // weight 0: code 7 (6.0 doubled = 12), weight 16: code 15 (-12)
        float[] y = decode(GgmlType.MXFP4, b);
        assertThat(y[0]).isEqualTo(6f);
        assertThat(y[16]).isEqualTo(-6f);
        assertThat(y[1]).isEqualTo(0f);
        // the extremes of E8M0 as ggml builds them from bits: e = 0, 1 subnormal, e = 255 finite 2^127 (not NaN)
        assertThat(MXFP4.scale(0)).isEqualTo(0x1p-128f);
        assertThat(MXFP4.scale(1)).isEqualTo(0x1p-127f);
        assertThat(MXFP4.scale(2)).isEqualTo(0x1p-126f);
        assertThat(MXFP4.scale(255)).isEqualTo(0x1p127f);
        b[0] = (byte) 255;
        b[1] = 0x01;
        assertThat(decode(GgmlType.MXFP4, b)[0]).isEqualTo(0x1p127f);
    }

    @Test
    void nanAndInfinityScalesPropagateAsCFloatArithmetic() {
        byte[] q41 = new byte[20];
        QuantLayouts.putHalf(q41, 0, Float.POSITIVE_INFINITY);
        q41[4] = 0x10;   // weight 0 level 0 (0 * inf = NaN), weight 16 level 1 (inf)
        float[] y = decode(GgmlType.Q4_1, q41);
        assertThat(Float.isNaN(y[0])).isTrue();
        assertThat(y[16]).isEqualTo(Float.POSITIVE_INFINITY);

        byte[] q5k = new byte[176];
        q5k[0] = 0x00;
        q5k[1] = 0x7E;   // fp16 NaN as d
        q5k[4] = 1;
        float[] k = decode(GgmlType.Q5_K, q5k);
        assertThat(Float.isNaN(k[0])).isTrue();

        byte[] iq = new byte[18];
        QuantLayouts.putHalf(iq, 0, Float.NEGATIVE_INFINITY);
        assertThat(decode(GgmlType.IQ4_NL, iq)[0]).isEqualTo(Float.POSITIVE_INFINITY);   // -inf * -127
    }

    @Property(tries = 30)
    void quantizedZerosAndConstantsSurvive(@ForAll @IntRange(min = -8, max = 8) int c) {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_1, GgmlType.Q5_K, GgmlType.Q2_K}) {
            // min-based types represent a constant block exactly when its value is an fp16
            float[] x = new float[256];
            java.util.Arrays.fill(x, c * 0.25f);
            float[] y = TensorCodec.dequantize(type, MemorySegment.ofArray(TensorCodec.quantize(type, x, 0, 256)), 256);
            for (float v : y) {
                assertThat((double) v).as(type.toString()).isCloseTo(c * 0.25, org.assertj.core.data.Offset.offset(c <= 0 ? 1e-3 : 0.1));
            }
        }
    }

    @Property(tries = 30)
    void dotKernelsAgreeWithDequantizedRows(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int blocks) {
        int n = 256 * blocks;
        float[] w = QuantCodecTest.randomRow(seed, n, 1);
        float[] x = QuantCodecTest.randomRow(~seed, n, 1);
        Q8_0Activations a0 = new Q8_0Activations(n).quantize(x, 0, n);
        Q8_KActivations ak = new Q8_KActivations(n).quantize(x, 0, n);
        float[] x0 = new float[n];
        float[] xk = new float[n];
        for (int i = 0; i < n; i++) {
            x0[i] = a0.quant(i) * a0.scale(i / 32);
            xk[i] = ak.qs[i] * ak.scales[i / 256];
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL, GgmlType.MXFP4,
                GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q5_K, GgmlType.IQ4_XS}) {
            MemorySegment seg = MemorySegment.ofArray(TensorCodec.quantize(type, w, 0, n));
            float[] deq = TensorCodec.dequantize(type, seg, n);
            boolean k = type.blockSize() == 256;
            float[] xa = k ? xk : x0;
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) deq[i] * xa[i];
                magnitude += Math.abs((double) deq[i] * xa[i]);
            }
            float got = switch (type) {
                case Q4_1 -> Q4_1.dot(seg, 0, a0, n);
                case Q5_0 -> Q5_0.dot(seg, 0, a0, n);
                case Q5_1 -> Q5_1.dot(seg, 0, a0, n);
                case IQ4_NL -> IQ4_NL.dot(seg, 0, a0, n);
                case MXFP4 -> MXFP4.dot(seg, 0, a0, n);
                case Q2_K -> Q2_K.dot(seg, 0, ak, 0, n);
                case Q3_K -> Q3_K.dot(seg, 0, ak, 0, n);
                case Q5_K -> Q5_K.dot(seg, 0, ak, 0, n);
                default -> IQ4_XS.dot(seg, 0, ak, 0, n);
            };
            // integer sums are exact; Q4_1/Q5_1 take the min term from Q8_1's fp16 block sums (relative error 2^-11)
            double tolerance = type == GgmlType.Q4_1 || type == GgmlType.Q5_1 ? 2e-3 : 1e-5;
            assertThat(Math.abs(got - expected)).as(type.toString()).isLessThanOrEqualTo(tolerance * magnitude + 1e-6);
        }
    }

    /**
     * The vector Q5_K kernel against a scalar transcription of {@code ggml_vec_dot_q5_K_q8_K}'s integer sums, with the
     * same float operations (scaled sums and min terms each added in super-block order, then subtracted): the same bits, including raw random blocks (any scale, min and level) and constant
     * activations at +-127.
     */
    @Property(tries = 40)
    void q5_KVectorKernelEqualsScalarIntegerReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int blocks,
                                                      @ForAll boolean raw) {
        int n = 256 * blocks;
        java.util.Random random = new java.util.Random(seed);
        byte[] data;
        if (raw) {
            data = new byte[blocks * 176];
            random.nextBytes(data);
            for (int b = 0; b < blocks; b++) {
                putHalf(data, 176 * b, (float) random.nextGaussian());
                putHalf(data, 176 * b + 2, (float) random.nextGaussian());
            }
        } else {
            data = TensorCodec.quantize(GgmlType.Q5_K, QuantCodecTest.randomRow(seed, n, 1), 0, n);
        }
        float[] x = QuantCodecTest.randomRow(~seed, n, 1);
        if (raw && random.nextBoolean()) {
            java.util.Arrays.fill(x, random.nextBoolean() ? 1f : -1f);
        }
        Q8_KActivations a = new Q8_KActivations(n).quantize(x, 0, n);
        MemorySegment seg = MemorySegment.ofArray(data);
        float expected = 0;
        float minTerms = 0;
        for (int b = 0; b < blocks; b++) {
            int o = 176 * b;
            int sumi = 0;
            int sumMins = 0;
            for (int j = 0; j < 8; j++) {
                int sm = Q4_K.scaleMin(j, seg, o + 4);
                sumMins += (a.bsums[16 * b + 2 * j] + a.bsums[16 * b + 2 * j + 1]) * (sm >> 8);
                int s = 0;
                for (int l = 0; l < 32; l++) {
                    int q = data[o + 48 + 32 * (j / 2) + l] & 0xFF;
                    int level = (j % 2 == 0 ? q & 0xF : q >> 4) + (((data[o + 16 + l] & 0xFF) >> j & 1) << 4);
                    s += level * a.qs[256 * b + 32 * j + l];
                }
                sumi += (sm & 0xFF) * s;
            }
            float d = a.scales[b] * QuantLayouts.halfAt(data, o);
            float dmin = a.scales[b] * QuantLayouts.halfAt(data, o + 2);
            expected += d * sumi;
            minTerms += dmin * sumMins;
        }
        expected -= minTerms;
        assertThat(Float.floatToRawIntBits(Q5_K.dot(seg, 0, a, 0, n))).isEqualTo(Float.floatToRawIntBits(expected));
    }

    /** Both Q2_K kernels (one token; a decoded row for batches) against a scalar transcription of ggml's sums: the same bits. */
    @Property(tries = 40)
    void q2_KVectorKernelEqualsScalarIntegerReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int blocks,
                                                      @ForAll boolean raw) {
        int n = 256 * blocks;
        java.util.Random random = new java.util.Random(seed);
        byte[] data;
        if (raw) {
            data = new byte[blocks * 84];
            random.nextBytes(data);
            for (int b = 0; b < blocks; b++) {
                putHalf(data, 84 * b + 80, (float) random.nextGaussian());
                putHalf(data, 84 * b + 82, (float) random.nextGaussian());
            }
        } else {
            data = TensorCodec.quantize(GgmlType.Q2_K, QuantCodecTest.randomRow(seed, n, 1), 0, n);
        }
        float[] x = QuantCodecTest.randomRow(~seed, n, 1);
        if (raw && random.nextBoolean()) {
            java.util.Arrays.fill(x, random.nextBoolean() ? 1f : -1f);
        }
        Q8_KActivations a = new Q8_KActivations(n).quantize(x, 0, n);
        float expected = 0;
        for (int b = 0; b < blocks; b++) {
            int o = 84 * b;
            int summs = 0;
            int isum = 0;
            for (int g = 0; g < 16; g++) {
                int sc = data[o + g] & 0xFF;
                summs += a.bsums[16 * b + g] * (sc >> 4);
                int s = 0;
                for (int l = 0; l < 16; l++) {
                    int e = 16 * g + l;                       // element within the super-block
                    int byteIndex = 32 * (e / 128) + e % 32;  // its byte of qs
                    int shift = 2 * ((e % 128) / 32);
                    s += ((data[o + 16 + byteIndex] & 0xFF) >> shift & 3) * a.qs[256 * b + e];
                }
                isum += (sc & 0xF) * s;
            }
            float dall = a.scales[b] * QuantLayouts.halfAt(data, o + 80);
            float dmin = a.scales[b] * QuantLayouts.halfAt(data, o + 82);
            expected += dall * isum - dmin * summs;
        }
        assertThat(Float.floatToRawIntBits(Q2_K.dot(MemorySegment.ofArray(data), 0, a, 0, n)))
                .isEqualTo(Float.floatToRawIntBits(expected));
        // the batch path: the row decoded once, then each token
        byte[] scaled = new byte[n];
        byte[] mins = new byte[n / 16];
        float[] d = new float[2 * blocks];
        Q2_K.decodeRow(MemorySegment.ofArray(data), 0, n, scaled, mins, d);
        assertThat(Float.floatToRawIntBits(Q2_K.dotDecoded(scaled, mins, d, a, 0, n))).isEqualTo(Float.floatToRawIntBits(expected));
    }

    /** The vector IQ4_XS kernel against a scalar transcription of {@code ggml_vec_dot_iq4_xs_q8_K}: the same bits. */
    @Property(tries = 40)
    void iq4_XSVectorKernelEqualsScalarIntegerReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int blocks) {
        int n = 256 * blocks;
        java.util.Random random = new java.util.Random(seed);
        byte[] data = new byte[blocks * 136];
        random.nextBytes(data);
        for (int b = 0; b < blocks; b++) {
            putHalf(data, 136 * b, (float) random.nextGaussian());
        }
        float[] x = QuantCodecTest.randomRow(~seed, n, 1);
        if (random.nextBoolean()) {
            java.util.Arrays.fill(x, random.nextBoolean() ? 1f : -1f);   // every activation +-127
        }
        Q8_KActivations a = new Q8_KActivations(n).quantize(x, 0, n);
        float expected = 0;
        for (int b = 0; b < blocks; b++) {
            int o = 136 * b;
            int scalesH = (data[o + 2] & 0xFF) | (data[o + 3] & 0xFF) << 8;
            int isum = 0;
            for (int ib = 0; ib < 8; ib++) {
                int ls = ((data[o + 4 + ib / 2] & 0xFF) >> 4 * (ib % 2) & 0xF) | ((scalesH >> 2 * ib) & 3) << 4;
                int s = 0;
                for (int j = 0; j < 16; j++) {
                    int q = data[o + 8 + 16 * ib + j] & 0xFF;
                    s += IQ4_NL.VALUES[q & 0xF] * a.qs[256 * b + 32 * ib + j] + IQ4_NL.VALUES[q >> 4] * a.qs[256 * b + 32 * ib + 16 + j];
                }
                isum += (ls - 32) * s;
            }
            expected += QuantLayouts.halfAt(data, o) * a.scales[b] * isum;
        }
        assertThat(Float.floatToRawIntBits(IQ4_XS.dot(MemorySegment.ofArray(data), 0, a, 0, n)))
                .isEqualTo(Float.floatToRawIntBits(expected));
    }

    @Test
    void malformedSizesAreRefusedNamingTheTensor() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K,
                GgmlType.Q5_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.MXFP4}) {
            int cols = 2 * type.blockSize();
            long bytes = 3 * type.bytesFor(cols);
            assertThatThrownBy(() -> new WeightMatrix("blk.0.ffn_up.weight", type, 3, cols, MemorySegment.ofArray(new byte[(int) bytes - 1])))
                    .as(type.toString()).hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining(String.valueOf(bytes));
            assertThatThrownBy(() -> new WeightMatrix("blk.0.ffn_up.weight", type, 3, cols + 16, MemorySegment.ofArray(new byte[(int) bytes])))
                    .as(type.toString()).hasMessageContaining("not a whole number of " + type + " blocks");
            assertThatThrownBy(() -> TensorCodec.dequantize(type, MemorySegment.ofArray(new byte[(int) bytes]), type.blockSize() + 16))
                    .as(type.toString()).hasMessageContaining("blocks of " + type.blockSize());
        }
        assertThat(GgmlType.fromId(20)).isEqualTo(GgmlType.IQ4_NL);
        assertThat(GgmlType.fromId(23)).isEqualTo(GgmlType.IQ4_XS);
        assertThat(GgmlType.fromId(39)).isEqualTo(GgmlType.MXFP4);
        assertThat(GgmlType.IQ4_XS.typeSize()).isEqualTo(136);
        assertThat(GgmlType.MXFP4.typeSize()).isEqualTo(17);
    }

    @Test
    void quantizersWriteTheBlockLayoutTheDecodersRead() {
        // a ramp over one super-block: every decoder must give back a ramp (monotone to within one step)
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) {
            x[i] = (i - 128) / 32f;
        }
        for (GgmlType type : TensorCodec.SUPPORTED) {
            float[] y = TensorCodec.dequantize(type, MemorySegment.ofArray(TensorCodec.quantize(type, x, 0, 256)), 256);
            for (int i = 0; i < 256; i++) {
                assertThat((double) y[i]).as(type + " element " + i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(1.2));
            }
        }
    }
}

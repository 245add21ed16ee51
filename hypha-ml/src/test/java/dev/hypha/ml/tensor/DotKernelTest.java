package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The SIMD dot kernels against plain scalar loops. Quantized kernels must match a scalar integer version
 * exactly (same per-block integer sums, same float accumulation order); float kernels must match a scalar
 * emulation of the 16-virtual-lane order exactly.
 */
class DotKernelTest {

    @Property(tries = 40)
    void floatDotMatchesSixteenLaneScalarOrder(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int n) {
        float[] a = QuantCodecTest.randomRow(seed, n, 1);
        float[] b = QuantCodecTest.randomRow(seed + 1, n, 1);
        float[] lanes = new float[16];
        int upper = n - n % 16;
        for (int i = 0; i < upper; i++) {
            lanes[i % 16] = Math.fma(a[i], b[i], lanes[i % 16]);
        }
        for (int w = 8; w >= 1; w >>= 1) {
            for (int j = 0; j < w; j++) {
                lanes[j] += lanes[j + w];
            }
        }
        float expected = lanes[0];
        for (int i = upper; i < n; i++) {
            expected += a[i] * b[i];
        }
        assertThat(FloatKernels.dot(a, 0, b, 0, n)).isEqualTo(expected);
        MemorySegment seg = MemorySegment.ofArray(TensorCodec.quantize(GgmlType.F32, a, 0, n));
        assertThat(FloatKernels.dotF32(seg, 0, b, 0, n)).isEqualTo(expected);
    }

    @Property(tries = 40)
    void q8_0AndQ4_0DotsMatchScalarIntegerReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int blocks) {
        int n = 32 * blocks;
        float[] w = QuantCodecTest.randomRow(seed, n, 1);
        float[] x = QuantCodecTest.randomRow(~seed, n, 3);
        Q8_0Activations act = new Q8_0Activations(n).quantize(x, 0, n);
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            MemorySegment seg = MemorySegment.ofArray(TensorCodec.quantize(type, w, 0, n));
            float[] deq = TensorCodec.dequantize(type, seg, n);
            float expected = 0;
            for (int b = 0; b < blocks; b++) {
                long base = (long) b * type.typeSize();
                float d = Float.float16ToFloat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, base));
                int sumi = 0;
                for (int j = 0; j < 32; j++) {
                    // the weight's integer level is its decoded value over d (exact for these formats)
                    int q = d == 0 ? 0 : Math.round(deq[32 * b + j] / d);
                    sumi += q * act.quant(32 * b + j);
                }
                expected += sumi * (d * act.scale(b));
            }
            float got = type == GgmlType.Q8_0 ? Q8_0.dot(seg, 0, act, 0, n) : Q4_0.dot(seg, 0, act, 0, n);
            assertThat(got).as(type.toString()).isEqualTo(expected);
        }
    }

    @Property(tries = 40)
    void kQuantDotsAgreeWithDequantizedFloatDot(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int blocks) {
        int n = 256 * blocks;
        float[] w = QuantCodecTest.randomRow(seed, n, 1);
        float[] x = QuantCodecTest.randomRow(~seed, n, 1);
        Q8_KActivations act = new Q8_KActivations(n).quantize(x, 0, n);
        float[] xq = new float[n];
        for (int i = 0; i < n; i++) {
            xq[i] = act.qs[i] * act.scales[i / 256];
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            MemorySegment seg = MemorySegment.ofArray(TensorCodec.quantize(type, w, 0, n));
            float[] deq = TensorCodec.dequantize(type, seg, n);
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) deq[i] * xq[i];
                magnitude += Math.abs((double) deq[i] * xq[i]);
            }
            float got = type == GgmlType.Q4_K ? Q4_K.dot(seg, 0, act, 0, n) : Q6_K.dot(seg, 0, act, 0, n);
            // the integer sums are exact; only the float scale products round
            assertThat(Math.abs(got - expected)).as(type.toString()).isLessThanOrEqualTo(1e-5 * magnitude + 1e-6);
        }
    }

    @Property(tries = 40)
    void fastModeDotsStayWithinRoundingOfTheExactOrder(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int blocks) {
        int n = 256 * blocks;
        float[] w = QuantCodecTest.randomRow(seed, n, 1);
        float[] x = QuantCodecTest.randomRow(~seed, n, 1);
        Q8_0Activations a0 = new Q8_0Activations(n).quantize(x, 0, n);
        Q8_KActivations ak = new Q8_KActivations(n).quantize(x, 0, n);
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K}) {
            MemorySegment seg = MemorySegment.ofArray(TensorCodec.quantize(type, w, 0, n));
            float exact;
            float fast;
            switch (type) {
                case Q8_0 -> { exact = Q8_0.dot(seg, 0, a0, 0, n, true); fast = Q8_0.dot(seg, 0, a0, 0, n, false); }
                case Q4_0 -> { exact = Q4_0.dot(seg, 0, a0, 0, n, true); fast = Q4_0.dot(seg, 0, a0, 0, n, false); }
                case Q4_K -> { exact = Q4_K.dot(seg, 0, ak, 0, n, true); fast = Q4_K.dot(seg, 0, ak, 0, n, false); }
                default -> { exact = Q6_K.dot(seg, 0, ak, 0, n, true); fast = Q6_K.dot(seg, 0, ak, 0, n, false); }
            }
            assertThat((double) Math.abs(fast - exact)).as(type.toString()).isLessThanOrEqualTo(1e-4 * Math.sqrt(n) + 1e-5 * Math.abs(exact));
        }
    }

    @Property(tries = 20)
    void matMulIsIdenticalForAnyThreadCountAndBatchSize(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int threads) {
        int rows = 37;
        int cols = 256;
        for (GgmlType type : TensorCodec.SUPPORTED) {
            float[] w = QuantCodecTest.randomRow(seed, rows * cols, 1);
            WeightMatrix m = new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(TensorCodec.quantize(type, w, 0, rows * cols)));
            ActivationBatch batch = new ActivationBatch(3, cols);
            for (int t = 0; t < 3; t++) {
                System.arraycopy(QuantCodecTest.randomRow(seed + t, cols, 1), 0, batch.row(t), 0, cols);
            }
            batch.updated(3);
            float[][] out = new float[3][rows];
            try (Parallel p = new Parallel(threads)) {
                new MatMul(p).multiply(m, batch, out);
            }
            ActivationBatch single = new ActivationBatch(1, cols);
            float[][] one = new float[1][rows];
            try (Parallel p = new Parallel(1)) {
                for (int t = 0; t < 3; t++) {
                    System.arraycopy(batch.row(t), 0, single.row(0), 0, cols);
                    single.updated(1);
                    new MatMul(p).multiply(m, single, one);
                    assertThat(one[0]).as(type + " token " + t).isEqualTo(out[t]);
                }
            }
        }
    }

    @Property(tries = 30)
    void axpyRowsEqualsOneAxpyPerRow(@ForAll long seed, @ForAll @IntRange(min = 1, max = 100) int n,
                                     @ForAll @IntRange(min = 0, max = 40) int count, @ForAll @IntRange(min = 0, max = 5) int pad) {
        int stride = n + pad;
        float[] x = QuantCodecTest.randomRow(seed, count * stride + 3, 1);
        float[] p = QuantCodecTest.randomRow(seed + 1, Math.max(count, 1), 1);
        float[] y0 = QuantCodecTest.randomRow(seed + 2, n + 2, 1);
        float[] expected = y0.clone();
        float scale = 0.37f;
        for (int s = 0; s < count; s++) {
            FloatKernels.axpy(p[s] * scale, x, 3 + s * stride, expected, 2, n);
        }
        float[] actual = y0.clone();
        FloatKernels.axpyRows(p, scale, count, x, 3, stride, actual, 2, n);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }
}

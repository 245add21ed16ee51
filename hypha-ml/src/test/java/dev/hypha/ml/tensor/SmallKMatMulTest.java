package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link FloatMatMul#multiplySmallK} gives, for every element, exactly the bits of the scalar fused multiply-add loop in
 * ascending p, whatever the thread count: so the result cannot depend on the SIMD width either (a vector lane does the
 * same operations as the scalar loop).
 */
class SmallKMatMulTest {
    @Property(tries = 60)
    void everyElementIsTheScalarFmaLoop(@ForAll @IntRange(min = 1, max = 70) int m, @ForAll @IntRange(min = 1, max = 70) int n,
            @ForAll @IntRange(min = 1, max = 40) int k, @ForAll @IntRange(min = 1, max = 3) int threads, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[m * k];
        float[] bt = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < bt.length; i++) {
            bt[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] c = new float[m * n];
        try (Parallel parallel = new Parallel(threads)) {
            new FloatMatMul(parallel).multiplySmallK(a, bt, c, m, n, k);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(a[i * k + p], bt[p * n + j], acc);
                }
                assertThat(Float.floatToRawIntBits(c[i * n + j])).as("element %d,%d", i, j).isEqualTo(Float.floatToRawIntBits(acc));
            }
        }
    }
}

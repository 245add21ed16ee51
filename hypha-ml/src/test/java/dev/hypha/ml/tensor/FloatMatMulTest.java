package dev.hypha.ml.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The training GEMM gives, for every element, exactly the bits of one {@link FloatKernels#dot}, blocked or not. */
class FloatMatMulTest {
    private static final FloatMatMul GEMM = new FloatMatMul(new Parallel(2));

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
        }
        return v;
    }

    @Property(tries = 60)
    void everyElementIsOneFixedOrderDotProduct(@ForAll @IntRange(min = 1, max = 37) int m, @ForAll @IntRange(min = 1, max = 70) int n,
                                               @ForAll @IntRange(min = 1, max = 100) int k, @ForAll boolean accumulate, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = random(r, m * k);
        float[] b = random(r, n * k);
        float[] c = random(r, m * n);
        float[] before = c.clone();
        GEMM.multiplyTransposed(a, b, c, m, n, k, accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float d = FloatKernels.dot(a, i * k, b, j * k, k);
                float expected = accumulate ? before[i * n + j] + d : d;
                assertThat(Float.floatToRawIntBits(c[i * n + j])).as("element %d,%d", i, j).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Property(tries = 40)
    void blockedDotsEqualSingleDots(@ForAll @IntRange(min = 0, max = 90) int n, @ForAll long seed) {
        if (!FloatKernels.BLOCKED) {
            return; // 128-bit JVMs never call dot2x2
        }
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = random(r, 3 * n + 5);
        float[] b = random(r, 2 * n + 7);
        float[] out = new float[4];
        FloatKernels.dot2x2(a, 1, n + 3, b, 0, n + 5, n, out);
        assertThat(out).containsExactly(FloatKernels.dot(a, 1, b, 0, n), FloatKernels.dot(a, 1, b, n + 5, n),
                FloatKernels.dot(a, n + 3, b, 0, n), FloatKernels.dot(a, n + 3, b, n + 5, n));
    }
}

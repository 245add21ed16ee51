package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Every operation's backward step agrees with central finite differences of its forward pass. The loss is an MSE
 * against a random target, so every output element gets a different, non-trivial gradient.
 */
class GradientCheckTest {
    /** Shared by every try (jqwik's lifecycle differs from JUnit's, so it is never closed: its workers are daemons). */
    private static final FloatMatMul GEMM = new FloatMatMul(new Parallel(2));

    /** Checks d loss / d input for every tracked input by central differences (in double for the loss sum). */
    static void check(long seed, List<Tensor> inputs, Function<Forward, Tensor> op) {
        Tensor probe = op.apply(Forward.evaluation(GEMM));
        float[] target = random(new SplittableRandom(seed ^ 7), probe.size(), 1f);
        // two passes through one workspace: the second reuses (and must re-zero) every array of the first
        Workspace workspace = new Workspace();
        for (int pass = 0; pass < 2; pass++) {
            workspace.reset();
            Tape tape = new Tape();
            inputs.forEach(Tensor::zeroGrad);
            Forward f = new Forward(GEMM, tape, true, new SplittableRandom(1), workspace);
            tape.backward(Losses.meanSquaredError(f, op.apply(f), target));
        }
        for (Tensor input : inputs) {
            float[] x = input.data();
            for (int i = 0; i < x.length; i++) {
                float saved = x[i];
                float h = 1e-3f * Math.max(1f, Math.abs(saved));
                x[i] = saved + h;
                double up = Losses.meanSquaredError(Forward.evaluation(GEMM), op.apply(Forward.evaluation(GEMM)), target).data()[0];
                x[i] = saved - h;
                double down = Losses.meanSquaredError(Forward.evaluation(GEMM), op.apply(Forward.evaluation(GEMM)), target).data()[0];
                x[i] = saved;
                double numeric = (up - down) / (2 * h);
                // The loss is computed in float: each side carries rounding of some ulps of its magnitude, which the
                // difference quotient divides by 2h. For a whole decoder (loss of a few units, h = 1e-3) that alone
                // reaches ~1e-3, so the tolerance grants 64 ulps of the loss beside the relative error.
                double lossNoise = 64 * Math.ulp((float) Math.max(Math.abs(up), Math.abs(down))) / (2 * h);
                assertThat((double) input.grad()[i]).as("gradient of element %d", i)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 3e-2 * Math.abs(numeric)
                                + lossNoise));
            }
        }
    }

    private static float[] random(SplittableRandom r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /**
     * Distinct values at least 2/n apart (a shuffled ramp), away from 0: finite differences across a kink of ReLU or a
     * tie of max pooling would measure the wrong side.
     */
    static Tensor spread(SplittableRandom r, int... shape) {
        Tensor t = tracked(r, shape);
        float[] v = t.data();
        int n = v.length;
        for (int i = 0; i < n; i++) {
            v[i] = -1f + 2f * i / n + 1f / (2 * n);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float x = v[i];
            v[i] = v[j];
            v[j] = x;
        }
        return t;
    }

    static Tensor tracked(SplittableRandom r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Tensor.tracked(random(r, n, 1f), shape);
    }

    @Property(tries = 15)
    void linear(@ForAll @IntRange(min = 1, max = 4) int batch, @ForAll @IntRange(min = 1, max = 20) int in,
                @ForAll @IntRange(min = 1, max = 6) int out, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = tracked(r, batch, in);
        Tensor w = tracked(r, out, in);
        Tensor b = tracked(r, out);
        check(seed, List.of(x, w, b), f -> Dense.linear(f, x, w, b));
    }

    @Property(tries = 10)
    void conv2d(@ForAll @IntRange(min = 1, max = 2) int channels, @ForAll @IntRange(min = 1, max = 3) int filters,
                @ForAll @IntRange(min = 0, max = 1) int padding, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = tracked(r, 2, channels, 5, 4);
        Tensor k = tracked(r, filters, channels * 9);
        Tensor b = tracked(r, filters);
        check(seed, List.of(x, k, b), f -> Conv.conv2d(f, x, k, b, 3, padding));
    }

    @Property(tries = 10)
    void maxPool(@ForAll long seed) {
        Tensor x = spread(new SplittableRandom(seed), 2, 2, 4, 6);
        check(seed, List.of(x), f -> Pooling.max(f, x, 2));
    }

    @Property(tries = 10)
    void averagePool(@ForAll long seed) {
        Tensor x = tracked(new SplittableRandom(seed), 2, 3, 4, 5);
        check(seed, List.of(x), f -> Pooling.average(f, x, 2));
    }

    @Property(tries = 10)
    void relu(@ForAll long seed) {
        Tensor x = spread(new SplittableRandom(seed), 3, 7);
        check(seed, List.of(x), f -> Activations.relu(f, x));
    }

    @Property(tries = 10)
    void gelu(@ForAll long seed) {
        Tensor x = tracked(new SplittableRandom(seed), 3, 7);
        check(seed, List.of(x), f -> Activations.gelu(f, x));
    }

    @Property(tries = 10)
    void dropoutWithAFixedMask(@ForAll long seed) {
        Tensor x = tracked(new SplittableRandom(seed), 4, 9);
        // each pass gets a fresh generator with the same seed, so the mask is the same in every evaluation
        check(seed, List.of(x), f -> Activations.dropout(new Forward(f.gemm(), f.tape(), true, new SplittableRandom(seed), f.workspace()), x, 0.3f));
    }

    @Property(tries = 15)
    void crossEntropy(@ForAll @IntRange(min = 1, max = 5) int batch, @ForAll @IntRange(min = 2, max = 7) int classes, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor z = tracked(r, batch, classes);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(classes);
        }
        // a scalar loss: checked directly (the MSE wrapper only squares it)
        check(seed, List.of(z), f -> Losses.crossEntropy(f, z, labels));
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogOfClassCount() {
        Tensor z = Tensor.tracked(new float[8], 2, 4);
        assertThat(Losses.crossEntropy(Forward.evaluation(GEMM), z, new int[] {0, 3}).data()[0])
                .isCloseTo((float) Math.log(4), org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void chainedLayersOfANetwork() {
        SplittableRandom r = new SplittableRandom(5);
        Network net = Network.initialize(List.of(LayerSyntax.parse("conv2d 1 2 3 1"), LayerSyntax.parse("gelu"),
                LayerSyntax.parse("avgpool 2"), LayerSyntax.parse("flatten"), LayerSyntax.parse("linear 8 3")), new int[] {1, 4, 4}, 3);
        Tensor x = tracked(r, 2, 1, 4, 4);
        List<Tensor> all = new ArrayList<>(net.parameters());
        all.add(x);
        check(5, all, f -> net.forward(f, x));
    }
}

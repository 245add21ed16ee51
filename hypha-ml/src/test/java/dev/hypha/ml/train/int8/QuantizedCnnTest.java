package dev.hypha.ml.train.int8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The int8 CNN's integer inference, checked by hand and against a direct im2col computation. */
class QuantizedCnnTest {
    /** 1 channel 3×3 → conv 2×2 (no padding, ReLU) → 2×2 → max-pool 2 → 1 value → linear 1 → 2. */
    @Test
    void integerInferenceByHand() {
        QuantizedConv conv = new QuantizedConv(1, 1, 2, 0, 2, new byte[] {1, -1, 2, 0}, new long[] {3},
                new Requantizer(1 << 14, 15, true)); // ×1/2, round half up, ReLU
        QuantizedDense out = new QuantizedDense(1, 2, new byte[] {1, -1}, new long[] {0, 10}, null);
        QuantizedCnn cnn = new QuantizedCnn(1, 3, 3, List.of(conv), List.of(out));
        // pixels 255 → 127, 0 → 0, 128 → 64, 2 → 1
        byte[] pixels = {(byte) 255, 0, (byte) 128, 2, (byte) 255, 0, 0, 0, (byte) 255};
        QuantizedCnn.Trace t = cnn.trace(pixels);
        assertThat(t.input()).containsExactly(127, 0, 64, 1, 127, 0, 0, 0, 127);
        // acc(0,0) = 3 + 127 − 0 + 2·1 = 132; acc(0,1) = 3 + 0 − 64 + 2·127 = 193;
        // acc(1,0) = 3 + 1 − 127 + 0 = −123; acc(1,1) = 3 + 127 − 0 + 0 = 130
        assertThat(t.convAccumulators().get(0)).containsExactly(132, 193, -123, 130);
        assertThat(t.convActivations().get(0)).containsExactly(66, 97, 0, 65);
        assertThat(t.pooled().get(0)).containsExactly(97);
        assertThat(t.logits()).containsExactly(97, -87);
        assertThat(cnn.predict(pixels)).isEqualTo(0);
    }

    /** Zero padding: a 1×1 image under a 3×3 kernel with padding 1 sees only the centre weight. */
    @Test
    void paddingIsZero() {
        byte[] w = new byte[18];
        w[4] = 5; // channel 0 centre of filter 0
        w[9 + 4] = -3; // filter 1 centre
        w[0] = 100; // a corner: only ever over padding here
        QuantizedConv conv = new QuantizedConv(1, 2, 3, 1, 1, w, new long[] {0, 0}, new Requantizer(1 << 14, 14, false));
        assertThat(conv.accumulate(new int[] {7}, 1, 1)).containsExactly(35, -21);
    }

    /** Every accumulator equals bias + ⟨kernel row, im2col patch⟩, with the patch built independently. */
    @Test
    void convolutionIsTheIm2colProduct() {
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 20; trial++) {
            int in = 1 + random.nextInt(3);
            int out = 1 + random.nextInt(4);
            int k = 1 + random.nextInt(3);
            int pad = random.nextInt(k);
            int h = k + random.nextInt(5);
            int wd = k + random.nextInt(5);
            byte[] weights = new byte[out * in * k * k];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (byte) (random.nextInt(255) - 127);
            }
            long[] bias = random.longs(out, -1000, 1000).toArray();
            QuantizedConv conv = new QuantizedConv(in, out, k, pad, 1, weights, bias, new Requantizer(1 << 14, 20, true));
            int[] x = random.ints(in * h * wd, -128, 128).toArray();
            long[] acc = conv.accumulate(x, h, wd);
            int oh = h + 2 * pad - k + 1;
            int ow = wd + 2 * pad - k + 1;
            for (int c = 0; c < out; c++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        long expected = bias[c];
                        for (int e = 0; e < in * k * k; e++) {
                            int ci = e / (k * k);
                            int iy = y + (e / k) % k - pad;
                            int ix = z + e % k - pad;
                            boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                            expected += inside ? (long) weights[c * in * k * k + e] * x[(ci * h + iy) * wd + ix] : 0;
                        }
                        assertThat(acc[(c * oh + y) * ow + z]).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void theExampleShapeQuantizesAndOtherShapesAreRefused() {
        Network example = network(List.of("conv2d 1 16 3 1", "relu", "maxpool 2", "conv2d 16 32 3 1", "relu", "maxpool 2",
                "flatten", "dropout 0.25", "linear 1568 128", "relu", "linear 128 10"));
        byte[] calibration = new byte[3 * 784];
        new SplittableRandom(1).nextBytes(calibration);
        QuantizedCnn q = CnnQuantizer.quantize(example, calibration);
        assertThat(q.convs()).extracting(QuantizedConv::pool).containsExactly(2, 2);
        assertThat(q.convs()).allMatch(c -> c.requantizer().relu());
        assertThat(q.dense()).extracting(QuantizedDense::in).containsExactly(1568, 128);
        assertThat(q.classes()).isEqualTo(10);
        assertThat(q.predict(java.util.Arrays.copyOf(calibration, 784))).isBetween(0, 9);

        assertThatThrownBy(() -> CnnQuantizer.quantize(network(List.of("conv2d 1 2 3 1", "avgpool 2", "flatten",
                "linear 392 10")), new byte[784])).hasMessageContaining("'avgpool 2' is not one of them");
        assertThatThrownBy(() -> CnnQuantizer.quantize(network(List.of("conv2d 1 2 3 1", "maxpool 2", "relu", "flatten",
                "linear 392 10")), new byte[784])).hasMessageContaining("relu must directly follow a conv2d");
        assertThatThrownBy(() -> CnnQuantizer.quantize(network(List.of("flatten", "linear 784 10")), new byte[784]))
                .hasMessageContaining("starts with conv2d blocks");
        assertThatThrownBy(() -> CnnQuantizer.quantize(example, new byte[100])).hasMessageContaining("whole images of 784");
        QuantizedConv conv = new QuantizedConv(1, 2, 3, 1, 2, new byte[18], new long[2], new Requantizer(1 << 14, 14, true));
        assertThatThrownBy(() -> new QuantizedCnn(1, 28, 28, List.of(conv),
                List.of(new QuantizedDense(100, 10, new byte[1000], new long[10], null))))
                .hasMessageContaining("the conv blocks give 2x14x14 = 392");
        assertThatThrownBy(() -> new QuantizedConv(1, 1, 3, 3, 1, new byte[9], new long[1], new Requantizer(1, 1, true)))
                .hasMessageContaining("padding below it");
    }

    static Network network(List<String> layers) {
        return Network.initialize(layers.stream().map(LayerSyntax::parse).toList(), new int[] {1, 28, 28}, 7);
    }
}

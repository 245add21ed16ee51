package dev.hypha.ml.train.int8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.Forward;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.store.ContentStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizedMlpTest {
    static final int TEST_IMAGES = 2000;

    @TempDir
    Path dir;

    /**
     * The example MLP (784 → 256 → 10), trained briefly on real Fashion-MNIST, quantized with 1,000 training images for
     * calibration: on 2,000 test images the int8 model's accuracy is within one point of the float model's and the two
     * predict the same class on at least 97% of the images.
     */
    @Test
    void int8AccuracyMatchesTheFloatModelOnFashionMnist() throws Exception {
        assumeTrue(Files.isDirectory(DatasetStore.DEBIAN_FASHION_MNIST), "needs Debian's dataset-fashion-mnist");
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        var id = datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id();
        ImageSplit train = datasets.load(id, "train");
        ImageSplit test = datasets.load(id, "test").head(TEST_IMAGES);
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            Network network = trainedMlp(train, store, gemm, 300);
            QuantizedMlp q = MlpQuantizer.quantize(network, Arrays.copyOf(train.pixels(), 1000 * 784));

            int[] idx = java.util.stream.IntStream.range(0, test.count()).toArray();
            float[] logits = network.forward(Forward.evaluation(gemm),
                    Tensor.constant(test.images(idx), idx.length, 1, 28, 28)).data();
            int floatCorrect = 0;
            int intCorrect = 0;
            int agree = 0;
            for (int s = 0; s < test.count(); s++) {
                int label = test.labels()[s] & 0xff;
                int f = argmax(logits, s * 10, 10);
                int i = q.predict(Arrays.copyOfRange(test.pixels(), s * 784, (s + 1) * 784));
                floatCorrect += f == label ? 1 : 0;
                intCorrect += i == label ? 1 : 0;
                agree += f == i ? 1 : 0;
            }
            double floatAcc = floatCorrect / (double) test.count();
            double intAcc = intCorrect / (double) test.count();
            System.out.printf("int8 MLP: float accuracy %.4f, int8 accuracy %.4f, same prediction on %.4f of %d images%n",
                    floatAcc, intAcc, agree / (double) test.count(), test.count());
            assertThat(floatAcc).as("the briefly trained float model learned something").isGreaterThan(0.75);
            assertThat(Math.abs(intAcc - floatAcc)).isLessThanOrEqualTo(0.01);
            assertThat(agree / (double) test.count()).isGreaterThanOrEqualTo(0.97);
        }
    }

    static Network trainedMlp(ImageSplit train, ContentStore store, FloatMatMul gemm, int steps) throws Exception {
        Path example = Path.of(System.getProperty("hypha.repo.root", "..")).resolve("examples/fashion-mnist-mlp.toml");
        String toml = Files.readString(example).replaceAll("(?m)^steps = .*", "steps = " + steps)
                .replaceAll("(?m)^checkpoint_every = .*", "checkpoint_every = 0")
                .replaceAll("(?m)^warmup_steps = .*", "warmup_steps = 10");
        byte[] bytes = toml.getBytes(StandardCharsets.UTF_8);
        TrainSpec spec = TrainSpecParser.parse("fashion-mnist-mlp.toml", bytes);
        Trainer.Result result = new Trainer(spec, ContentIds.of(bytes), train, store, gemm).run(TrainingListener.NONE);
        return ModelFile.decode("fashion-mnist-mlp.toml", store.get(result.model())).network();
    }

    static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (v[from + c] > v[from + best]) {
                best = c;
            }
        }
        return best;
    }

    /** The integer path on a hand-made network: every number checked by hand. */
    @Test
    void integerInferenceByHand() {
        // 2 inputs -> 2 hidden (relu) -> 2 logits
        QuantizedDense hidden = new QuantizedDense(2, 2, new byte[] {10, -20, 3, 4}, new long[] {5, -1000},
                new Requantizer(1 << 14, 15, true)); // multiply by 1/2, round half up, clamp [0, 127]
        QuantizedDense out = new QuantizedDense(2, 2, new byte[] {1, 2, -1, 1}, new long[] {0, 7}, null);
        QuantizedMlp mlp = new QuantizedMlp(List.of(hidden, out));
        byte[] pixels = {(byte) 255, (byte) 128}; // int8 input 127, 64
        QuantizedMlp.Trace t = mlp.trace(pixels);
        assertThat(t.input()).containsExactly(127, 64);
        // acc0 = 5 + 10·127 − 20·64 = −5 → relu 0;  acc1 = −1000 + 3·127 + 4·64 = −363 → 0
        assertThat(t.accumulators().get(0)).containsExactly(-5, -363);
        assertThat(t.activations().get(0)).containsExactly(0, 0);
        assertThat(mlp.logits(pixels)).containsExactly(0, 7);
        assertThat(mlp.predict(pixels)).isEqualTo(1);
        byte[] other = {(byte) 255, 0}; // 127, 0: acc 1275 → 638 → 127 (clamped); acc −619 → 0 (relu)
        assertThat(mlp.trace(other).accumulators().get(0)).containsExactly(1275, -619);
        assertThat(mlp.trace(other).activations().get(0)).containsExactly(127, 0);
        QuantizedDense odd = new QuantizedDense(1, 1, new byte[] {1}, new long[] {0}, new Requantizer(1 << 14, 15, false));
        // ×1/2 with round half up: 3 → 2, −3 → −1, −5 → −2
        assertThat(odd.requantizer().apply(3)).isEqualTo(2);
        assertThat(odd.requantizer().apply(-3)).isEqualTo(-1);
        assertThat(odd.requantizer().apply(-5)).isEqualTo(-2);
        assertThat(odd.requantizer().apply(-1000)).isEqualTo(-128);
    }

    @Test
    void inputQuantizationRoundsHalfUp() {
        byte[] p = {0, 1, 2, (byte) 128, (byte) 254, (byte) 255};
        int[] expected = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            expected[i] = (int) Math.floor((p[i] & 0xff) * 127.0 / 255 + 0.5);
        }
        assertThat(QuantizedMlp.quantizeInput(p)).containsExactly(expected).startsWith(0, 0, 1, 64).endsWith(127);
    }

    /** apply(acc) = clamp(⌊acc·M / 2^s + 1/2⌋), checked with exact rationals. */
    @Property
    void requantizationIsExactRounding(@ForAll @LongRange(min = -(1L << 39), max = 1L << 39) long acc,
            @ForAll @DoubleRange(min = 1e-6, max = 4) @Scale(9) double scale) {
        Requantizer r = Requantizer.approximating(scale, false);
        BigInteger num = BigInteger.valueOf(acc).multiply(BigInteger.valueOf(r.multiplier())).shiftLeft(1)
                .add(BigInteger.ONE.shiftLeft(r.shift()));
        long floor = num.shiftRight(r.shift() + 1).longValue(); // ⌊(2·acc·M + 2^s) / 2^(s+1)⌋
        long expected = Math.max(-128, Math.min(127, floor));
        assertThat(r.apply(acc)).isEqualTo((int) expected);
        double approx = r.multiplier() / Math.pow(2, r.shift());
        assertThat(Math.abs(approx - scale) / scale).isLessThanOrEqualTo(1.0 / (1 << 14));
        assertThat(r.multiplier()).isBetween(1 << 14, (1 << 15) - 1);
    }

    @Test
    void onlyMlpsAreQuantized() {
        List<String> cnn = List.of("conv2d 1 4 3 1", "relu", "flatten", "linear 3136 10");
        Network network = Network.initialize(cnn.stream().map(LayerSyntax::parse).toList(), new int[] {1, 28, 28}, 1);
        assertThatThrownBy(() -> MlpQuantizer.quantize(network, new byte[784]))
                .hasMessageContaining("'conv2d 1 4 3 1' is not one of them");
        Network mlp = Network.initialize(List.of("flatten", "linear 784 10").stream().map(LayerSyntax::parse).toList(),
                new int[] {1, 28, 28}, 1);
        assertThatThrownBy(() -> MlpQuantizer.quantize(mlp, new byte[100])).hasMessageContaining("whole images of 784 bytes");
        assertThatThrownBy(() -> new QuantizedDense(1, 1, new byte[] {-128}, new long[1], null))
                .hasMessageContaining("-128");
    }
}

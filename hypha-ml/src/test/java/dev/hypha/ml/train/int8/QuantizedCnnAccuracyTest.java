package dev.hypha.ml.train.int8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.Forward;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example CNN (examples/fashion-mnist-cnn.toml), trained {@value #STEPS} steps on real Fashion-MNIST and quantized
 * with 1,000 training images: on all 10,000 test images the int8 model's accuracy is within one point of the float
 * model's and the two predict the same class on at least 97% of the images. About a minute of training on 2 cores, so
 * tagged slow (scripts/test-slow.sh); needs Debian's dataset-fashion-mnist.
 */
@Tag("slow")
class QuantizedCnnAccuracyTest {
    static final int STEPS = 600;

    @TempDir
    Path dir;

    @Test
    void int8AccuracyMatchesTheFloatCnnOnAllTestImages() throws Exception {
        assumeTrue(Files.isDirectory(DatasetStore.DEBIAN_FASHION_MNIST), "needs Debian's dataset-fashion-mnist");
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        var id = datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id();
        ImageSplit train = datasets.load(id, "train");
        ImageSplit test = datasets.load(id, "test");
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            Path example = Path.of(System.getProperty("hypha.repo.root", "..")).resolve("examples/fashion-mnist-cnn.toml");
            String toml = Files.readString(example).replaceAll("(?m)^steps = .*", "steps = " + STEPS)
                    .replaceAll("(?m)^checkpoint_every = .*", "checkpoint_every = 0")
                    .replaceAll("(?m)^warmup_steps = .*", "warmup_steps = 20");
            byte[] bytes = toml.getBytes(StandardCharsets.UTF_8);
            TrainSpec spec = TrainSpecParser.parse("fashion-mnist-cnn.toml", bytes);
            Trainer.Result result = new Trainer(spec, ContentIds.of(bytes), train, store, gemm).run(TrainingListener.NONE);
            Network network = ModelFile.decode("fashion-mnist-cnn.toml", store.get(result.model())).network();
            QuantizedCnn q = CnnQuantizer.quantize(network, Arrays.copyOf(train.pixels(), 1000 * 784));

            int floatCorrect = 0;
            int intCorrect = 0;
            int agree = 0;
            for (int from = 0; from < test.count(); from += 500) {
                int[] idx = IntStream.range(from, Math.min(test.count(), from + 500)).toArray();
                float[] logits = network.forward(Forward.evaluation(gemm),
                        Tensor.constant(test.images(idx), idx.length, 1, 28, 28)).data();
                for (int j = 0; j < idx.length; j++) {
                    int s = idx[j];
                    int label = test.labels()[s] & 0xff;
                    int f = QuantizedMlpTest.argmax(logits, j * 10, 10);
                    int i = q.predict(Arrays.copyOfRange(test.pixels(), s * 784, (s + 1) * 784));
                    floatCorrect += f == label ? 1 : 0;
                    intCorrect += i == label ? 1 : 0;
                    agree += f == i ? 1 : 0;
                }
            }
            double floatAcc = floatCorrect / (double) test.count();
            double intAcc = intCorrect / (double) test.count();
            System.out.printf("int8 CNN (%d steps): float accuracy %.4f, int8 accuracy %.4f, same prediction on %.4f of %d images%n",
                    STEPS, floatAcc, intAcc, agree / (double) test.count(), test.count());
            assertThat(floatAcc).as("the briefly trained float CNN learned something").isGreaterThan(0.8);
            assertThat(Math.abs(intAcc - floatAcc)).isLessThanOrEqualTo(0.01);
            assertThat(agree / (double) test.count()).isGreaterThanOrEqualTo(0.97);
        }
    }
}

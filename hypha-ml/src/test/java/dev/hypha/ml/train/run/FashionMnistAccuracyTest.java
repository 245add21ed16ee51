package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped example specs reach the targets on the real Fashion-MNIST test set: MLP at least 88%, CNN at
 * least 91%. Minutes of training each, so tagged slow (scripts/test-slow.sh); needs Debian's dataset-fashion-mnist.
 */
@Tag("slow")
class FashionMnistAccuracyTest {
    @TempDir
    Path home;

    @ParameterizedTest
    @CsvSource({"fashion-mnist-mlp.toml, 0.88", "fashion-mnist-cnn.toml, 0.91"})
    void exampleReachesItsTarget(String example, double target) throws Exception {
        assumeTrue(Files.isDirectory(DatasetStore.DEBIAN_FASHION_MNIST), "apt-get install dataset-fashion-mnist");
        Path specFile = Path.of("..", "examples", example);
        byte[] bytes = Files.readAllBytes(specFile);
        ContentStore store = new ContentStore(home);
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id();
        TrainSpec spec = TrainSpecParser.parse(example, bytes);
        assertThat(spec.dataset()).as("the example names Debian's dataset by its content id").isEqualTo(dataset.toString());
        try (Parallel parallel = new Parallel(Runtime.getRuntime().availableProcessors())) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            Trainer.Result result = new Trainer(spec, ContentIds.of(bytes), datasets.load(dataset, "train"), store, gemm).run(TrainingListener.NONE);
            ModelFile.Contents model = ModelFile.decode(example, store.get(result.model()));
            Evaluator.Score score = Evaluator.evaluate(model.network(), datasets.load(dataset, "test"), gemm);
            assertThat(score.accuracy()).as("%s test accuracy", example).isGreaterThanOrEqualTo(target);
        }
    }
}

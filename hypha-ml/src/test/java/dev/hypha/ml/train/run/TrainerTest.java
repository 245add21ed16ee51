package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny model trained on the synthetic set in-process: it learns, is stored, and evaluates as stored. */
class TrainerTest {
    @TempDir
    Path dir;

    @Test
    void aSmallNetworkLearnsTheSyntheticSetAndTheStoredModelEvaluatesTheSame() throws Exception {
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(SyntheticImages.write(dir.resolve("idx"), 512, 200, 4)).id();
        String toml = SyntheticImages.spec(dataset.toString(), 96, 0);
        byte[] spec = toml.getBytes(StandardCharsets.UTF_8);
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            Trainer.Result result = new Trainer(TrainSpecParser.parse("spec", spec), ContentIds.of(spec), datasets.load(dataset, "train"),
                    store, gemm).run(TrainingListener.NONE);
            assertThat(store.ref(Trainer.MODELS, "probe")).contains(result.model());
            ModelFile.Contents model = ModelFile.decode("model", store.get(result.model()));
            assertThat(ModelFile.weightsDigest(model.network())).isEqualTo(result.weightsDigest());
            assertThat(model.optimizerState()).as("a model carries no optimizer state").isEmpty();
            Evaluator.Score score = Evaluator.evaluate(model.network(), datasets.load(dataset, "test"), gemm);
            assertThat(score.accuracy()).as("test accuracy, loss %s", score.loss()).isGreaterThan(0.9);
        }
    }

    @Test
    void aSpecWhoseNetworkDoesNotFitTheDataIsRefusedBeforeTraining() throws Exception {
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(SyntheticImages.write(dir.resolve("idx"), 32, 8, 4)).id();
        byte[] spec = SyntheticImages.spec(dataset.toString(), 4, 0).replace("linear 144 10", "linear 144 3").getBytes(StandardCharsets.UTF_8);
        try (Parallel parallel = new Parallel(1)) {
            Trainer trainer = new Trainer(TrainSpecParser.parse("spec", spec), ContentIds.of(spec), datasets.load(dataset, "train"), store,
                    new FloatMatMul(parallel));
            assertThatThrownBy(() -> trainer.run(TrainingListener.NONE)).hasMessageContaining("at least 10 class scores");
        }
    }
}

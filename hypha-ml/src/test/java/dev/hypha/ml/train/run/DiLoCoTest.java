package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DiLoCo over the synthetic image set: it is plain training when reduced to it, deterministic, and it learns. */
class DiLoCoTest {
    @TempDir
    Path dir;

    private record Setup(TrainSpec spec, byte[] specBytes, ImageSplit train, ImageSplit test, ContentStore store) {}

    private Setup setup(long steps) throws Exception {
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(SyntheticImages.write(dir.resolve("idx"), 512, 200, 4)).id();
        byte[] spec = SyntheticImages.spec(dataset.toString(), steps, 0).getBytes(StandardCharsets.UTF_8);
        return new Setup(TrainSpecParser.parse("spec", spec), spec, datasets.load(dataset, "train"),
                datasets.load(dataset, "test"), store);
    }

    @Test
    void oneWorkerWithAPlainOuterStepIsPlainTraining() throws Exception {
        Setup s = setup(20);
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            DiLoCo.Result diloco = DiLoCo.train(s.spec(), new DiLoCo.Settings(1, 5, 1f, 0f), s.train(), gemm,
                    DiLoCo.RoundListener.NONE);
            Trainer.Result plain = new Trainer(s.spec(), ContentIds.of(s.specBytes()), s.train(), s.store(), gemm)
                    .run(TrainingListener.NONE);
            List<Tensor> expected = ModelFile.decode("m", s.store().get(plain.model())).network().parameters();
            List<Tensor> actual = diloco.network().parameters();
            for (int i = 0; i < expected.size(); i++) {
                float[] e = expected.get(i).data();
                float[] a = actual.get(i).data();
                for (int j = 0; j < e.length; j++) {
                    // θ - (θ - θ') is θ' up to one rounding of the subtraction
                    assertThat(a[j]).as("parameter %d[%d]", i, j).isCloseTo(e[j], within(1e-5f));
                }
            }
            assertThat(diloco.rounds()).isEqualTo(4);
        }
    }

    @Test
    void workersThatExchangeEveryEightStepsLearnAsWellAndSendEightTimesLess() throws Exception {
        Setup s = setup(96);
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            long[] rounds = {0};
            DiLoCo.Result r = DiLoCo.train(s.spec(), DiLoCo.Settings.of(4, 8), s.train(), gemm,
                    (round, steps, loss, global) -> rounds[0]++);
            assertThat(r.rounds()).isEqualTo(12).isEqualTo(rounds[0]);
            assertThat(r.communicationSaved()).isEqualTo(8.0);
            Evaluator.Score score = Evaluator.evaluate(r.network(), s.test(), gemm);
            assertThat(score.accuracy()).as("test accuracy, loss %s", score.loss()).isGreaterThan(0.9);
            // deterministic: the same run gives the same bits
            DiLoCo.Result again = DiLoCo.train(s.spec(), DiLoCo.Settings.of(4, 8), s.train(), gemm,
                    DiLoCo.RoundListener.NONE);
            assertThat(ModelFile.weightsDigest(again.network())).isEqualTo(ModelFile.weightsDigest(r.network()));
        }
    }
}

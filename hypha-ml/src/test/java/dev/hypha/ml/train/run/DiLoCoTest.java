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
    void oneWorkerWithAPlainOuterStepIsItsRoundSpecsTrainedOneAfterAnother() throws Exception {
        Setup s = setup(20);
        ContentId specId = ContentIds.of(s.specBytes());
        DiLoCo.Settings settings = new DiLoCo.Settings(1, 5, 1f, 0f);
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            DiLoCo.Result diloco = DiLoCo.train(s.spec(), specId, settings, s.train(), gemm, DiLoCo.RoundListener.NONE);
            // What a provider does with each round's lease: the written round spec, trained by Trainer from its init.
            int[] input = {1, s.train().height(), s.train().width()};
            List<float[]> global = TrainingRun.start(s.spec(), s.train(), gemm).network().parameters().stream()
                    .map(Tensor::data).toList();
            for (long r = 0; r < 4; r++) {
                ContentId init = s.store().put(DiLoCo.globalFile(s.spec(), specId, input, global, r * 5));
                byte[] round = TrainSpecWriter.toml(DiLoCo.roundSpec(s.spec(), settings, r, 0, init));
                TrainSpec parsed = TrainSpecParser.parse("round", round);
                assertThat(parsed.init()).isEqualTo(init.toString());
                assertThat(parsed.steps()).isEqualTo(5);
                Trainer.Result result = new Trainer(parsed, ContentIds.of(round), s.train(), s.store(), gemm)
                        .run(TrainingListener.NONE);
                global = ModelFile.decode("m", s.store().get(result.model())).network().parameters().stream()
                        .map(Tensor::data).toList();
            }
            List<Tensor> actual = diloco.network().parameters();
            for (int i = 0; i < global.size(); i++) {
                float[] e = global.get(i);
                float[] a = actual.get(i).data();
                for (int j = 0; j < e.length; j++) {
                    // θ - (θ - θ') is θ' up to one rounding of the subtraction per round
                    assertThat(a[j]).as("parameter %d[%d]", i, j).isCloseTo(e[j], within(1e-5f));
                }
            }
            assertThat(diloco.rounds()).isEqualTo(4);
        }
    }

    @Test
    void theOuterStateFileGivesBackTheWeightsMomentumAndStepsBitForBitAndAGlobalModelIsNoOuterState() throws Exception {
        Setup s = setup(8);
        ContentId specId = ContentIds.of(s.specBytes());
        int[] input = {1, s.train().height(), s.train().width()};
        List<float[]> initial = dev.hypha.ml.train.Network.initialize(s.spec().layers(), input, s.spec().seed()).parameters()
                .stream().map(Tensor::data).toList();
        List<List<float[]>> results = List.of(initial.stream().map(a -> {
            float[] b = a.clone();
            for (int j = 0; j < b.length; j++) b[j] = b[j] * 0.5f + 0.01f * j;
            return b;
        }).toList());
        DiLoCo.Outer outer = DiLoCo.outerStep(DiLoCo.Outer.start(initial), results, new DiLoCo.Settings(1, 4, 0.7f, 0.9f));
        byte[] file = DiLoCo.outerFile(s.spec(), specId, input, outer, 4);
        ModelFile.Contents read = ModelFile.decode("outer", file);
        DiLoCo.Outer back = DiLoCo.outerState("outer", read);
        assertThat(read.step()).isEqualTo(4);
        for (int i = 0; i < initial.size(); i++) {
            assertThat(back.global().get(i)).containsExactly(outer.global().get(i));
            assertThat(back.momentum().get(i)).containsExactly(outer.momentum().get(i));
        }
        assertThat(DiLoCo.outerFile(s.spec(), specId, input, back, 4)).isEqualTo(file);
        byte[] global = DiLoCo.globalFile(s.spec(), specId, input, outer.global(), 4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DiLoCo.outerState("global", ModelFile.decode("global", global)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an outer state file");
    }

    @Test
    void theOuterStepIsNesterovMomentumOnTheMeanPseudoGradientInWorkerOrder() {
        DiLoCo.Settings settings = DiLoCo.Settings.of(2, 10);
        DiLoCo.Outer start = DiLoCo.Outer.start(List.of(new float[] {1f, 2f}));
        DiLoCo.Outer next = DiLoCo.outerStep(start, List.of(List.of(new float[] {0.5f, 2f}), List.of(new float[] {0.7f, 1f})),
                settings);
        // Δ = ((1-0.5)+(1-0.7))/2 = 0.4 and ((2-2)+(2-1))/2 = 0.5; v = Δ; θ -= 0.7·(Δ + 0.9·v)
        assertThat(next.momentum().getFirst()).containsExactly(0.4f, 0.5f);
        assertThat(next.global().getFirst()[0]).isCloseTo(1f - 0.7f * (0.4f + 0.9f * 0.4f), within(1e-6f));
        assertThat(next.global().getFirst()[1]).isCloseTo(2f - 0.7f * (0.5f + 0.9f * 0.5f), within(1e-6f));
        DiLoCo.Outer again = DiLoCo.outerStep(next, List.of(List.of(new float[] {0.5f, 2f}), List.of(new float[] {0.7f, 1f})),
                settings);
        assertThat(again.momentum().getFirst()[0]).isCloseTo(0.9f * 0.4f + (next.global().getFirst()[0] * 2 - 1.2f) / 2,
                within(1e-6f));
        assertThat(DiLoCo.outerStep(start, List.of(List.of(new float[] {0.5f, 2f}), List.of(new float[] {0.7f, 1f})), settings)
                .global().getFirst()).containsExactly(next.global().getFirst());
    }

    @Test
    void workersThatExchangeEveryEightStepsLearnAsWellAndSendEightTimesLess() throws Exception {
        Setup s = setup(96);
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            long[] rounds = {0};
            DiLoCo.Result r = DiLoCo.train(s.spec(), ContentIds.of(s.specBytes()), DiLoCo.Settings.of(4, 8), s.train(), gemm,
                    (round, steps, loss, global) -> rounds[0]++);
            assertThat(r.rounds()).isEqualTo(12).isEqualTo(rounds[0]);
            assertThat(r.communicationSaved()).isEqualTo(8.0);
            Evaluator.Score score = Evaluator.evaluate(r.network(), s.test(), gemm);
            assertThat(score.accuracy()).as("test accuracy, loss %s", score.loss()).isGreaterThan(0.9);
            // deterministic: the same run gives the same bits
            DiLoCo.Result again = DiLoCo.train(s.spec(), ContentIds.of(s.specBytes()), DiLoCo.Settings.of(4, 8), s.train(), gemm,
                    DiLoCo.RoundListener.NONE);
            assertThat(ModelFile.weightsDigest(again.network())).isEqualTo(ModelFile.weightsDigest(r.network()));
        }
    }
}

package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fashion-MNIST data pool with three honest contributors, one who adds many copies of a few images and one whose
 * labels are wrong: leaving one group out scores the honest ones above both, and the wrong labels below zero.
 */
class ContributionScoresTest {
    private static final int HONEST = 3;
    private static final int PER_GROUP = 200;

    @Test
    void honestDataScoresAboveDuplicatedAndMislabeledData(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(DatasetStore.DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")),
                "needs Debian's dataset-fashion-mnist (scripts/setup.sh installs it)");
        DatasetStore datasets = new DatasetStore(new ContentStore(dir));
        ContentId id = datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id();
        ImageSplit train = datasets.load(id, "train");
        ImageSplit validation = datasets.load(id, "test").head(1000);

        int n = HONEST * PER_GROUP + PER_GROUP + PER_GROUP;
        int[] indices = new int[n];
        int[] groups = new int[n];
        int k = 0;
        for (int g = 0; g < HONEST; g++) {
            for (int i = 0; i < PER_GROUP; i++) {
                indices[k] = g * PER_GROUP + i;
                groups[k++] = g;
            }
        }
        int next = HONEST * PER_GROUP;
        for (int i = 0; i < PER_GROUP; i++) { // the duplicator: 10 images, 20 copies each
            indices[k] = next + i % 10;
            groups[k++] = HONEST;
        }
        next += 10;
        int mislabeledFrom = k;
        for (int i = 0; i < PER_GROUP; i++) { // the mislabeler: new images, every label wrong
            indices[k] = next + i;
            groups[k++] = HONEST + 1;
        }
        ImageSplit picked = train.select("pool", indices);
        byte[] labels = picked.labels().clone();
        for (int i = mislabeledFrom; i < n; i++) {
            labels[i] = (byte) (((labels[i] & 0xff) + 1 + i % 9) % 10);
        }
        ImageSplit pool = new ImageSplit("pool", n, picked.height(), picked.width(), picked.classes(),
                picked.pixels(), labels);
        byte[] toml = """
                name = "pool-probe"
                dataset = "%s"
                seed = 3
                steps = 240
                batch = 32
                checkpoint_every = 0
                layers = ["flatten", "linear 784 64", "relu", "linear 64 10"]
                [optimizer]
                kind = "adamw"
                learning_rate = 0.003
                min_learning_rate = 0.0003
                warmup_steps = 10
                weight_decay = 0.01
                clip_norm = 5.0
                """.formatted(id).getBytes(StandardCharsets.UTF_8);
        try (Parallel parallel = new Parallel(2)) {
            ContributionScores.Result r = ContributionScores.leaveOneGroupOut(TrainSpecParser.parse("probe", toml), pool,
                    groups, HONEST + 2, validation, 3, new FloatMatMul(parallel));
            double[] scores = r.scores().stream().mapToDouble(ContributionScores.Score::score).toArray();
            double lowestHonest = Arrays.stream(scores, 0, HONEST).min().orElseThrow();
            assertThat(lowestHonest).as("scores %s", r.scores()).isGreaterThan(scores[HONEST])
                    .isGreaterThan(scores[HONEST + 1]);
            assertThat(scores[HONEST + 1]).as("mislabeled").isNegative();
            assertThat(r.scores().get(HONEST).samples()).isEqualTo(PER_GROUP);
        }
    }
}

package dev.hypha.ml.train.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.SyntheticImages;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge between training and verification: the checkpoints {@link Trainer} stores (what a provider's job
 * publishes and commits the root of) hold exactly the state a verifier gets by re-executing from step 0, so their
 * roots match, and the state at step 0 that a provider commits first is the replayer's initial state.
 */
class CheckpointRootTest {
    @TempDir
    Path dir;

    @Test
    void everyStoredCheckpointHasTheRootOfTheReplayedStateAtItsStep() throws Exception {
        ContentStore store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(SyntheticImages.write(dir.resolve("idx"), 64, 8, 3)).id();
        byte[] toml = SyntheticImages.spec(dataset.toString(), 9, 3).getBytes(StandardCharsets.UTF_8);
        TrainSpec spec = TrainSpecParser.parse("spec", toml);
        ContentId specId = ContentIds.of(toml);
        ImageSplit data = datasets.load(dataset, "train");
        Map<Long, ContentId> checkpoints = new LinkedHashMap<>();
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            new Trainer(spec, specId, data, store, gemm).run(new TrainingListener() {
                @Override
                public void stepDone(long step, long total, int batch, float loss) {}

                @Override
                public void checkpointed(long stepsDone, ContentId id) {
                    checkpoints.put(stepsDone, id);
                }
            });
            assertThat(checkpoints).containsOnlyKeys(3L, 6L);
            byte[] digest = specId.multihash().digest(); // what a ComputeMarket order names the spec by
            Replayer replayer = new Replayer(spec, digest, data, gemm);
            RunState start = replayer.initial();
            assertThat(start.step()).isZero();
            for (Map.Entry<Long, ContentId> c : checkpoints.entrySet()) {
                RunState stored = RunState.fromCheckpoint(ModelFile.decode("checkpoint", store.get(c.getValue())));
                assertThat(stored.step()).isEqualTo(c.getKey());
                assertThat(replayer.root(stored)).isEqualTo(replayer.root(replayer.replay(start, c.getKey())));
            }
            RunState at3 = RunState.fromCheckpoint(ModelFile.decode("checkpoint", store.get(checkpoints.get(3L))));
            assertThat(replayer.check(at3, 6, replayer.root(RunState.fromCheckpoint(
                    ModelFile.decode("checkpoint", store.get(checkpoints.get(6L)))))).matches()).isTrue();
        }
    }
}

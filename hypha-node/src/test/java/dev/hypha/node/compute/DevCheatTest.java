package dev.hypha.node.compute;

import dev.hypha.node.testing.SyntheticDatasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.Replayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev-only cheat is what a provider's training really commits, and its own replay reproduces exactly that (so a
 * cheater defends its roots consistently in a dispute), while honest re-execution, what verifiers and referees do,
 * gives other roots from step 1 on.
 */
class DevCheatTest {
    @Test
    void aCheatersTrainingAndItsReplayAgreeAndHonestReplayDoesNot(@TempDir Path dir) {
        ContentStore store = new ContentStore(dir);
        ContentId dataset = SyntheticDatasets.threeClasses(store);
        byte[] specBytes = ("name = \"c\"\ndataset = \"" + dataset + "\"\nseed = 5\nsteps = 12\nbatch = 6\ncheckpoint_every = 4\n"
                + "layers = [\"flatten\", \"linear 64 16\", \"relu\", \"dropout 0.1\", \"linear 16 3\"]\n[optimizer]\n"
                + "kind = \"adamw\"\nlearning_rate = 0.01\n").getBytes(StandardCharsets.UTF_8);
        ContentId specId = store.put(specBytes);
        TrainSpec spec = TrainSpecParser.parse("spec", specBytes);
        ImageSplit data = new DatasetStore(store).load(dataset, "train");
        TreeMap<Long, RunState> claimed = new TreeMap<>();
        try (Parallel p = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(p);
            // The cheater's training, through the same listener hook JobRunner uses.
            new Trainer(spec, specId, data, store, gemm).run(new TrainingListener() {
                @Override
                public void stepDone(long step, long total, int batch, float loss) {}

                @Override
                public void parametersUpdated(long step, List<dev.hypha.ml.train.Tensor> parameters) {
                    DevCheat.NOISE.afterStep(step, parameters);
                }

                @Override
                public void checkpointed(long stepsDone, ContentId id) {
                    claimed.put(stepsDone, RunState.fromCheckpoint(ModelFile.decode(id.toString(), store.get(id))));
                }

                @Override
                public boolean keepsFinalState() {
                    return true;
                }

                @Override
                public void finalState(long stepsDone, ContentId id) {
                    checkpointed(stepsDone, id);
                }
            });
            assertThat(claimed.keySet()).containsExactly(4L, 8L, 12L);

            Replayer replayer = new Replayer(spec, specId.multihash().digest(), data, gemm);
            RunState initial = replayer.initial();
            for (long step : claimed.keySet()) {
                byte[] root = replayer.root(claimed.get(step));
                assertThat(replayer.root(DevCheat.NOISE.replay(replayer, initial, step))).as("cheater's replay to %d", step)
                        .isEqualTo(root);
                assertThat(replayer.root(replayer.replay(initial, step))).as("honest replay to %d", step).isNotEqualTo(root);
            }
            // After the tampered step, the cheater trains honestly on from its own claims: a verifier replaying a later
            // segment from the claim at its start agrees with it, so only the first segment is disputed.
            assertThat(replayer.root(replayer.replay(claimed.get(4L), 8))).isEqualTo(replayer.root(claimed.get(8L)));
            assertThat(replayer.root(DevCheat.NOISE.replay(replayer, claimed.get(4L), 8))).isEqualTo(replayer.root(claimed.get(8L)));
            // The one wrong step is step 0 (0 -> 1): the state at 0 agrees, the state at 1 does not.
            assertThat(replayer.root(DevCheat.NOISE.replay(replayer, initial, 0))).isEqualTo(replayer.root(initial));
            assertThat(replayer.root(DevCheat.NOISE.replay(replayer, initial, 1)))
                    .isNotEqualTo(replayer.root(replayer.replay(initial, 1)));
            // An honest provider's replay is the plain one.
            assertThat(replayer.root(DevCheat.NONE.replay(replayer, initial, 5))).isEqualTo(replayer.root(replayer.replay(initial, 5)));
        }
    }

    @Test
    void onlyNamedCheatsParse() {
        assertThat(DevCheat.parse(" Noise ")).isEqualTo(DevCheat.NOISE);
        assertThatThrownBy(() -> DevCheat.parse("none")).hasMessageContaining("unknown cheat 'none' (there is: noise)");
        assertThatThrownBy(() -> DevCheat.parse("skip")).hasMessageContaining("unknown cheat 'skip'");
    }

}

package dev.hypha.ml.train.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.run.Checkpoints;
import dev.hypha.ml.train.run.LoraFinetune;
import dev.hypha.ml.train.run.LoraRun;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA fine-tune of the shipped hypha-tiny through the same verification seam as a classifier: the run reports its
 * initial state and stores every checkpoint (and the final state); each checkpoint read back ({@link Checkpoints})
 * has the root a verifier's re-execution ({@link LoraReplay}, another thread count) reaches from the initial state,
 * and a tampered adapter is a mismatch that bisection pins to the tampered step.
 */
class LoraReplayTest {
    private static final Path HYPHA_TINY = Path.of("..", "hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    private static final byte[] DIGEST = new byte[32];

    @TempDir
    Path dir;

    @Test
    void anHonestProvidersLoraStatesMatchReplayWhateverTheSeedAndEitherSidesThreadCount() throws Exception {
        DIGEST[0] = 7;
        Path data = data();
        ContentStore store = new ContentStore(dir.resolve("store"));
        for (long seed = 11; seed < 13; seed++) {
            LoraFinetune.Options o = options(seed);
            LoraRun.Inputs inputs = LoraRun.Inputs.read(HYPHA_TINY, data, o);
            for (int providerThreads : new int[] {1, 3}) {
                List<RunState> initial = new ArrayList<>();
                TreeMap<Long, ContentId> checkpoints = provide(data, o, providerThreads, store, initial);
                try (Parallel p = new Parallel(2)) {
                    Replayer replayer = new Replayer(new LoraReplay(inputs, o, new FloatMatMul(p)), DIGEST);
                    assertThat(replayer.root(replayer.initial())).isEqualTo(replayer.root(initial.getFirst()));
                    RunState from = replayer.initial();
                    for (var e : checkpoints.entrySet()) {
                        RunState committed = replayer.checkpoint(e.getValue().toString(), store.get(e.getValue()));
                        assertThat(replayer.check(from, e.getKey(), replayer.root(committed)).matches())
                                .as("seed %d, provider threads %d, steps %d..%d", seed, providerThreads, from.step(), e.getKey())
                                .isTrue();
                        from = committed;
                    }
                }
            }
        }
    }

    @Test
    void everyCommittedLoraStateIsWhatReplayGivesAndATamperedOneIsPinnedToItsStep() throws Exception {
        DIGEST[0] = 7;
        Path data = data();
        LoraFinetune.Options o = options(3);
        ContentStore store = new ContentStore(dir.resolve("store"));
        List<RunState> initial = new ArrayList<>();
        TreeMap<Long, ContentId> checkpoints = provide(data, o, 2, store, initial);
        assertThat(checkpoints.keySet()).containsExactly(2L, 4L, 6L);
        assertThat(initial).hasSize(1);
        verifyAndCatchTamper(data, o, store, initial, checkpoints);
    }

    @Test
    void aCommittedLoraStateWhoseNextStepDivergesReplaysToOneDivergedRootOnAnyThreadCount() throws Exception {
        DIGEST[0] = 7;
        Path data = data();
        LoraFinetune.Options o = options(5);
        LoraRun.Inputs inputs = LoraRun.Inputs.read(HYPHA_TINY, data, o);
        List<byte[]> roots = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            try (Parallel p = new Parallel(threads)) {
                FloatMatMul gemm = new FloatMatMul(p);
                Replayer replayer = new Replayer(new LoraReplay(inputs, o, gemm), DIGEST);
                // A provider's committed state at step 2: finite, but huge, so the next step overflows to NaN.
                RunState honest2 = replayer.replay(replayer.initial(), 2);
                List<float[]> params = honest2.parameters();
                params.forEach(a -> Arrays.fill(a, Float.MAX_VALUE));
                RunState served = new RunState(2, params, honest2.optimizerState());
                assertThatThrownBy(() -> LoraRun.resume(inputs, o, gemm, served).step()).hasMessageContaining("diverged at step 2");
                // Re-execution does not stop: it gives the diverged state, which mismatches any honest claim.
                RunState diverged = replayer.replay(served, 4);
                assertThat(diverged.step()).isEqualTo(4);
                assertThat(diverged.parametersView().stream().anyMatch(a -> Float.isNaN(a[0]))).isTrue();
                assertThat(replayer.check(served, 4, replayer.root(replayer.replay(honest2, 4))).matches()).isFalse();
                roots.add(replayer.root(replayer.replay(served, 3)));
            }
        }
        // Whatever NaN the hardware makes, the root is the same on every thread count: a referee agrees with it.
        assertThat(roots.get(1)).isEqualTo(roots.get(0));
    }

    private Path data() throws Exception {
        return Files.writeString(dir.resolve("data.jsonl"), String.join("\n",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"What is LoRA?\"},{\"role\":\"assistant\",\"content\":\"A low-rank update.\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Who pays?\"},{\"role\":\"assistant\",\"content\":\"The tenant, per second.\"}]}")
                + "\n");
    }

    private static LoraFinetune.Options options(long seed) {
        return new LoraFinetune.Options(new LoraSettings(2, 4f, EnumSet.of(LoraTarget.Q, LoraTarget.V)), 6, 2, 16, 1e-2f, seed, 1f, 2);
    }

    /** A provider's run: its initial state into {@code initial}, its checkpoints (and final state) by step. */
    private TreeMap<Long, ContentId> provide(Path data, LoraFinetune.Options o, int threads, ContentStore store,
                                             List<RunState> initial) {
        TreeMap<Long, ContentId> checkpoints = new TreeMap<>();
        Path out = dir.resolve("out-" + o.seed() + "-" + threads).resolve("a.gguf");
        LoraFinetune.run(HYPHA_TINY, data, out, null, o, threads, o.steps(), new TrainingListener() {
            @Override
            public void stepDone(long step, long total, int batch, float loss) {}

            @Override
            public void initialState(RunState s) {
                initial.add(s);
            }

            @Override
            public void checkpointed(long stepsDone, ContentId id) {
                checkpoints.put(stepsDone, id);
            }

            @Override
            public boolean keepsFinalState() {
                return true;
            }

            @Override
            public void finalState(long stepsDone, ContentId id) {
                checkpoints.put(stepsDone, id);
            }
        }, store);
        return checkpoints;
    }

    private void verifyAndCatchTamper(Path data, LoraFinetune.Options o, ContentStore store, List<RunState> initial,
                                      TreeMap<Long, ContentId> checkpoints) {
        try (Parallel p = new Parallel(1)) {
            LoraReplay job = new LoraReplay(LoraRun.Inputs.read(HYPHA_TINY, data, o), o, new FloatMatMul(p));
            Replayer replayer = new Replayer(job, DIGEST);
            assertThat(replayer.root(replayer.initial())).isEqualTo(replayer.root(initial.getFirst()));
            RunState from = replayer.initial();
            for (var e : checkpoints.entrySet()) {
                RunState committed = replayer.checkpoint(e.getValue().toString(), store.get(e.getValue()));
                assertThat(committed.step()).isEqualTo(e.getKey());
                assertThat(replayer.check(from, e.getKey(), replayer.root(committed)).matches())
                        .as("segment %d..%d", from.step(), e.getKey()).isTrue();
                from = committed;
            }

            // A provider that adds noise to the adapter after step 3 and trains on from there.
            RunState honest3 = replayer.replay(replayer.initial(), 3);
            List<float[]> params = new ArrayList<>(honest3.parameters());
            params.getFirst()[0] += 1e-3f;
            RunState cheated3 = new RunState(3, params, honest3.optimizerState());
            List<byte[]> claims = new ArrayList<>();
            for (long s = 0; s <= 6; s++) {
                claims.add(replayer.root(s <= 2 ? replayer.replay(replayer.initial(), s)
                        : s == 3 ? cheated3 : replayer.replay(cheated3, s)));
            }
            RunState at2 = replayer.checkpoint("cp2", store.get(checkpoints.get(2L)));
            assertThat(replayer.check(at2, 4, claims.get(4)).matches()).isFalse();
            Optional<Replayer.Divergence> d = replayer.firstDifference(at2, 4, step -> claims.get((int) step));
            assertThat(d).isPresent();
            assertThat(d.get().step()).as("the first wrong step is 2 -> 3").isEqualTo(2);
        }

        // A checkpoint of another shape, or not a checkpoint at all, is refused naming it.
        byte[] cp = store.get(checkpoints.get(2L));
        Checkpoints.Shape wrong = new Checkpoints.Shape(new int[] {1}, new int[] {1, 1});
        assertThatThrownBy(() -> Checkpoints.state("cp", cp, wrong)).hasMessageContaining("checkpoint cp");
        assertThatThrownBy(() -> Checkpoints.state("junk", new byte[] {1, 2, 3}, wrong)).isInstanceOf(RuntimeException.class);
    }
}

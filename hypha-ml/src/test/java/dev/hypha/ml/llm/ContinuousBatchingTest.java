package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.tensor.GgmlType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Concurrent streams share decode steps, and a stream's tokens and log-probabilities are the same bits alone as in a
 * batch of eight; an abandoned stream stops alone; open streams are bounded.
 */
class ContinuousBatchingTest {
    static final int VOCAB = 96;
    static final int STREAMS = 8;
    static final int TOKENS = 24;

    static final TokenDecoder DECODER = new TokenDecoder() {
        @Override
        public byte[] bytes(int token) {
            return ((char) ('a' + token % 26) + " ").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return false;
        }
    };

    /** What one generation produced: tokens, and per token its log-probability and top-5 alternatives. */
    record Output(int[] tokens, List<LogprobRecorder.Entry> logprobs) {
        void assertSameBits(Output o, int stream) {
            assertThat(o.tokens).as("stream %d tokens", stream).isEqualTo(tokens);
            assertThat(o.logprobs).as("stream %d log-probabilities", stream).hasSameSizeAs(logprobs);
            for (int i = 0; i < logprobs.size(); i++) {
                LogprobRecorder.Entry a = logprobs.get(i);
                LogprobRecorder.Entry b = o.logprobs.get(i);
                assertThat(Float.floatToRawIntBits(b.logprob())).as("stream %d step %d", stream, i)
                        .isEqualTo(Float.floatToRawIntBits(a.logprob()));
                assertThat(b.topTokens()).isEqualTo(a.topTokens());
                for (int j = 0; j < a.topLogprobs().length; j++) {
                    assertThat(Float.floatToRawIntBits(b.topLogprobs()[j])).isEqualTo(Float.floatToRawIntBits(a.topLogprobs()[j]));
                }
            }
        }
    }

    static int[] prompt(int stream) {
        SplittableRandom r = new SplittableRandom(100 + stream);
        int[] p = new int[3 + stream * 3]; // 3..24 tokens: the longer ones take several prompt chunks of 8
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextInt(VOCAB);
        }
        return p;
    }

    static Generator.Options options(int stream) {
        // seeded sampling with penalties: the draw and the history must line up exactly for the bits to match
        return new Generator.Options(TOKENS, SamplingOptions.defaults().withTemperature(0.9f).withTopK(20)
                .withSeed(7000 + stream).withPenalties(1.1f, 0f, 0f, 16), List.of());
    }

    static Output generate(Model model, int stream, SessionRunner runner, Generator.Listener listener) {
        LogprobRecorder recorder = new LogprobRecorder(TokenConstraint.NONE, DECODER, 5);
        Generator.Result r = new Generator(model.newSession(64), DECODER, System::nanoTime, runner)
                .generate(prompt(stream), options(stream), listener, recorder);
        return new Output(r.tokens(), recorder.entries());
    }

    static Model model(Architecture arch, GgmlType type) {
        // gemma2: soft-capping, sliding-window layers (window 8, crossed by the longer prompts), tied embeddings
        RandomModelFactory.Spec spec = arch == Architecture.GEMMA2
                ? new RandomModelFactory.Spec(arch, 64, 128, 2, 4, 2, 16, VOCAB, 256, type, true, 41, 8)
                : RandomModelFactory.Spec.tiny(arch, type, VOCAB, 41);
        return Model.load(RandomModelFactory.inMemory(spec), new Model.Options(2, true, 8));
    }

    @Test
    void eachStreamHasTheSameBitsAloneAsAmongEightConcurrentStreams() throws Exception {
        for (Architecture arch : List.of(Architecture.LLAMA, Architecture.GEMMA2)) {
            try (Model model = model(arch, arch == Architecture.LLAMA ? GgmlType.Q4_0 : GgmlType.Q4_K)) {
                List<Output> alone = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    alone.add(generate(model, i, SessionRunner.DIRECT, (id, text) -> { }));
                }
                try (ContinuousBatcher batcher = new ContinuousBatcher(model, STREAMS, 8, "test");
                     ExecutorService threads = Executors.newFixedThreadPool(STREAMS)) {
                    List<ContinuousBatcher.Stream> streams = new ArrayList<>();
                    for (int i = 0; i < STREAMS; i++) {
                        streams.add(batcher.open());
                    }
                    List<Future<Output>> together = new ArrayList<>();
                    for (int i = 0; i < STREAMS; i++) {
                        int stream = i;
                        together.add(threads.submit(() -> {
                            try (ContinuousBatcher.Stream s = streams.get(stream)) {
                                return generate(model, stream, s, (id, text) -> { });
                            }
                        }));
                    }
                    for (int i = 0; i < STREAMS; i++) {
                        alone.get(i).assertSameBits(together.get(i).get(), i);
                    }
                    ContinuousBatcher.Stats stats = batcher.stats();
                    // every generated token but the last is one decode row; so is stream 2's last prompt token (its
                    // 9 tokens are a chunk of 8 and one left over, which joins a decode step)
                    assertThat(stats.decodeRows()).isEqualTo((long) STREAMS * (TOKENS - 1) + 1);
                    assertThat(stats.promptChunks()).isGreaterThanOrEqualTo(STREAMS);
                }
            }
        }
    }

    @Test
    void aDecodeStepOfEightSessionsGivesEachTheLogitsItGetsAlone() {
        try (Model model = model(Architecture.QWEN2, GgmlType.Q8_0)) {
            DecodeBatch batch = new DecodeBatch(model, STREAMS);
            Session[] together = new Session[STREAMS];
            Session[] alone = new Session[STREAMS];
            int[] next = new int[STREAMS];
            for (int i = 0; i < STREAMS; i++) {
                together[i] = model.newSession(64);
                alone[i] = model.newSession(64);
                together[i].process(prompt(i)); // different lengths: each row attends to its own cache and position
                alone[i].process(prompt(i));
                next[i] = (i * 11) % VOCAB;
            }
            for (int step = 0; step < 6; step++) {
                float[][] logits = batch.step(together, next, STREAMS);
                for (int i = 0; i < STREAMS; i++) {
                    assertThat(logits[i]).as("session %d step %d", i, step).isEqualTo(alone[i].process(new int[] {next[i]}));
                    assertThat(together[i].position()).isEqualTo(alone[i].position());
                    next[i] = dev.hypha.ml.sampling.Sampler.argmax(logits[i]);
                }
            }
        }
    }

    @Test
    void anAbandonedStreamStopsAloneAndTheOthersFinishUnchanged() throws Exception {
        try (Model model = model(Architecture.LLAMA, GgmlType.Q8_0);
             ContinuousBatcher batcher = new ContinuousBatcher(model, 4, 8, "test");
             ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Output> alone = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                alone.add(generate(model, i, SessionRunner.DIRECT, (id, text) -> { }));
            }
            List<ContinuousBatcher.Stream> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(batcher.open());
            }
            List<Future<Output>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int stream = i;
                int[] seen = new int[1];
                runs.add(threads.submit(() -> {
                    try (ContinuousBatcher.Stream s = streams.get(stream)) {
                        return generate(model, stream, s, (id, text) -> {
                            if (stream == 1 && ++seen[0] == 3) {
                                throw new IllegalStateException("client went away"); // as a failed write does
                            }
                        });
                    }
                }));
            }
            assertThatThrownBy(runs.get(1)::get).hasRootCauseMessage("client went away");
            for (int i : new int[] {0, 2, 3}) {
                alone.get(i).assertSameBits(runs.get(i).get(), i);
            }
            ContinuousBatcher.Stats stats = batcher.stats();
            // the abandoned stream ran its prompt and two decode steps, the others all of theirs (+ stream 2's ninth
            // prompt token, left over after a chunk of 8)
            assertThat(stats.decodeRows()).isEqualTo(3L * (TOKENS - 1) + 2 + 1);
        }
    }

    @Test
    void anInterruptedWaitIsCancelledAndTheStreamCanLeave() throws Exception {
        try (Model model = model(Architecture.LLAMA, GgmlType.Q8_0);
             ContinuousBatcher batcher = new ContinuousBatcher(model, 2, 8, "test")) {
            ContinuousBatcher.Stream stream = batcher.open();
            Thread.currentThread().interrupt();
            // either cancelled before its step ran, or the step finished and the interrupt is still noted
            try {
                stream.process(model.newSession(64), prompt(7));
            } catch (CancellationException expected) {
                // left before it ran
            }
            assertThat(Thread.interrupted()).isTrue();
            stream.close();
            try (ContinuousBatcher.Stream again = batcher.open()) {
                Session s = model.newSession(64);
                assertThat(again.process(s, prompt(2))).isEqualTo(model.newSession(64).process(prompt(2)));
            }
        }
    }

    @Test
    void openStreamsAreBoundedAndTheNextWaitsItsTurn() throws Exception {
        try (Model model = model(Architecture.LLAMA, GgmlType.Q8_0);
             ContinuousBatcher batcher = new ContinuousBatcher(model, 2, 8, "test")) {
            ContinuousBatcher.Stream a = batcher.open();
            ContinuousBatcher.Stream b = batcher.open();
            Thread third = Thread.ofPlatform().start(() -> {
                try (ContinuousBatcher.Stream c = batcher.open()) {
                    c.process(model.newSession(64), prompt(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            while (batcher.waitingToOpen() == 0) {
                Thread.onSpinWait(); // until the third is queued; no time limit
            }
            assertThat(third.isAlive()).isTrue();
            a.close();
            third.join();
            b.close();
            assertThat(batcher.waitingToOpen()).isZero();
        }
    }

    @Test
    void aStepRefusesWhatItCannotRunBeforeComputing() {
        try (Model model = model(Architecture.LLAMA, GgmlType.Q8_0);
             Model other = model(Architecture.LLAMA, GgmlType.Q8_0)) {
            DecodeBatch batch = new DecodeBatch(model, 4);
            Session s = model.newSession(4);
            assertThatThrownBy(() -> batch.step(new Session[] {s, s}, new int[] {1, 2}, 2))
                    .hasMessageContaining("appears twice");
            assertThatThrownBy(() -> batch.step(new Session[] {other.newSession(8)}, new int[] {1}, 1))
                    .hasMessageContaining("another model");
            assertThatThrownBy(() -> batch.step(new Session[] {s}, new int[] {VOCAB}, 1))
                    .hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> batch.step(new Session[] {s, model.newSession(8, KvCache.Type.F16)}, new int[] {1, 2}, 2))
                    .isInstanceOf(IllegalArgumentException.class);
            s.process(new int[] {1, 2, 3, 4});
            assertThatThrownBy(() -> batch.step(new Session[] {s}, new int[] {1}, 1))
                    .isInstanceOf(ContextOverflowException.class);
            assertThat(s.position()).isEqualTo(4);
            assertThatThrownBy(() -> new DecodeBatch(model, 0)).hasMessageContaining("1 to 256");
        }
    }
}

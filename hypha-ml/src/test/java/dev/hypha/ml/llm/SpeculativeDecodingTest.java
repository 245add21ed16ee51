package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.tensor.GgmlType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding gives exactly the target's own greedy output (tokens, text, stop reason, and the session left
 * at the same position, so a next turn continues identically) whatever the draft: the same model (every guess kept,
 * which shows the batched check is real), the same weights in Q4_0 (most guesses kept), an unrelated model (few kept).
 */
class SpeculativeDecodingTest {
    static final int VOCAB = GeneratorTest.VOCAB;
    static Model target;
    static Model sameModel;
    static Model quantizedTwin;
    static Model unrelated;

    @BeforeAll
    static void load() {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q8_0, VOCAB, 13);
        target = Model.load(RandomModelFactory.inMemory(spec), Model.Options.defaults());
        sameModel = Model.load(RandomModelFactory.inMemory(spec), Model.Options.defaults());
        quantizedTwin = Model.load(RandomModelFactory.inMemory(spec.withType(GgmlType.Q4_0)), Model.Options.defaults());
        unrelated = Model.load(RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q4_0,
                VOCAB, 99)), Model.Options.defaults());
    }

    @AfterAll
    static void close() {
        for (Model m : List.of(target, sameModel, quantizedTwin, unrelated)) {
            m.close();
        }
    }

    record Run(Generator.Result result, String streamed, int position) {}

    private static Run run(Session session, SpeculativeDraft draft, int[] prompt, Generator.Options options) {
        StringBuilder streamed = new StringBuilder();
        Generator g = new Generator(session, GeneratorTest.DECODER, System::nanoTime, draft);
        Generator.Result r = g.generate(prompt, options, (token, text) -> streamed.append(text));
        return new Run(r, streamed.toString(), session.position());
    }

    private static void assertSame(Run spec, Run plain) {
        assertThat(spec.result().tokens()).isEqualTo(plain.result().tokens());
        assertThat(spec.result().text()).isEqualTo(plain.result().text());
        assertThat(spec.result().stopReason()).isEqualTo(plain.result().stopReason());
        assertThat(spec.streamed()).isEqualTo(plain.streamed());
        assertThat(spec.position()).isEqualTo(plain.position());
    }

    @Test
    void everyDraftGivesTheTargetsOwnGreedyOutputTurnAfterTurn() {
        int[] prompt = {1, 2, 3, 4, 5};
        List<Generator.Options> cases = List.of(
                Generator.Options.greedy(40),
                Generator.Options.greedy(7),
                new Generator.Options(40, SamplingOptions.greedy(), List.of("k ")),
                // penalties make each pick depend on the history, which the check must extend guess by guess
                new Generator.Options(40, new SamplingOptions(0f, 0, 1f, 0f, 1.3f, 0.2f, 0.1f, 16, 0L), List.of()),
                Generator.Options.greedy(200)); // runs into the 96-token context
        for (Model draftModel : List.of(sameModel, quantizedTwin, unrelated)) {
            for (int k : new int[] {1, 3, 8}) {
                for (Generator.Options options : cases) {
                    Session plainSession = target.newSession(96);
                    Session specSession = target.newSession(96);
                    SpeculativeDraft draft = new SpeculativeDraft(draftModel.newSession(96), k, VOCAB);
                    Run plain = run(plainSession, null, prompt, options);
                    Run spec = run(specSession, draft, prompt, options);
                    assertSame(spec, plain);
                    // a second turn on the same sessions continues identically, also after rewinding to a shared prefix
                    if (plainSession.position() + 10 < plainSession.contextSize()) {
                        assertSame(run(specSession, draft, new int[] {7, 8}, Generator.Options.greedy(6)),
                                run(plainSession, null, new int[] {7, 8}, Generator.Options.greedy(6)));
                        plainSession.rewind(3);
                        specSession.rewind(3);
                        assertSame(run(specSession, draft, new int[] {9, 10, 11}, Generator.Options.greedy(12)),
                                run(plainSession, null, new int[] {9, 10, 11}, Generator.Options.greedy(12)));
                    }
                }
            }
        }
    }

    @Test
    void theSameModelAsDraftHasEveryGuessKept() {
        SpeculativeDraft same = new SpeculativeDraft(sameModel.newSession(256), 4, VOCAB);
        run(target.newSession(256), same, new int[] {1, 2, 3}, Generator.Options.greedy(60));
        SpeculativeDraft other = new SpeculativeDraft(unrelated.newSession(256), 4, VOCAB);
        run(target.newSession(256), other, new int[] {1, 2, 3}, Generator.Options.greedy(60));
        List<String> report = new ArrayList<>();
        report.add("same model: " + same.accepted() + "/" + same.drafted());
        report.add("unrelated: " + other.accepted() + "/" + other.drafted());
        System.out.println("speculative guesses kept: " + report);
        assertThat(same.drafted()).isPositive();
        assertThat(same.accepted()).isEqualTo(same.drafted());
        assertThat(other.accepted()).isLessThan(other.drafted());
    }

    @Test
    void sampledGenerationsIgnoreTheDraftAndStayReproducible() {
        SamplingOptions sampled = new SamplingOptions(0.8f, 40, 0.95f, 0.05f, 1.1f, 0f, 0f, 64, 42L);
        Generator.Options options = new Generator.Options(30, sampled, List.of());
        SpeculativeDraft draft = new SpeculativeDraft(sameModel.newSession(128), 4, VOCAB);
        Run spec = run(target.newSession(128), draft, new int[] {1, 2, 3}, options);
        Run plain = run(target.newSession(128), null, new int[] {1, 2, 3}, options);
        assertSame(spec, plain);
        assertThat(draft.drafted()).isZero();
    }

    @Test
    void aDraftMustShareTheVocabularyAndStartEmpty() {
        Model other = Model.load(RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q8_0,
                VOCAB + 1, 1)), Model.Options.defaults());
        try {
            assertThatThrownBy(() -> new SpeculativeDraft(other.newSession(32), 4, VOCAB))
                    .hasMessageContaining("vocabulary has " + (VOCAB + 1));
        } finally {
            other.close();
        }
        assertThatThrownBy(() -> new SpeculativeDraft(sameModel.newSession(32), 0, VOCAB)).hasMessageContaining("between 1 and");
        Session used = sameModel.newSession(32);
        used.process(new int[] {1});
        assertThatThrownBy(() -> new SpeculativeDraft(used, 4, VOCAB)).hasMessageContaining("start empty");
    }
}

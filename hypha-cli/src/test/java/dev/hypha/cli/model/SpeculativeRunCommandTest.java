package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha run --draft}: a Q4_0 copy of the model's weights drafts for the Q8_0 model, and the answers (one-shot
 * and across chat turns) are exactly those without a draft; a draft with another vocabulary is refused by name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpeculativeRunCommandTest {
    Path home;

    @BeforeAll
    void importModels(@TempDir Path dir) {
        home = dir.resolve("home");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 5);
        Path model = dir.resolve("chat.gguf");
        Path draft = dir.resolve("draft.gguf");
        Path foreign = dir.resolve("foreign.gguf");
        RandomModelFactory.write(spec, vocab, model);
        RandomModelFactory.write(spec.withType(GgmlType.Q4_0), vocab, draft);
        TokenizerConfig other = TestVocabularies.byteLevelBpe(900);
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q4_0, other.size(), 5), other, foreign);
        for (String[] m : new String[][] {{model.toString(), "chat"}, {draft.toString(), "draft"}, {foreign.toString(), "foreign"}}) {
            ModelCli imported = ModelCli.run(home, "model", "import", m[0], "--name", m[1]);
            assertThat(imported.exitCode()).as(imported.err()).isZero();
        }
    }

    private ModelCli run(String stdin, String... args) {
        String[] greedy = {"--temperature", "0", "--num-predict", "24", "--threads", "2"};
        String[] all = new String[args.length + greedy.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(greedy, 0, all, args.length, greedy.length);
        return ModelCli.runWithInput(home, stdin, all);
    }

    @Test
    void aDraftedAnswerIsTheModelsOwnAnswer() {
        ModelCli plain = run(null, "run", "chat", "Tell me a fortune.");
        ModelCli drafted = run(null, "run", "chat", "Tell me a fortune.", "--draft", "draft", "--draft-tokens", "4", "--verbose");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(drafted.exitCode()).as(drafted.err()).isZero();
        assertThat(drafted.out()).isEqualTo(plain.out()).isNotBlank();
        assertThat(drafted.err()).containsPattern("draft: [1-9][0-9]* of [1-9][0-9]* guessed tokens kept so far");
    }

    @Test
    void aDraftedChatIsTheModelsOwnChatTurnAfterTurn() {
        String turns = "What is a fortune?\nAnd a cookie?\n/clear\nWhat is a fortune?\n/bye\n";
        ModelCli plain = run(turns, "run", "chat");
        ModelCli drafted = run(turns, "run", "chat", "--draft", "draft");
        assertThat(drafted.exitCode()).as(drafted.err()).isZero();
        assertThat(drafted.out()).isEqualTo(plain.out());
    }

    @Test
    void aDraftWithAnotherVocabularyIsRefused() {
        ModelCli r = run(null, "run", "chat", "hello", "--draft", "foreign");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("foreign", "vocabulary");
    }

    @Test
    void theKvCacheTypeIsChosenAndChecked() {
        ModelCli f16 = run(null, "run", "chat", "Tell me a fortune.", "--kv-cache", "f16");
        assertThat(f16.exitCode()).as(f16.err()).isZero();
        assertThat(f16.out()).isNotBlank();
        ModelCli q8 = run(null, "run", "chat", "hello", "--kv-cache", "q8_0");
        assertThat(q8.exitCode()).isNotZero(); // this tiny model's heads are 16 long
        assertThat(q8.err()).contains("multiple of 32");
        ModelCli bad = run(null, "run", "chat", "hello", "--kv-cache", "q4");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--kv-cache", "q4");
    }
}

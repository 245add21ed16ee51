package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha run} on a tiny random-weight Qwen2-style model with a fortunes-trained BPE vocabulary and the ChatML
 * template: its greedy answers equal what the engine gives when called directly, one-shot and across chat turns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunCommandTest {
    static final int PREDICT = 12;

    Path home;
    Path model;

    @BeforeAll
    void importModel(@TempDir Path dir) {
        home = dir.resolve("home");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        model = dir.resolve("chat.gguf");
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 5),
                vocab, model);
        ModelCli imported = ModelCli.run(home, "model", "import", model.toString(), "--name", "chat");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
    }

    private static final String[] GREEDY = {"--temperature", "0", "--num-predict", String.valueOf(PREDICT),
        "--threads", "2"};

    private ModelCli run(String stdin, String... args) {
        String[] all = new String[args.length + GREEDY.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(GREEDY, 0, all, args.length, GREEDY.length);
        return ModelCli.runWithInput(home, stdin, all);
    }

    /** The engine called directly: render, tokenize, generate greedily, from an empty context. */
    private String engineAnswer(List<ChatMessage> messages) {
        try (GgufFile gguf = GgufFile.open(model);
             Model m = Model.load(gguf, Model.Options.defaults().withThreads(2))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            String text = ChatTemplate.fromGguf(gguf).render(messages, true);
            int[] prompt = tokenizer.encode(text, true, true);
            if (prompt.length >= 2 && prompt[0] == tokenizer.bos() && prompt[1] == tokenizer.bos()) {
                prompt = Arrays.copyOfRange(prompt, 1, prompt.length);
            }
            return new Generator(m.newSession(256), TokenDecoder.of(tokenizer))
                    .generate(prompt, Generator.Options.greedy(PREDICT), (t, s) -> { }).text();
        }
    }

    @Test
    void aModelFileDamagedWithoutASizeChangeIsRefusedAndTheErrorSaysHowToRepairIt(@TempDir Path dir)
            throws java.io.IOException {
        Path otherHome = dir.resolve("home");
        assertThat(ModelCli.run(otherHome, "model", "import", model.toString(), "--name", "chat").exitCode()).isZero();
        Path blob;
        try (var blobs = java.nio.file.Files.list(otherHome.resolve("models/blobs"))) {
            blob = blobs.findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(blob);
        bytes[bytes.length - 3] ^= 0x10; // a weight, not the header: the model still loads and answers
        java.nio.file.Files.write(blob, bytes);

        ModelCli run = ModelCli.runWithInput(otherHome, null, "run", "chat", "hello", "--temperature", "0",
                "--num-predict", "2", "--threads", "2");

        assertThat(run.exitCode()).isEqualTo(dev.hypha.core.errors.ErrorCategory.IO.exitCode());
        assertThat(run.errorLine()).contains("chat:latest", blob.toString(), "damaged",
                "chat.gguf", "hypha model import FILE --name chat:latest");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aModelFileDamagedSoThatItNoLongerLoadsIsReportedAsDamagedNotAsABadModel(@TempDir Path dir)
            throws java.io.IOException {
        Path otherHome = dir.resolve("home");
        assertThat(ModelCli.run(otherHome, "model", "import", model.toString(), "--name", "chat").exitCode()).isZero();
        Path blob;
        try (var blobs = java.nio.file.Files.list(otherHome.resolve("models/blobs"))) {
            blob = blobs.findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(blob);
        bytes[0] ^= 0x20; // the GGUF magic: the file no longer opens as a model
        java.nio.file.Files.write(blob, bytes);

        ModelCli run = ModelCli.runWithInput(otherHome, null, "run", "chat", "hello", "--threads", "2");

        assertThat(run.exitCode()).isEqualTo(dev.hypha.core.errors.ErrorCategory.IO.exitCode());
        assertThat(run.errorLine()).contains(blob.toString(), "damaged", "hypha model import FILE --name chat:latest");
    }

    @Test
    void aPromptIsAnsweredAsTheEngineAnswersIt() {
        ModelCli r = run(null, "run", "chat", "Tell me a fortune.");

        assertThat(r.exitCode()).as(r.err()).isZero();
        String expected = engineAnswer(List.of(new ChatMessage("user", "Tell me a fortune.")));
        assertThat(expected).isNotEmpty();
        // What the model generates is shown with control characters escaped (this random model emits some).
        assertThat(r.out()).isEqualTo(dev.hypha.core.text.TerminalText.block(expected) + System.lineSeparator());
    }

    @Test
    void aChatKeepsItsHistoryAndClearForgetsIt() {
        ModelCli r = run("What is a fortune?\nAnd a cookie?\n/clear\nWhat is a fortune?\n/bye\n", "run", "chat");

        assertThat(r.exitCode()).as(r.err()).isZero();
        String first = engineAnswer(List.of(new ChatMessage("user", "What is a fortune?")));
        String second = engineAnswer(List.of(new ChatMessage("user", "What is a fortune?"),
                new ChatMessage("assistant", first), new ChatMessage("user", "And a cookie?")));
        String nl = System.lineSeparator();
        assertThat(r.out()).contains(">>> " + first + nl + nl + ">>> " + second + nl + nl + ">>> Cleared the conversation."
                + nl + ">>> " + first + nl + nl + ">>> ");
        assertThat(r.out()).doesNotContain("Unknown command");
    }

    @Test
    void endOfInputLeavesTheChat() {
        ModelCli r = run("Hello\n", "run", "chat");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(">>> " + engineAnswer(List.of(new ChatMessage("user", "Hello"))));
    }

    @Test
    void verboseReportsSpeedAndSeed() {
        ModelCli r = run(null, "run", "chat", "Hi", "--verbose", "--seed", "7");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("prompt: \\d+ tokens, [0-9.]+ tokens/s; answer: \\d+ tokens, [0-9.]+"
                + " tokens/s; stopped by \\w+; seed 7");
    }

    @Test
    void aPromptThatDoesNotFitTheContextIsAClearError() {
        ModelCli r = run(null, "run", "chat", "a long question that needs more than eight tokens for sure", "--ctx", "8");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.errorLine()).contains("leaves no room in a context of 8 tokens", "--ctx");
    }

    @Test
    void aModelWithoutATokenizerCannotChat(@TempDir Path dir) {
        ModelCli imported = ModelCli.run(home, "model", "import",
                TinyModelFile.write(dir.resolve("bare.gguf"), 3).toString(), "--name", "bare");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        ModelCli r = run(null, "run", "bare", "hi");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.errorLine()).contains("model 'bare:latest' cannot chat: ", "tokenizer.ggml");
    }

    @Test
    void badOptionsAndUnknownModelsAreInputErrors() {
        assertThat(run(null, "run", "nope", "hi").errorLine()).contains("no model named 'nope:latest'");
        assertThat(run(null, "run", "chat", "hi", "--ctx", "100000").errorLine())
                .contains("--ctx must be between 1 and the model's context of 256");
        ModelCli badP = run(null, "run", "chat", "hi", "--top-p", "2");
        assertThat(badP.exitCode()).isEqualTo(3);
        assertThat(badP.errorLine()).contains("top_p must be between 0 and 1");
    }
}

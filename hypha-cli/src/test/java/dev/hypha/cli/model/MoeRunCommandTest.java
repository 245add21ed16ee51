package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A qwen3moe model (8 experts, 2 used) through the CLI: {@code hypha model show} names the architecture and the expert
 * counts, and {@code hypha run} answers as the engine does when called directly.
 */
class MoeRunCommandTest {
    static final int PREDICT = 12;

    @Test
    void showAndRunAMixtureOfExpertsModel(@TempDir Path dir) {
        Path home = dir.resolve("home");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path model = dir.resolve("moe.gguf");
        RandomModelFactory.write(new RandomModelFactory.Spec(Architecture.QWEN3MOE, 64, 192, 2, 4, 2, 16, vocab.size(),
                256, GgmlType.Q8_0, false, 5, 0, new ModelConfig.Experts(8, 2, 64)), vocab, model);
        ModelCli imported = ModelCli.run(home, "model", "import", model.toString(), "--name", "moe");
        assertThat(imported.exitCode()).as(imported.err()).isZero();

        ModelCli shown = ModelCli.run(home, "model", "show", "moe");
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).containsPattern("architecture\\s+qwen3moe")
                .containsPattern("expert_count\\s+8")
                .containsPattern("expert_used_count\\s+2")
                .containsPattern("expert_feed_forward_length\\s+64");

        ModelCli r = ModelCli.runWithInput(home, null, "run", "moe", "Tell me a fortune.", "--temperature", "0",
                "--num-predict", String.valueOf(PREDICT), "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String expected;
        try (GgufFile gguf = GgufFile.open(model);
             Model m = Model.load(gguf, Model.Options.defaults().withThreads(2))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            String text = ChatTemplate.fromGguf(gguf).render(List.of(new ChatMessage("user", "Tell me a fortune.")), true);
            int[] prompt = tokenizer.encode(text, true, true);
            if (prompt.length >= 2 && prompt[0] == tokenizer.bos() && prompt[1] == tokenizer.bos()) {
                prompt = java.util.Arrays.copyOfRange(prompt, 1, prompt.length); // as the CLI: one BOS
            }
            expected = new Generator(m.newSession(256), TokenDecoder.of(tokenizer))
                    .generate(prompt, Generator.Options.greedy(PREDICT), (t, s) -> { }).text();
        }
        assertThat(expected).isNotEmpty();
        assertThat(r.out()).isEqualTo(dev.hypha.core.text.TerminalText.block(expected) + System.lineSeparator());
    }
}

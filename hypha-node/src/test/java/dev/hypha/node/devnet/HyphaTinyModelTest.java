package dev.hypha.node.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tokenizer.TokenType;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.run.LanguageModelTrainer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped hypha-tiny model ({@value #RESOURCE}, trained by {@code examples/hypha-tiny.toml}): a Q8_0 llama GGUF with
 * its fortunes-trained vocabulary (ChatML control tokens) and chat template, which the engine loads and which answers a
 * fortune request through its template with the greedy answer the README shows. No training here.
 */
class HyphaTinyModelTest {
    static final String RESOURCE = "/dev/hypha/node/devnet/hypha-tiny.gguf";

    @TempDir
    Path dir;

    private Path shipped() throws Exception {
        Path file = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = HyphaTinyModelTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as("classpath resource " + RESOURCE).isNotNull();
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void shippedModelLoadsWithItsTemplateAndAnswers() throws Exception {
        Path file = shipped();
        assertThat(Files.size(file)).isLessThan(20L << 20);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.architecture()).isEqualTo("llama");
            assertThat(gguf.string("general.name")).contains("hypha-tiny");
            assertThat(gguf.integer("general.file_type")).contains(7L);
            assertThat(gguf.requireTensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(gguf.string("tokenizer.chat_template")).hasValueSatisfying(t -> assertThat(t).contains("<|im_start|>", "<|im_end|>"));
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            int[] imStart = tokenizer.encode("<|im_start|>", false, true);
            int[] imEnd = tokenizer.encode("<|im_end|>", false, true);
            assertThat(imStart).hasSize(1);
            assertThat(imEnd).hasSize(1);
            assertThat(tokenizer.tokenType(imStart[0])).isEqualTo(TokenType.CONTROL);
            assertThat(tokenizer.isEndOfGeneration(imEnd[0])).isTrue();
            try (Model model = Model.load(gguf, new Model.Options(1, true, 8))) {
                assertThat(model.config().vocabSize()).isEqualTo(tokenizer.vocabSize());
            }
        }
        String answer = LanguageModelTrainer.answer(file, "Tell me a fortune about computers.", 120, 1);
        assertThat(answer).isNotBlank();
        assertThat(answer).isEqualTo(README_COMPUTERS_ANSWER);
    }

    /** The greedy answer shown in README.md (deterministic mode: the same on every machine and thread count). */
    static final String README_COMPUTERS_ANSWER = """
            The best computer scientists are in the world, and the computer scientific
            is the most of the computer scientific reasonable, and the computer scientific
            is the most of the Tao.
            \t\t-- H. L. Mencken""";
}

package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LanguageModelSpecTest {
    private static final Path EXAMPLE = Path.of("..", "examples", "hypha-tiny.toml");

    private static String example() throws IOException {
        return Files.readString(EXAMPLE);
    }

    private static LanguageModelSpec parse(String toml) {
        return LanguageModelSpec.parse("spec.toml", toml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheShippedHyphaTinySpec() throws IOException {
        byte[] bytes = Files.readAllBytes(EXAMPLE);
        assertThat(LanguageModelSpec.isLanguageModel(bytes)).isTrue();
        LanguageModelSpec s = parse(example());
        assertThat(s.name()).isEqualTo("hypha-tiny");
        assertThat(s.corpus()).isEqualTo("fortunes-chat");
        assertThat(s.vocabSize()).isEqualTo(s.decoder().vocabSize()).isEqualTo(3072);
        assertThat(s.sequenceLength()).isLessThanOrEqualTo(s.decoder().contextLength());
        assertThat(s.decoder().dim() % 32).as("Q8_0 rows are whole blocks of 32").isZero();
        assertThat(s.decoder().ffnDim() % 32).isZero();
        assertThat(s.exportType()).isEqualTo(GgmlType.Q8_0);
        assertThat(s.optimizer().kind()).isEqualTo("adamw");
    }

    @Test
    void classifierSpecsAreNotLanguageModels() throws IOException {
        assertThat(LanguageModelSpec.isLanguageModel(Files.readAllBytes(Path.of("..", "examples", "fashion-mnist-mlp.toml")))).isFalse();
        assertThat(LanguageModelSpec.isLanguageModel("name = [".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void mistakesAreNamed() throws IOException {
        String good = example();
        assertThatThrownBy(() -> parse(good.replace("batch = 16", "bach = 16"))).hasMessageContaining("spec.toml: unknown key 'bach'");
        assertThatThrownBy(() -> parse(good.replace("kv_heads = 2", "kv_heads = 4"))).hasMessageContaining("heads divisible by kvHeads");
        assertThatThrownBy(() -> parse(good.replace("\"fortunes-chat\"", "\"wikipedia\""))).hasMessageContaining("corpus must be");
        assertThatThrownBy(() -> parse(good.replace("\"q8_0\"", "\"q2_k\""))).hasMessageContaining("export.type");
        assertThatThrownBy(() -> parse(good.replace("sequence_length = 128", "sequence_length = 512")))
                .hasMessageContaining("'sequence_length' must be a whole number from 2 to 256");
        assertThatThrownBy(() -> parse(good.replace("learning_rate = 0.003", "learning_rate = -1")))
                .hasMessageContaining("'learning_rate'");
        assertThatThrownBy(() -> parse(good.replace("[decoder]", "[decoder]\nwidth = 3"))).hasMessageContaining("unknown key 'decoder.width'");
    }
}

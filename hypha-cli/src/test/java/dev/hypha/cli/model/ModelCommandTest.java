package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha model ...} in-process on a temporary home with a tiny random-weight model. */
class ModelCommandTest {
    @TempDir
    Path dir;
    Path home;
    Path model;

    @BeforeEach
    void setUp() {
        home = dir.resolve("home");
        model = TinyModelFile.write(dir.resolve("tiny.gguf"), 1);
    }

    @Test
    void importListShowVerifyRemove() {
        ModelCli imported = ModelCli.run(home, "model", "import", model.toString(), "--name", "tiny:q8");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        String cid = ContentIds.of(model).toString();
        assertThat(imported.out()).contains("Imported tiny:q8 (llama, ", "Q8_0", "id " + cid);
        assertThat(imported.err()).contains("importing tiny.gguf [", "100%");

        ModelCli listed = ModelCli.run(home, "model", "list");
        assertThat(listed.exitCode()).isZero();
        List<String> lines = listed.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("NAME").contains("ID", "SIZE", "ARCH", "QUANT", "MODIFIED");
        assertThat(lines.get(1)).startsWith("tiny:q8").contains(cid.substring(cid.length() - 12), "llama", "Q8_0", "UTC");

        ModelCli shown = ModelCli.run(home, "model", "show", "tiny:q8", "--metadata");
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).containsPattern("(?m)^id +" + cid + "$").containsPattern("(?m)^architecture +llama$")
                .containsPattern("(?m)^chat template +no$").contains("block_count", "tensors: 21", "Q8_0",
                        "general.architecture");

        ModelCli verified = ModelCli.run(home, "model", "verify", "tiny:q8");
        assertThat(verified.exitCode()).isZero();
        assertThat(verified.out()).contains("tiny:q8: intact (" + cid);

        ModelCli removed = ModelCli.run(home, "model", "rm", "tiny:q8");
        assertThat(removed.exitCode()).isZero();
        assertThat(removed.out()).contains("Removed tiny:q8");
        assertThat(removed.err()).contains("deleted model file " + cid);
        assertThat(ModelCli.run(home, "model", "list").err()).contains("No models yet");
    }

    @Test
    void listShowsTheReadableModelsAndNamesADamagedManifest() throws IOException {
        assertThat(ModelCli.run(home, "model", "import", model.toString(), "--name", "good").exitCode()).isZero();
        assertThat(ModelCli.run(home, "model", "import", model.toString(), "--name", "bad:v1").exitCode()).isZero();
        Path damaged = home.resolve("models/manifests/bad/v1.json");
        Files.writeString(damaged, "{\"schemaVersion\": 1, \"name\": ");

        ModelCli listed = ModelCli.run(home, "model", "list");

        assertThat(listed.out().lines().toList()).hasSize(2).last().asString().startsWith("good:latest");
        assertThat(listed.err()).contains(damaged.toString(), "not valid JSON", "hypha model rm bad:v1");
        assertThat(listed.exitCode()).isNotZero();
    }

    @Test
    void aMissingFileIsAnInputErrorNamingIt() {
        ModelCli r = ModelCli.run(home, "model", "import", dir.resolve("absent.gguf").toString(), "--name", "x");
        assertThat(r.exitCode()).isEqualTo(3); // INPUT (the CLI maps NOT_FOUND to it)
        assertThat(r.errorLine()).contains("no such file", "absent.gguf");
    }

    @Test
    void aFileThatIsNotGgufIsRejected() throws IOException {
        Path text = Files.writeString(dir.resolve("readme.gguf"), "hello");
        ModelCli r = ModelCli.run(home, "model", "import", text.toString(), "--name", "x");
        assertThat(r.exitCode()).isEqualTo(3); // INPUT
        assertThat(r.errorLine()).contains("readme.gguf is not a valid GGUF model file");
        assertThat(ModelCli.run(home, "model", "list").err()).contains("No models yet");
    }

    @Test
    void aTruncatedGgufIsRejected() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        Path cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(bytes, bytes.length - 100));
        ModelCli r = ModelCli.run(home, "model", "import", cut.toString(), "--name", "x");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.errorLine()).contains("cut.gguf is not a valid GGUF model file");
    }

    @Test
    void aBadNameSaysWhatIsAllowed() {
        ModelCli r = ModelCli.run(home, "model", "import", model.toString(), "--name", "Bad/Name");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.errorLine()).contains("invalid model name 'Bad/Name'", "lowercase");
    }

    @Test
    void unknownModelsAreNotFound() {
        for (String[] args : new String[][] {{"model", "show", "ghost"}, {"model", "rm", "ghost"},
            {"model", "verify", "ghost:v1"}}) {
            ModelCli r = ModelCli.run(home, args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(3);
            assertThat(r.errorLine()).contains("no model named 'ghost", "hypha model list");
        }
    }

    @Test
    void importWithoutANameIsAUsageError() {
        ModelCli r = ModelCli.run(home, "model", "import", model.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--name");
    }
}

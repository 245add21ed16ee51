package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.node.content.BlockRoutes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha model bom NAME --format cyclonedx|spdx}: valid CycloneDX to standard output, SPDX 3 to a file. */
class ModelBomCommandTest {
    @Test
    void exportsAValidMlBomOfAStoredModel(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("HYPHA_HOME", dir.resolve("home").toString());
        Path model = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = BlockRoutes.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, model);
        }
        assertThat(CliRun.run(env, "model", "import", model.toString(), "--name", "tiny").exitCode()).isZero();

        CliRun cdx = CliRun.run(env, "model", "bom", "tiny", "--format", "cyclonedx", "--license", "Apache-2.0");
        assertThat(cdx.exitCode()).as(cdx.err()).isZero();
        assertThat(new JsonParser().validate(cdx.out().getBytes(StandardCharsets.UTF_8), Version.VERSION_16)).isEmpty();
        JsonNode component = new ObjectMapper().readTree(cdx.out()).at("/components/0");
        assertThat(component.path("name").asText()).isEqualTo("tiny");
        assertThat(component.at("/licenses/0/expression").asText()).isEqualTo("Apache-2.0");

        Path spdx = dir.resolve("tiny.spdx.json");
        CliRun written = CliRun.run(env, "model", "bom", "tiny", "--format", "spdx", "--out", spdx.toString());
        assertThat(written.exitCode()).as(written.err()).isZero();
        assertThat(written.out()).contains("Wrote the SPDX 3.0.1 AI document of tiny:latest to " + spdx);
        assertThat(new ObjectMapper().readTree(spdx.toFile()).path("@context").asText())
                .isEqualTo("https://spdx.org/rdf/3.0.1/spdx-context.jsonld");

        CliRun bad = CliRun.run(env, "model", "bom", "tiny", "--format", "xml");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(bad.err()).contains("unknown --format 'xml'; use cyclonedx or spdx");
        CliRun badLicense = CliRun.run(env, "model", "bom", "tiny", "--format", "spdx", "--license", "<script>");
        assertThat(badLicense.exitCode()).isEqualTo(ExitCodes.INPUT);
    }
}

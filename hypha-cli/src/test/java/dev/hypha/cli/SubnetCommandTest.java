package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha subnet epoch}: the README's example state, chaining through --next-state, and refused input. */
class SubnetCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path EXAMPLE = Paths.get("..", "examples", "yuma", "state.json");

    @Test
    void printsTheEpochOfTheExampleState() throws Exception {
        CliRun run = CliRun.run("subnet", "epoch", "--state", EXAMPLE.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode neurons = MAPPER.readTree(run.out()).get("neurons");
        assertThat(neurons).hasSize(5);
        long paid = 0;
        for (JsonNode u : neurons) paid += u.get("server_emission").asLong() + u.get("validator_emission").asLong();
        assertThat(paid).isLessThanOrEqualTo(1_000_000_000L).isGreaterThan(1_000_000_000L - 20);
        // miners earn incentive, validators dividends; uid 2's weights (block 700) are older than the 5,000-block cutoff
        assertThat(neurons.get(3).get("incentive").asInt()).isPositive();
        assertThat(neurons.get(0).get("dividends").asInt()).isPositive();
        assertThat(neurons.get(2).get("active").asBoolean()).isFalse();
        assertThat(neurons.get(2).get("dividends").asInt()).isZero();
    }

    @Test
    void nextStateCarriesBondsAndPermitsForward(@TempDir Path dir) throws Exception {
        Path next = dir.resolve("next.json");
        CliRun first = CliRun.run("subnet", "epoch", "--state", EXAMPLE.toString(), "--next-state", next.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        JsonNode result = MAPPER.readTree(first.out());
        JsonNode state = MAPPER.readTree(next.toFile());
        assertThat(state.get("last_mechanism_step_block").asLong()).isEqualTo(6000);
        for (int i = 0; i < 5; i++) {
            assertThat(state.get("neurons").get(i).get("bonds")).isEqualTo(result.get("neurons").get(i).get("bonds"));
            assertThat(state.get("neurons").get(i).get("validator_permit"))
                    .isEqualTo(result.get("neurons").get(i).get("validator_permit"));
        }
        CliRun second = CliRun.run("subnet", "epoch", "--state", next.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
    }

    @Test
    void refusesABadStateNamingTheField(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, Files.readString(EXAMPLE).replace("[[3, 65535], [4, 20000]]", "[[3, 65535], [7, 20000]]"));
        CliRun run = CliRun.run("subnet", "epoch", "--state", bad.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("neurons[0].weights[1][0] (uid)").contains("0..4");

        Files.writeString(bad, "{\"current_block\": 1, \"emission\": 5, \"neurons\": [], \"kapa\": 3}");
        run = CliRun.run("subnet", "epoch", "--state", bad.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("kapa: unknown field");

        run = CliRun.run("subnet", "epoch", "--state", dir.resolve("missing.json").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
    }
}

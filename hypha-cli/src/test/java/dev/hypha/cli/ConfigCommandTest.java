package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code hypha config show|path}: precedence and malformed files. */
class ConfigCommandTest {

    @TempDir
    Path home;

    @Test
    void showsEachValueWithItsSource() throws IOException {
        Files.writeString(home.resolve("config.toml"), """
                [api]
                listen = "127.0.0.1:9999"
                [log]
                level = "warn"
                """);

        CliRun run = CliRun.run(Map.of("HYPHA_DEVNET_PORT", "9545"), "--home", home.toString(),
                "--rpc", "http://10.0.0.1:8545", "config", "show");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("# config file: " + home.resolve("config.toml"))
                .containsPattern("api.listen = 127.0.0.1:9999 +\\(file\\)")
                .containsPattern("devnet.port = 9545 +\\(env\\)")
                .containsPattern("rpc.url = http://10.0.0.1:8545 +\\(flag\\)")
                .containsPattern("metrics.enabled = true +\\(default\\)")
                .containsPattern("home = " + java.util.regex.Pattern.quote(home.toString()) + " +\\(flag\\)");
    }

    @Test
    void homeComesFromTheEnvironmentWhenNoFlagIsGiven() {
        CliRun run = CliRun.run(Map.of("HYPHA_HOME", home.toString()), "config", "path");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo(home.resolve("config.toml").toString());
    }

    @Test
    void explicitConfigFlagWins() throws IOException {
        Path file = Files.writeString(home.resolve("other.toml"), "account = \"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\"\n");

        CliRun path = CliRun.run("--home", home.toString(), "--config", file.toString(), "config", "path");
        CliRun show = CliRun.run("--home", home.toString(), "--config", file.toString(), "config", "show");

        assertThat(path.out().strip()).isEqualTo(file.toString());
        assertThat(show.out()).containsPattern("account = 0x[0-9a-fA-F]{40} +\\(file\\)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad TOML syntax  | 'rpc = = 1'                     | config.toml",
        "unknown key      | 'colour = \"blue\"'             | colour",
        "wrong type       | '[devnet]\nport = \"eighty\"'   | devnet.port",
        "bad value        | '[api]\nlisten = \"nowhere\"'   | api.listen",
    })
    void malformedConfigIsOneInputErrorNamingTheProblem(String name, String content, String named) throws IOException {
        Files.writeString(home.resolve("config.toml"), content.replace("\\n", "\n"));

        CliRun run = CliRun.run("--home", home.toString(), "config", "show");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.errorLine()).contains(named);
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        CliRun run = CliRun.run(Map.of("HYPHA_DEVNET_PORT", "99999"), "--home", home.toString(), "config", "show");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("HYPHA_DEVNET_PORT").contains("1-65535");
    }

    @Test
    void missingExplicitConfigFileIsAnInputError() {
        CliRun run = CliRun.run("--home", home.toString(), "--config", home.resolve("nope.toml").toString(),
                "config", "show");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("nope.toml");
    }
}

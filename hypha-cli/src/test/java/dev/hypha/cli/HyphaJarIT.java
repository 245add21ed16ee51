package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end: the shaded jar that {@code ./hypha} runs, started as a real subprocess (failsafe runs this after
 * {@code package}, so the jar is the one just built).
 */
class HyphaJarIT {

    private static Path jar;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("hypha.jar", "target/hypha.jar"));
        assertThat(jar).as("shaded jar built by package").isRegularFile();
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result hypha(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("hypha-out", ".txt");
        Path err = Files.createTempFile("hypha-err", ".txt");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            int code = process.waitFor();
            return new Result(code, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void versionComesFromTheJarManifest() throws Exception {
        Result result = hypha("version");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("hypha " + BuildInfo.version() + "\n").contains("built ");
    }

    @Test
    void helpListsTheCommands() throws Exception {
        Result result = hypha("--help");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Usage: hypha", "version", "completion");
    }

    @Test
    void unknownCommandExitsWithTheUsageCodeAndOneErrorLine() throws Exception {
        Result result = hypha("no-such-command");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().filter(line -> line.startsWith("hypha: error: ")))
                .singleElement().asString().contains("'no-such-command'");
        assertThat(result.err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void badAmountExitsWithTheInputCodeAndVerboseAddsTheStackTrace() throws Exception {
        Result plain = hypha("stake", "0");
        Result verbose = hypha("stake", "0", "--verbose");

        assertThat(plain.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(plain.err().lines().filter(line -> !line.startsWith("WARNING: Using incubator")))
                .containsExactly("hypha: error: stake amount is zero: amount must be > 0");
        assertThat(verbose.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(verbose.err()).contains("hypha: error: stake amount is zero").contains("\tat dev.hypha.cli.");
    }

    @Test
    void completionScriptIsPrinted() throws Exception {
        Result result = hypha("completion", "bash");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("complete -F _complete_hypha");
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.node.gateway.network.Budget;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha budget}: defaults until set, then what was set, durably; bad amounts are input errors naming the flag. */
class BudgetCommandTest {

    @Test
    void showsTheDefaultsThenWhatWasSet(@TempDir Path home) {
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString());
        CliRun shown = CliRun.run(env, "budget");
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("Per channel  1 hUSD", "In all       10 hUSD", "(defaults;");

        CliRun set = CliRun.run(env, "budget", "set", "--per-channel", "0.25", "--total", "3");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("Budget set: 0.25 hUSD per channel, 3 hUSD in all");
        assertThat(Budget.load(home)).isEqualTo(new Budget(BigInteger.valueOf(250_000), BigInteger.valueOf(3_000_000)));
        assertThat(CliRun.run(env, "budget").out()).contains("Per channel  0.25 hUSD", "In all       3 hUSD", "(from ");
    }

    @Test
    void refusesATotalBelowOneChannelAndMalformedAmounts(@TempDir Path home) {
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString());
        CliRun below = CliRun.run(env, "budget", "set", "--per-channel", "5", "--total", "1");
        assertThat(below.exitCode()).isEqualTo(3);
        assertThat(below.err()).contains("must be at least one channel's deposit");
        CliRun bad = CliRun.run(env, "budget", "set", "--per-channel", "1.0000001", "--total", "10");
        assertThat(bad.exitCode()).isEqualTo(3);
        assertThat(bad.err()).contains("--per-channel", "6");
        assertThat(Files.exists(Budget.file(home))).isFalse();
    }

    @Test
    void aDamagedBudgetFileIsAClearError(@TempDir Path home) throws Exception {
        Files.createDirectories(Budget.file(home).getParent());
        Files.writeString(Budget.file(home), "{\"perChannel\": 5, \"total\": \"x\"}");
        CliRun shown = CliRun.run(Map.of("HYPHA_HOME", home.toString()), "budget");
        assertThat(shown.exitCode()).isEqualTo(3);
        assertThat(shown.err()).contains("perChannel must be a whole number of token units");
    }
}

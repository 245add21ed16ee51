package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha localnet}'s option checks: refused before anything starts, with one line naming the option. */
class LocalnetOptionsTest {
    @Test
    void aGovernanceDelayOutsideTwoTo120SecondsIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        Path home = dir.resolve("home");
        for (String delay : new String[] {"1", "121", "-5"}) {
            CliRun run = CliRun.run("--home", home.toString(), "localnet", "--governance-delay", delay);
            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            assertThat(run.errorLine()).contains("--governance-delay " + delay + " is out of range: 2..120 s");
        }
        assertThat(Files.exists(home.resolve("devnet"))).as("no chain was started").isFalse();
    }
}

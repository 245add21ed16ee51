package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --royalty-publisher} is hostile input: a value that is not an address (or has a wrong EIP-55 checksum) is one
 * clear INPUT error naming the option, before any home, keystore or chain is touched; the list is bounded.
 */
class RoyaltyOptionsTest {
    @TempDir
    Path home;

    @Test
    void aPublisherThatIsNotAnAddressIsOneErrorNamingTheOption() {
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_RPC_URL", "http://127.0.0.1:1");
        for (String[] command : new String[][] {{"provider", "redeem"}, {"up"}, {"localnet"}}) {
            String[] args = new String[command.length + 2];
            System.arraycopy(command, 0, args, 0, command.length);
            args[command.length] = "--royalty-publisher";
            args[command.length + 1] = "0xnot-an-address\u001b[2J";
            CliRun run = CliRun.run(env, args);
            assertThat(run.exitCode()).as(String.join(" ", command) + ": " + run.err()).isEqualTo(ExitCodes.INPUT);
            assertThat(run.err()).contains("--royalty-publisher 0xnot-an-address").doesNotContain("\u001b");
        }
        CliRun checksum = CliRun.run(env, "provider", "redeem", "--royalty-publisher",
                "0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(checksum.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(checksum.err()).contains("--royalty-publisher", "checksum");
    }

    @Test
    void theListOfPublishersIsBounded() {
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_RPC_URL", "http://127.0.0.1:1");
        String[] args = new String[2 + 2 * (RoyaltyOptions.MAX_PUBLISHERS + 1)];
        args[0] = "provider";
        args[1] = "redeem";
        for (int i = 0; i <= RoyaltyOptions.MAX_PUBLISHERS; i++) {
            args[2 + 2 * i] = "--royalty-publisher";
            args[3 + 2 * i] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
        }
        CliRun run = CliRun.run(env, args);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.err()).contains("--royalty-publisher given " + (RoyaltyOptions.MAX_PUBLISHERS + 1) + " times");
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev-only dishonest compute provider cannot be asked for anywhere but a dev account on the local chain. */
class DevCheatOptionsTest {
    private static final String[] OFFER = {"compute", "offer", "--price-per-hour", "1800000", "--cores", "1", "--memory",
        "512", "--listen", "127.0.0.1:1"};

    @Test
    void aCheatNeedsADevAccount(@TempDir Path home) {
        CliRun r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), concat(OFFER, "--dev-cheat", "noise"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("--dev-cheat is for trying verification on the local dev chain only: it needs --dev-account");
    }

    @Test
    void aCheatIsRefusedOnAnyOtherChain(@TempDir Path home) {
        try (Devnet other = new AnvilLauncher().chainId(4242).start()) {
            CliRun r = CliRun.run(Map.of("HYPHA_HOME", home.toString(), "HYPHA_RPC_URL", other.rpcUrl()),
                    concat(OFFER, "--dev-account", "2", "--dev-cheat", "noise"));
            assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(r.err()).contains("--dev-cheat is for trying verification on the local dev chain 31337 only, and this "
                    + "is chain 4242");
        }
    }

    @Test
    void aWrongEpochDemonstrationIsRefusedOnAnyOtherChain(@TempDir Path home) {
        try (Devnet other = new AnvilLauncher().chainId(4242).start()) {
            CliRun r = CliRun.run(Map.of("HYPHA_HOME", home.toString(), "HYPHA_RPC_URL", other.rpcUrl()),
                    "subnet", "validate", "1", "--demo-wrong-dividends", "3");
            assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(r.err()).contains("--demo-wrong-post and --demo-wrong-dividends are demonstrations for the local "
                    + "dev chain 31337 only, and this is chain 4242");
        }
    }

    @Test
    void theCachedAnswersProviderNeedsADevAccountAndAKnownCheat(@TempDir Path home) {
        String[] start = {"provider", "start", "--input-price", "1", "--output-price", "1", "--listen", "127.0.0.1:1"};
        CliRun r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), concat(start, "--dev-cheat", "cached-answers"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("--dev-cheat is for trying subnet validation on the local dev chain only: it needs "
                + "--dev-account");
        r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), concat(start, "--dev-account", "2", "--dev-cheat", "noise"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("--dev-cheat: unknown cheat 'noise' (there is: cached-answers, truncated)");
        // the opML cheat is on verifiable models only, and those are named intlm-SEED
        r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), concat(start, "--dev-account", "2", "--dev-cheat", "truncated"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("--dev-cheat truncated cheats on verifiable models: it needs --opml MODEL");
        r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), concat(start, "--opml", "llama"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("--opml llama is not a verifiable model: expected intlm-SEED, e.g. intlm-11");
    }

    @Test
    void localnetCheatersMustBeComputeProviders(@TempDir Path home) {
        CliRun r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), "localnet", "--compute-providers", "1",
                "--cheating-providers", "2", "--verifiers", "2");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("--cheating-providers 2 is out of range: expected 0 to --compute-providers (1)");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `compute offer`'s pricing flags and `compute attest`'s inputs are checked before any chain is touched: an offer needs
 * a price, prices are positive whole units, markups are percentages up to 1000%, a hostile attestation file is
 * refused naming the file and the field.
 */
class ComputeOfferOptionsTest {
    private static final String[] OFFER = {"compute", "offer", "--cores", "1", "--memory", "512", "--listen", "127.0.0.1:1"};

    @Test
    void anOfferNeedsAPriceOrARate(@TempDir Path home) {
        CliRun r = CliRun.run(Map.of("HYPHA_HOME", home.toString()), OFFER);
        assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(r.err()).contains("give a price: --price-per-hour UNITS (a fixed price), or rates --price-per-core-hour");
    }

    @Test
    void pricesAndMarkupsAreCheckedByFlag(@TempDir Path home) {
        CliRun zeroRate = CliRun.run(Map.of("HYPHA_HOME", home.toString()), concat(OFFER, "--price-per-core-hour", "0"));
        assertThat(zeroRate.err()).contains("--price-per-core-hour 0 is not a positive whole number");
        CliRun markup = CliRun.run(Map.of("HYPHA_HOME", home.toString()),
                concat(OFFER, "--price-per-hour", "10", "--busy-markup", "1001%"));
        assertThat(markup.err()).contains("--busy-markup 1001% is more than 1000%");
        CliRun words = CliRun.run(Map.of("HYPHA_HOME", home.toString()),
                concat(OFFER, "--price-per-hour", "10", "--busy-markup", "a quarter"));
        assertThat(words.err()).contains("--busy-markup 'a quarter' is not a percentage like 25% or 12.5%");
        assertThat(ComputeOfferCommand.percentBps("x", "25%")).isEqualTo(2500);
        assertThat(ComputeOfferCommand.percentBps("x", "12.5")).isEqualTo(1250);
        assertThat(ComputeOfferCommand.percentBps("x", "0.05%")).isEqualTo(5);
    }

    @Test
    void aHostileAttestationFileIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("att.json");
        Files.writeString(file, "{\"type\":\"hypha-audited-resources/1\",\"chainId\":31337,\"market\":\"0x12\"}");
        assertThatThrownBy(() -> ComputeOfferCommand.readAttestation(file))
                .hasMessageContaining("attestation " + file + ": field 'market': not an Ethereum address");
        Files.write(file, new byte[5000]);
        assertThatThrownBy(() -> ComputeOfferCommand.readAttestation(file)).hasMessageContaining("is over 4096 bytes; an "
                + "attestation file is at most that");
        // a device reports size 0 and never ends: the read stops past the bound all the same
        assertThatThrownBy(() -> ComputeOfferCommand.readAttestation(Path.of("/dev/zero")))
                .hasMessageContaining("is over 4096 bytes");
        assertThatThrownBy(() -> ComputeOfferCommand.readAttestation(dir.resolve("none.json")))
                .hasMessageContaining("no such attestation file");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

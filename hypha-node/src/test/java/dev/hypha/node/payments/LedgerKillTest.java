package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.channels.ChannelParams;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of a process in the middle of using a ledger: what it acknowledged (a voucher it handed out, a voucher it
 * served against) is in the ledger when it is opened again. The kill lands after a random number of steps, several
 * times on the same file.
 */
class LedgerKillTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"payer", "provider"})
    void nothingAcknowledgedIsLostToAKill(String side) throws Exception {
        Path file = dir.resolve(side + ".sqlite");
        ChannelParams c = LedgerFixtures.channel(1);
        Random random = new Random(side.hashCode()); // a fixed seed: failures reproduce
        long lastAcknowledged = 0;
        for (int round = 0; round < 3; round++) {
            int steps = 5 + random.nextInt(60);
            Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LedgerCrashChild.class.getName(), side, file.toString()))
                    .redirectErrorStream(true).start();
            String last = "";
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (int seen = 0; seen < steps; ) {
                    String line = out.readLine();
                    assertThat(line).as("the child stopped early; it said: %s", last).isNotNull();
                    last = line;
                    if (line.startsWith("SIGNED ") || line.startsWith("ACCEPTED ")) {
                        lastAcknowledged = Long.parseLong(line.substring(line.indexOf(' ') + 1));
                        seen++;
                    }
                }
                child.destroyForcibly(); // SIGKILL, mid-loop
                child.waitFor();
            }
            if (side.equals("payer")) {
                try (PayerLedger ledger = PayerLedger.open(file, DOMAIN)) {
                    assertThat(ledger.signedTotal(c.id())).isGreaterThanOrEqualTo(BigInteger.valueOf(lastAcknowledged));
                }
            } else {
                try (ProviderLedger ledger = ProviderLedger.open(file, DOMAIN)) {
                    BigInteger best = ledger.best(c.id()).orElseThrow().cumulativeAmount();
                    assertThat(best).isGreaterThanOrEqualTo(BigInteger.valueOf(lastAcknowledged));
                    assertThat(DOMAIN.isSignedBy(ledger.best(c.id()).orElseThrow(), c.signer())).isTrue();
                }
            }
        }
    }
}

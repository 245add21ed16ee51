package dev.hypha.chain.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.http.HttpService;

/** The pid record that lets a new start stop an anvil a killed launcher left behind, and only that anvil. */
class AnvilPidFileTest {

    @TempDir
    Path dir;

    @Test
    void recognisesOnlyAnAnvilPersistingToTheSameStateFile() {
        Path state = Path.of("/home/u/.hypha/devnet/state.json");
        assertThat(AnvilPidFile.isAnvilFor(List.of("/repo/node_modules/.bin/anvil", "--port", "8545", "--state",
                "/home/u/.hypha/devnet/state.json"), state)).isTrue();
        assertThat(AnvilPidFile.isAnvilFor(List.of("anvil", "--state", "/home/u/.hypha/devnet/../devnet/state.json"),
                state)).as("same file, other spelling").isTrue();
        assertThat(AnvilPidFile.isAnvilFor(List.of("anvil", "--state", "/other/state.json"), state))
                .as("another home's anvil").isFalse();
        assertThat(AnvilPidFile.isAnvilFor(List.of("/usr/bin/java", "-jar", "/home/u/.hypha/devnet/state.json"), state))
                .as("not anvil").isFalse();
        assertThat(AnvilPidFile.isAnvilFor(List.of("anvil", "--port", "8545"), state)).as("no state file").isFalse();
        assertThat(AnvilPidFile.isAnvilFor(List.of(), state)).isFalse();
    }

    @Test
    void writeThenReadRoundTripsAndMalformedRecordsReadAsNone() throws IOException {
        AnvilPidFile pid = new AnvilPidFile(dir.resolve("devnet/anvil.pid"));
        assertThat(pid.read()).isEmpty();
        pid.write(4242);
        assertThat(pid.read()).hasValue(4242);
        pid.deleteIfHolds(1);
        assertThat(pid.file()).as("holds another pid: kept").exists();
        pid.deleteIfHolds(4242);
        assertThat(pid.file()).doesNotExist();
        for (String bad : List.of("", "abc", "-5", "0", "12 34", "99999999999999999999999")) {
            Files.writeString(pid.file(), bad);
            assertThat(pid.read()).as(bad).isEmpty();
        }
    }

    @Property(tries = 200)
    void anyFileContentReadsAsAPositivePidOrNone(@ForAll String content) throws IOException {
        Path file = Files.createTempFile("anvil-", ".pid");
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            OptionalLong pid = new AnvilPidFile(file).read();
            pid.ifPresent(p -> assertThat(p).isPositive());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aRecordNamingAnotherLiveProgramIsStaleAndThatProgramIsLeftAlone() {
        // This test's own JVM: alive, but not an anvil. Stopping it would end the test run.
        long self = ProcessHandle.current().pid();
        AnvilPidFile pid = new AnvilPidFile(dir.resolve("anvil.pid"));
        pid.write(self);

        assertThat(pid.stopLeftover(dir.resolve("state.json"), Duration.ofSeconds(5))).isEmpty();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
        assertThat(pid.file()).as("stale record removed").doesNotExist();
    }

    @Test
    void aLeftoverAnvilOnOurStateFileIsStoppedGracefullyAndWritesItsState() {
        Path state = dir.resolve("devnet/state.json");
        Path pidPath = dir.resolve("devnet/anvil.pid");
        // Started and not closed: what a launcher killed with SIGKILL leaves behind.
        Devnet leftover = new AnvilLauncher().stateFile(state, 3600).pidFile(pidPath).start();
        String receiver = leftover.account(1).getAddress();
        BigInteger sent;
        try {
            sent = balance(leftover.rpcUrl(), receiver).add(BigInteger.ONE);
            send1Wei(leftover.rpcUrl(), leftover.account(0).getAddress(), receiver);
            AnvilPidFile pid = new AnvilPidFile(pidPath);
            assertThat(pid.read()).hasValue(leftover.pid());
            assertThat(pid.stopLeftover(dir.resolve("other/state.json"), Duration.ofSeconds(5)))
                    .as("another state file: not ours").isEmpty();
            assertThat(leftover.isRunning()).isTrue();

            pid.write(leftover.pid());
            assertThat(pid.stopLeftover(state, Duration.ofSeconds(30))).hasValue(leftover.pid());
            assertThat(leftover.isRunning()).isFalse();
            assertThat(pidPath).doesNotExist();
        } finally {
            leftover.close();
        }
        // SIGTERM let anvil dump its state: a new anvil on the same file has the last transfer.
        try (Devnet resumed = new AnvilLauncher().stateFile(state, 3600).start()) {
            assertThat(balance(resumed.rpcUrl(), receiver)).isEqualTo(sent);
        }
    }

    private static BigInteger balance(String rpc, String account) {
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            return web3j.ethGetBalance(account, DefaultBlockParameterName.LATEST).send().getBalance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            web3j.shutdown();
        }
    }

    private static void send1Wei(String rpc, String from, String to) {
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            var sent = web3j.ethSendTransaction(Transaction.createEtherTransaction(from, null, null, null, to,
                    BigInteger.ONE)).send();
            assertThat(sent.hasError()).as(String.valueOf(sent.getError())).isFalse();
            // anvil may answer with the hash before its automine has put the transaction in a block; the state dump
            // only holds mined blocks, so wait (bounded) for the receipt before anyone stops anvil.
            for (int attempt = 0; web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send()
                    .getTransactionReceipt().isEmpty(); attempt++) {
                assertThat(attempt).as("transaction mined within 10 s").isLessThan(200);
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            web3j.shutdown();
        }
    }

    @Test
    void aCleanStopRemovesTheRecord() {
        Path pidPath = dir.resolve("anvil.pid");
        try (Devnet devnet = new AnvilLauncher().pidFile(pidPath).start()) {
            assertThat(new AnvilPidFile(pidPath).read()).hasValue(devnet.pid());
        }
        assertThat(pidPath).doesNotExist();
    }
}

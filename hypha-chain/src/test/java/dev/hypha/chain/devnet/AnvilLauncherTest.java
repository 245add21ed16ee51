package dev.hypha.chain.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.rpc.ChainClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnvilLauncherTest {
    @TempDir
    Path tmp;

    @Test
    void startsOnAFreePortWithTheRequestedChainIdAndStops() {
        Devnet devnet = new AnvilLauncher().chainId(4242).logFile(tmp.resolve("anvil.log")).start();
        try (ChainClient client = ChainClient.connect(devnet.rpcUrl())) {
            assertThat(devnet.port()).isPositive();
            assertThat(devnet.chainId()).isEqualTo(4242);
            assertThat(client.chainId()).isEqualTo(4242);
            assertThat(devnet.accounts()).hasSize(10);
            assertThat(client.balance(devnet.account(0).getAddress())).isPositive();
        } finally {
            devnet.close();
        }
        assertThat(devnet.isRunning()).isFalse();
        devnet.close(); // idempotent
    }

    @Test
    void restartWithTheSameStateFileKeepsBlocksAndBalances() {
        Path state = tmp.resolve("devnet/state.json");
        String recipient = "0x000000000000000000000000000000000000bEEF";
        BigInteger amount = new BigInteger("1234500000000000000");
        long blockBefore;
        try (Devnet first = new AnvilLauncher().stateFile(state, 60).logFile(tmp.resolve("a1.log")).start();
             ChainClient client = ChainClient.connect(first.rpcUrl())) {
            client.request("eth_sendTransaction", Map.of(
                    "from", first.account(0).getAddress(), "to", recipient, "value", "0x" + amount.toString(16)));
            client.request("evm_mine");
            client.request("evm_mine");
            blockBefore = client.blockNumber();
            assertThat(blockBefore).isGreaterThanOrEqualTo(3);
            assertThat(client.balance(recipient)).isEqualTo(amount);
        }
        assertThat(state).exists();
        try (Devnet second = new AnvilLauncher().stateFile(state, 60).logFile(tmp.resolve("a2.log")).start();
             ChainClient client = ChainClient.connect(second.rpcUrl())) {
            assertThat(client.blockNumber()).isEqualTo(blockBefore);
            assertThat(client.balance(recipient)).isEqualTo(amount);
        }
    }

    /**
     * Time moved on with evm_increaseTime is not in anvil's state file; a resumed chain must still never mine a block
     * earlier than its last one (a view at "latest" and the next transaction would disagree about time).
     */
    @Test
    void aResumedChainNeverMinesBeforeItsLastBlockAfterTimeWasMovedOn() {
        Path state = tmp.resolve("devnet/moved.json");
        long last;
        try (Devnet first = new AnvilLauncher().stateFile(state, 60).logFile(tmp.resolve("t1.log")).start();
             ChainClient client = ChainClient.connect(first.rpcUrl())) {
            client.request("evm_increaseTime", 86_400);
            client.request("evm_mine");
            last = client.latestBlock().getTimestamp().longValueExact();
        }
        try (Devnet second = new AnvilLauncher().stateFile(state, 60).logFile(tmp.resolve("t2.log")).start();
             ChainClient client = ChainClient.connect(second.rpcUrl())) {
            client.request("evm_mine");
            assertThat(client.latestBlock().getTimestamp().longValueExact()).isGreaterThan(last);
        }
    }

    @Test
    void aKilledAnvilKeepsWhatItsStateIntervalAlreadyWrote() throws Exception {
        Path state = tmp.resolve("crash/state.json");
        String recipient = "0x000000000000000000000000000000000000cafe";
        try (Devnet first = new AnvilLauncher().stateFile(state, 1).logFile(tmp.resolve("c1.log")).start();
             ChainClient client = ChainClient.connect(first.rpcUrl())) {
            client.request("eth_sendTransaction", Map.of(
                    "from", first.account(0).getAddress(), "to", recipient, "value", "0x2a"));
            long mined = client.blockNumber();
            // Wait (bounded) for a periodic dump that includes the transfer's block, then crash.
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (!dumpedAtLeast(state, mined)) {
                assertThat(System.nanoTime()).as("no state dump within 30 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            first.kill();
            assertThat(first.isRunning()).isFalse();
        }
        try (Devnet second = new AnvilLauncher().stateFile(state, 1).logFile(tmp.resolve("c2.log")).start();
             ChainClient client = ChainClient.connect(second.rpcUrl())) {
            assertThat(client.balance(recipient)).isEqualTo(42);
        }
    }

    /** Whether anvil's state file already records a best block number >= {@code block}. */
    private static boolean dumpedAtLeast(Path state, long block) throws IOException {
        if (!Files.exists(state)) {
            return false;
        }
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(state.toFile());
            var number = json.path("best_block_number");
            if (number.isMissingNode()) {
                number = json.path("block").path("number");
            }
            String text = number.asText("");
            long n = text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text.isEmpty() ? "-1" : text);
            return n >= block;
        } catch (IOException | NumberFormatException partial) {
            return false; // caught mid-write; look again
        }
    }

    @Test
    void aTakenPortIsAClearInputError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> new AnvilLauncher().port(port).start())
                    .isInstanceOf(ChainException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void aMissingAnvilSaysHowToInstallIt() {
        assertThatThrownBy(() -> new AnvilLauncher().executable(tmp.resolve("nope/anvil")).start())
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("run scripts/setup.sh");
        assertThatThrownBy(() -> AnvilLauncher.locate(Map.of("PATH", tmp.toString()), tmp.toString()))
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("anvil not found: run scripts/setup.sh");
        assertThatThrownBy(() -> AnvilLauncher.locate(Map.of(AnvilLauncher.ANVIL_ENV, tmp.resolve("x").toString()), null))
                .hasMessageContaining(AnvilLauncher.ANVIL_ENV);
    }

    @Test
    void locatePrefersTheEnvironmentThenTheRepositoryThenThePath() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path onPath = bin.resolve("anvil");
        Files.writeString(onPath, "#!/bin/sh\n");
        onPath.toFile().setExecutable(true);
        Path repo = tmp.resolve("repo");
        Path inRepo = Files.createDirectories(repo.resolve("node_modules/.bin")).resolve("anvil");
        Files.writeString(inRepo, "#!/bin/sh\n");
        inRepo.toFile().setExecutable(true);

        assertThat(AnvilLauncher.locate(Map.of("PATH", bin.toString()), null)).isEqualTo(onPath);
        assertThat(AnvilLauncher.locate(Map.of("PATH", bin.toString()), repo.toString())).isEqualTo(inRepo);
        assertThat(AnvilLauncher.locate(Map.of("PATH", "", AnvilLauncher.ANVIL_ENV, onPath.toString()), repo.toString()))
                .isEqualTo(onPath);
    }

    @Test
    void badOptionsAreRejectedWithTheirValue() {
        assertThatThrownBy(() -> new AnvilLauncher().port(70_000)).hasMessageContaining("70000");
        assertThatThrownBy(() -> new AnvilLauncher().chainId(0)).hasMessageContaining("chain id");
        assertThatThrownBy(() -> new AnvilLauncher().stateFile(tmp.resolve("s"), 0)).hasMessageContaining("interval");
        assertThatThrownBy(() -> new AnvilLauncher().mnemonic("not a mnemonic").start())
                .hasMessageContaining("mnemonic");
    }
}

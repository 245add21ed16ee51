package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.rpc.ChainClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha localnet --providers 1 --subnet-validators 2 --governance-delay 10} with its real child processes: the
 * validators score the miner by paid answers of hypha-tiny replayed on their own engines (the deterministic provider's
 * answers all match), the subnet runs several epochs, validator 1's wrong post of epoch 2 (an incentive) and of epoch 3
 * (dividends moved between the validators, every sum consistent) are challenged by validator 2 and lose their bonds,
 * every accepted epoch matches its recomputation, and once the (short) governance delay of the fresh
 * chain has passed the miner (the provider's account) and the validators claim their emission.
 */
class LocalnetSubnetTest {
    /** Bound on waiting for the network to get somewhere (a slow shared machine; it usually takes about a minute). */
    private static final long PATIENCE_NANOS = 4L * 60 * 1_000_000_000L;

    @Test
    void aSubnetRunsEpochsAWrongPostLosesItsBondAndEmissionsArrive(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        int rpcPort = freePort();
        int apiPort = freePort();
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", "http://127.0.0.1:" + rpcPort);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        var cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> {
            ready.countDown();
            stop.await();
        }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int[] exit = {-1};
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                exit[0] = cli.execute("localnet", "--providers", "1", "--subnet-validators", "2", "--governance-delay",
                        "10");
            } finally {
                ready.countDown();
            }
        });
        Path logs = home.resolve("localnet");
        try {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Inference subnet 0: tempo 20 blocks",
                    "2 validators scoring answers of hypha-tiny",
                    "miner-1  pid", "validator-2  pid", "Running. Press Ctrl-C");
            Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
            try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
                SubnetsClient subnets = HyphaContracts.readOnly(deployment, chain).subnets();
                awaitTrue(() -> subnets.acceptedEpochs(0) >= 4, "4 accepted epochs", logs);
                assertThat(read(logs.resolve("validator-1.log"))).contains("posted epoch 2 of subnet 0 WITH A WRONG INCENTIVE");
                assertThat(read(logs.resolve("validator-2.log"))).containsPattern(
                        "challenge of epoch 2 UID \\d+ won: wrong incentive, bond 100 HYP taken from the poster");
                assertThat(read(logs.resolve("validator-1.log"))).contains("posted epoch 3 of subnet 0 WITH DIVIDENDS MOVED");
                assertThat(read(logs.resolve("validator-2.log"))).containsPattern(
                        "challenge of epoch 3 UID \\d+ won: wrong dividends, bond 100 HYP taken from the poster");
                var check = new dev.hypha.node.subnet.EpochActions(subnets, new dev.hypha.node.subnet.EpochBook(subnets, 0));
                for (long e = 0; e < 4; e++) assertThat(check.check(e).orElseThrow().wrong()).as("epoch " + e).isFalse();
                for (String validator : new String[] {"validator-1.log", "validator-2.log"}) {
                    // the one miner's answers were bought, replayed and all matched: it scores (and earns) > 0
                    assertThat(read(logs.resolve(validator))).containsPattern(
                            "UID \\d+: 1/1 answers match the replay, \\d+ ms, price \\d+ -> score [1-9]\\d*");
                }
                awaitTrue(() -> read(logs.resolve("miner-1.log")).contains("claimed ")
                        && read(logs.resolve("validator-1.log")).contains("claimed ")
                        && read(logs.resolve("validator-2.log")).contains("claimed "), "claims by miner and validators", logs);
                assertThat(subnets.minted()).isPositive();
            }
        } finally {
            stop.countDown();
            thread.join();
        }
        assertThat(exit[0]).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Stopping validator-2...", "Stopping miner-1...", "Stopped.");
    }

    /** Waits for a condition of the running network, bounded; the failure shows the children's logs. */
    private static void awaitTrue(BooleanSupplier condition, String what, Path logs) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within the bound; validator-1.log:\n"
                        + read(logs.resolve("validator-1.log")) + "\nvalidator-2.log:\n" + read(logs.resolve("validator-2.log")));
            }
            Thread.sleep(500); // polling the network's progress, not timing it
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

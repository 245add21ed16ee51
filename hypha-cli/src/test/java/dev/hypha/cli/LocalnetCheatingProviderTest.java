package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.DisputeOutcome;
import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.store.ContentStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hypha localnet --compute-providers 1 --cheating-providers 1 --verifiers 2} in-process, with every role a real
 * child process: a tenant's CNN job (`hypha train submit`; conv2d, relu, maxpool, linear) is leased to the dev-only cheater, whose committed roots are
 * wrong from step 1 on; verifier 1 replays the first segment, challenges it and plays the bisection against the
 * cheater's own answers down to step 0, verifier 2 referees that one step, and resolution slashes the cheater's
 * provider stake and refunds the tenant the escrow still held. The test only moves the chain's clock past the
 * governance delay and the vote window (anvil's evm_increaseTime), as waiting would.
 */
class LocalnetCheatingProviderTest {
    /** anvil's dev account (0): the tenant here (public test key). */
    private static final String TENANT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final Address TENANT = Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    /** Dev account (2): compute provider 1, after the one inference provider. */
    private static final Address CHEATER = Address.parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    /** Dev account (3): verifier 1, the auditor. */
    private static final Address AUDITOR = Address.parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    private static final Pattern ORDER = Pattern.compile("^Order (\\d+) placed", Pattern.MULTILINE);
    /** Bound on each wait for the daemons (a failure, never a timing assertion). */
    private static final long WAIT_NANOS = 6L * 60 * 1_000_000_000L;

    @Test
    void aCheatingProviderOfACnnIsChallengedBisectedRefereedSlashedAndTheTenantRefunded(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        ContentId dataset = syntheticDataset(new ContentStore(home));
        int rpcPort = freePort();
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + freePort(), "HYPHA_RPC_URL", "http://127.0.0.1:" + rpcPort);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        CommandLine cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> {
            ready.countDown();
            stop.await();
        }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int[] exit = {-1};
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                exit[0] = cli.execute("localnet", "--providers", "1", "--compute-providers", "1", "--cheating-providers", "1",
                        "--verifiers", "2");
            } finally {
                ready.countDown();
            }
        });
        try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Running. Press Ctrl-C",
                    "Starting compute provider 1 (dev account 2), a DEV-ONLY CHEATER (--dev-cheat noise)...");
            assertThat(Files.readString(home.resolve("localnet/compute-1.log"))).contains("DEV CHEAT 'noise'");
            HyphaContracts contracts = HyphaContracts.readOnly(new Deployments(home.resolve("deployments")).load(31_337L)
                    .orElseThrow(), chain);
            travel(chain, 121); // the governance delay after which TrainingVerifier may slash (the verifiers complete the grant)

            // The tenant, dev account (0) in the keystore, orders a long job of a small CNN (a convolution, pooling, a
            // linear head: the Fashion-MNIST CNN's kinds of layer on 8x8 images): the cheat is caught while it still runs.
            Path password = Files.writeString(dir.resolve("pw"), "pw\n");
            CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file",
                    Files.writeString(dir.resolve("key0"), TENANT_KEY).toString(), "--password-file", password.toString());
            assertThat(imported.exitCode()).as(imported.err()).isZero();
            Path spec = Files.writeString(dir.resolve("long.toml"), "name = \"long\"\ndataset = \"" + dataset + "\"\nseed = 7\n"
                    + "steps = 1000000\nbatch = 32\ncheckpoint_every = 200\nlayers = [\"conv2d 1 8 3 1\", \"relu\", \"maxpool 2\", "
                    + "\"flatten\", \"linear 128 3\"]\n[optimizer]\nkind = \"adamw\"\nlearning_rate = 0.001\nclip_norm = 1.0\n");
            BigInteger balanceBefore = contracts.payment().balanceOf(TENANT.toString());
            BigInteger stakeBefore = contracts.staking().stakeOf(CHEATER.toString(), StakingClient.PROVIDER_ROLE);
            BigInteger firstDispute = contracts.verifier().nextDisputeId();
            CliRun submitted = CliRun.run(env, "--password-file", password.toString(), "train", "submit", spec.toString(),
                    "--max-price", "3600000", "--bid-window", "2");
            assertThat(submitted.exitCode()).as(submitted.err()).isZero();
            assertThat(submitted.out()).contains("Leased to " + CHEATER.toChecksumString());
            Matcher m = ORDER.matcher(submitted.out());
            assertThat(m.find()).as(submitted.out()).isTrue();
            BigInteger order = new BigInteger(m.group(1));
            ComputeOrder leased = contracts.compute().order(order);
            BigInteger deposit = leased.held().add(leased.paid());

            // Verifier 1 challenges; the cheater answers every round from its own (cheated) states; verifier 2 votes.
            long deadline = System.nanoTime() + WAIT_NANOS;
            VerifierDispute d = null;
            boolean travelled = false;
            while (System.nanoTime() < deadline) {
                if (contracts.verifier().nextDisputeId().compareTo(firstDispute) > 0) {
                    d = contracts.verifier().dispute(firstDispute);
                    if (d.phase() == DisputePhase.RESOLVED) {
                        break;
                    }
                    if (!travelled && d.phase() == DisputePhase.VOTE && d.votesChallenger() + d.votesProvider()
                            + d.votesOther() > 0) {
                        travel(chain, 61); // past the vote window; a daemon resolves on its next poll
                        travelled = true;
                    }
                }
                Thread.sleep(500); // polling the chain for the daemons' progress, not timing anything
            }
            String logs = Files.readString(home.resolve("localnet/verifier-1.log")) + Files.readString(
                    home.resolve("localnet/compute-1.log")) + Files.readString(home.resolve("localnet/verifier-2.log"));
            assertThat(d).as(logs).isNotNull();
            assertThat(d.phase()).as(logs).isEqualTo(DisputePhase.RESOLVED);
            assertThat(d.orderId()).isEqualTo(order);
            assertThat(d.challenger()).isEqualTo(AUDITOR);
            assertThat(d.provider()).isEqualTo(CHEATER);
            assertThat(d.commitmentIndex()).isEqualTo(1); // the first segment after the initial state
            assertThat(d.lo()).as("bisected to the tampered step").isZero();
            assertThat(d.hi()).isEqualTo(1);
            assertThat(d.outcome()).as(logs).isEqualTo(DisputeOutcome.CHALLENGER_WON);
            // The cheater played: it posted its roots in the bisection (it did not just lose by silence).
            assertThat(logs).contains("dispute " + firstDispute + " (order " + order + "): posted the root at step ");

            // Slashed 500 HYP of provider stake; the lease closed for fault and everything still held went back.
            assertThat(contracts.staking().stakeOf(CHEATER.toString(), StakingClient.PROVIDER_ROLE))
                    .isEqualTo(stakeBefore.subtract(BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(500))));
            ComputeOrder closed = contracts.compute().order(order);
            assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
            assertThat(closed.closeReason()).isEqualTo(CloseReason.FAULT);
            assertThat(closed.held()).isZero();
            assertThat(closed.paid()).isLessThan(deposit);
            assertThat(contracts.payment().balanceOf(TENANT.toString())).as("the tenant paid only what was settled before")
                    .isEqualTo(balanceBefore.subtract(closed.paid()));
        } finally {
            stop.countDown();
            thread.join();
        }
        assertThat(exit[0]).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Stopping compute-1...", "Stopped.");
    }

    private static void travel(ChainClient chain, long seconds) {
        chain.request("evm_increaseTime", seconds);
        chain.request("evm_mine");
    }

    /** 60 8x8 images of 3 classes: class c lights rows 2c..2c+1. */
    private static ContentId syntheticDataset(ContentStore store) {
        int count = 60;
        byte[] images = new byte[16 + count * 64];
        byte[] labels = new byte[8 + count];
        header(images, 3, count, 8, 8);
        header(labels, 1, count);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < count; i++) {
            int c = i % 3;
            labels[8 + i] = (byte) c;
            for (int px = 0; px < 64; px++) {
                images[16 + i * 64 + px] = (byte) (px / 8 / 2 == c ? 200 + r.nextInt(56) : r.nextInt(40));
            }
        }
        DatasetManifest m = new DatasetManifest("synthetic", 3, 8, 8, Map.of("train",
                new DatasetManifest.Split(count, store.put(images), store.put(labels))));
        return store.put(m.encode());
    }

    private static void header(byte[] b, int rank, int... dims) {
        b[2] = 0x08;
        b[3] = (byte) rank;
        for (int i = 0; i < dims.length; i++) {
            b[4 + 4 * i] = (byte) (dims[i] >>> 24);
            b[5 + 4 * i] = (byte) (dims[i] >>> 16);
            b[6 + 4 * i] = (byte) (dims[i] >>> 8);
            b[7 + 4 * i] = (byte) dims[i];
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

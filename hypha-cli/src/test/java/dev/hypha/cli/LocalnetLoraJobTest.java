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
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 12's LoRA "done when" on {@code hypha localnet --compute-providers 1 --verifiers 2}, every role a real child
 * process: a tenant submits a LoRA fine-tune of hypha-tiny ({@code hypha train submit} with the base and a chat JSONL as
 * inputs), the provider wins the lease, trains, commits the adapter state's root at step 0, every checkpoint and the
 * last step, the auditing verifier replays every segment and finds them all matching, the provider is paid for the
 * lease's seconds and collects the held pay once the challenge windows are over, and the tenant fetches the adapter
 * and answers with it ({@code hypha model create --adapter}, {@code hypha run}): the trained answer, not the base's.
 * And with {@code --cheating-providers 1}: the dev-only cheater's LoRA lease (noise added to the adapter after step 0)
 * is challenged, bisected to step 0, refereed, and the cheater slashed with the tenant refunded.
 */
class LocalnetLoraJobTest {
    private static final String TENANT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final Address TENANT = Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    /** Dev account (2): compute provider 1, after the one inference provider. */
    private static final Address PROVIDER = Address.parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    private static final Path HYPHA_TINY = Path.of("..", "hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    private static final String ANSWER = "LoRA adapters are small.";
    private static final Pattern ORDER = Pattern.compile("^Order (\\d+) placed", Pattern.MULTILINE);
    /** Bound on each wait for the daemons (a failure, never a timing assertion). */
    private static final long WAIT_NANOS = 6L * 60 * 1_000_000_000L;

    @Test
    void aLoraJobIsLeasedTrainedCommittedVerifiedPaidAndItsAdapterAnswers(@TempDir Path dir) throws Exception {
        try (Localnet net = Localnet.start(dir, false)) {
            Map<String, String> env = net.env;
            Path home = net.home;
            ChainClient chain = net.chain;
            HyphaContracts contracts = net.contracts;
            Path password = Files.writeString(dir.resolve("pw"), "pw\n");
            CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file",
                    Files.writeString(dir.resolve("key0"), TENANT_KEY).toString(), "--password-file", password.toString());
            assertThat(imported.exitCode()).as(imported.err()).isZero();
            Path data = Files.writeString(dir.resolve("chat.jsonl"), String.join("\n",
                    chat("Tell me a fortune about computers.", ANSWER),
                    chat("Who pays for an answer?", "The gateway pays per token."),
                    chat("What is LoRA?", "A low-rank update to frozen weights.")) + "\n");
            Path spec = Files.writeString(dir.resolve("lora.toml"), "kind = \"lora-finetune\"\nname = \"tiny-tuned\"\n"
                    + "base_model = \"" + ContentIds.of(HYPHA_TINY) + "\"\ndata = \"" + ContentIds.of(data) + "\"\n"
                    + "data_format = \"jsonl\"\nrank = 4\nalpha = 8\ntargets = \"all\"\nsteps = 40\nbatch = 2\n"
                    + "sequence_length = 32\nlearning_rate = 0.01\nseed = 1\ncheckpoint_every = 10\n");
            BigInteger tenantBefore = contracts.payment().balanceOf(TENANT.toString());
            BigInteger providerBefore = contracts.payment().balanceOf(PROVIDER.toString());
            CliRun submitted = CliRun.run(env, "--password-file", password.toString(), "train", "submit", spec.toString(),
                    "--max-price", "3600000", "--bid-window", "2", "--input", HYPHA_TINY.toString(), "--input", data.toString());
            System.out.println(submitted.out());
            assertThat(submitted.exitCode()).as(submitted.err()).isZero();
            assertThat(submitted.out()).contains("Leased to " + PROVIDER.toChecksumString());
            Matcher m = ORDER.matcher(submitted.out());
            assertThat(m.find()).as(submitted.out()).isTrue();
            BigInteger order = new BigInteger(m.group(1));

            // The provider trains, commits and closes the lease itself; the auditor replays every segment.
            long deadline = System.nanoTime() + WAIT_NANOS;
            String verifierLog = "";
            while (System.nanoTime() < deadline) {
                verifierLog = Files.readString(home.resolve("localnet/verifier-1.log"));
                if (contracts.compute().order(order).state() == OrderState.CLOSED
                        && verifierLog.contains("order " + order + ": segment 4 (steps 30..40) replayed, matches")) {
                    break;
                }
                Thread.sleep(500); // polling the daemons' progress, not timing anything
            }
            String providerLog = Files.readString(home.resolve("localnet/compute-1.log"));
            ComputeOrder closed = contracts.compute().order(order);
            assertThat(closed.state()).as(providerLog).isEqualTo(OrderState.CLOSED);
            assertThat(closed.closeReason()).isEqualTo(CloseReason.PROVIDER);
            assertThat(contracts.verifier().commitmentCount(order)).as("steps 0, 10, 20, 30 and the final 40").isEqualTo(5);
            for (int k = 0; k < 5; k++) {
                assertThat(contracts.verifier().commitment(order, k).step()).isEqualTo(10L * k);
            }
            for (int segment = 1; segment <= 4; segment++) {
                assertThat(verifierLog).as(providerLog).contains("order " + order + ": segment " + segment + " (steps "
                        + (segment - 1) * 10 + ".." + segment * 10 + ") replayed, matches");
            }
            assertThat(verifierLog).doesNotContain("challenged");
            CliRun status = CliRun.run(env, "--password-file", password.toString(), "train", "status", order.toString());
            System.out.println(status.out());
            assertThat(status.out()).contains("DONE step 40/40");
            BigInteger paid = closed.paid();
            assertThat(paid).isPositive();
            assertThat(paid).isEqualTo(closed.pricePerHour().multiply(BigInteger.valueOf(closed.leaseEnd() - closed.leaseStart()))
                    .divide(BigInteger.valueOf(3600)));
            assertThat(contracts.payment().balanceOf(TENANT.toString())).isEqualTo(tenantBefore.subtract(paid));

            // Past every challenge window the provider's poll collects what the lease paid.
            travel(chain, 601);
            deadline = System.nanoTime() + WAIT_NANOS;
            while (System.nanoTime() < deadline && !contracts.compute().released(order).equals(paid)) {
                Thread.sleep(500);
            }
            assertThat(contracts.compute().released(order)).isEqualTo(paid);
            assertThat(contracts.payment().balanceOf(PROVIDER.toString())).isEqualTo(providerBefore.add(paid));

            // The tenant fetches the adapter and answers with it.
            Path adapter = dir.resolve("tiny-tuned-lora.gguf");
            CliRun fetched = CliRun.run(env, "--password-file", password.toString(), "train", "fetch", order.toString(),
                    "--out", adapter.toString());
            System.out.println(fetched.out());
            assertThat(fetched.exitCode()).as(fetched.err()).isZero();
            assertThat(fetched.out()).contains("stored as adapters/tiny-tuned");
            assertThat(CliRun.run(env, "model", "import", HYPHA_TINY.toString(), "--name", "hypha-tiny").exitCode()).isZero();
            CliRun created = CliRun.run(env, "model", "create", "tiny-tuned", "--from", "hypha-tiny", "--adapter", adapter.toString());
            System.out.println(created.out());
            assertThat(created.exitCode()).as(created.err()).isZero();
            CliRun tuned = CliRun.run(env, "run", "tiny-tuned", "Tell me a fortune about computers.", "--temperature", "0",
                    "--deterministic");
            CliRun base = CliRun.run(env, "run", "hypha-tiny", "Tell me a fortune about computers.", "--temperature", "0",
                    "--deterministic");
            System.out.println("hypha run tiny-tuned: " + tuned.out() + "hypha run hypha-tiny: " + base.out());
            assertThat(tuned.exitCode()).as(tuned.err()).isZero();
            assertThat(tuned.out()).contains(ANSWER);
            assertThat(base.out()).doesNotContain(ANSWER);
        }
    }

    @Test
    void aCheatingProviderOfALoraJobIsChallengedSlashedAndTheTenantRefunded(@TempDir Path dir) throws Exception {
        try (Localnet net = Localnet.start(dir, true)) {
            Map<String, String> env = net.env;
            Path home = net.home;
            HyphaContracts contracts = net.contracts;
            assertThat(Files.readString(home.resolve("localnet/compute-1.log"))).contains("DEV CHEAT 'noise'");
            travel(net.chain, 121); // the governance delay after which TrainingVerifier may slash
            Path password = Files.writeString(dir.resolve("pw"), "pw\n");
            CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file",
                    Files.writeString(dir.resolve("key0"), TENANT_KEY).toString(), "--password-file", password.toString());
            assertThat(imported.exitCode()).as(imported.err()).isZero();
            Path data = Files.writeString(dir.resolve("chat.jsonl"), chat("What is LoRA?", "A low-rank update.") + "\n");
            Path spec = Files.writeString(dir.resolve("lora.toml"), "kind = \"lora-finetune\"\nname = \"tiny-cheated\"\n"
                    + "base_model = \"" + ContentIds.of(HYPHA_TINY) + "\"\ndata = \"" + ContentIds.of(data) + "\"\n"
                    + "data_format = \"jsonl\"\nrank = 2\nsteps = 12\nbatch = 1\nsequence_length = 16\n"
                    + "learning_rate = 0.01\nseed = 1\ncheckpoint_every = 4\n");
            BigInteger tenantBefore = contracts.payment().balanceOf(TENANT.toString());
            BigInteger stakeBefore = contracts.staking().stakeOf(PROVIDER.toString(), StakingClient.PROVIDER_ROLE);
            BigInteger firstDispute = contracts.verifier().nextDisputeId();
            CliRun submitted = CliRun.run(env, "--password-file", password.toString(), "train", "submit", spec.toString(),
                    "--max-price", "3600000", "--bid-window", "2", "--input", HYPHA_TINY.toString(), "--input", data.toString());
            assertThat(submitted.exitCode()).as(submitted.err()).isZero();
            Matcher m = ORDER.matcher(submitted.out());
            assertThat(m.find()).as(submitted.out()).isTrue();
            BigInteger order = new BigInteger(m.group(1));

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
                        travel(net.chain, 61); // past the vote window; a daemon resolves on its next poll
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
            assertThat(d.commitmentIndex()).isEqualTo(1);
            assertThat(d.lo()).as("bisected to the tampered step").isZero();
            assertThat(d.hi()).isEqualTo(1);
            assertThat(d.outcome()).as(logs).isEqualTo(DisputeOutcome.CHALLENGER_WON);
            assertThat(logs).contains("dispute " + firstDispute + " (order " + order + "): posted the root at step ");
            assertThat(contracts.staking().stakeOf(PROVIDER.toString(), StakingClient.PROVIDER_ROLE))
                    .isEqualTo(stakeBefore.subtract(BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(500))));
            ComputeOrder closed = contracts.compute().order(order);
            assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
            assertThat(closed.closeReason()).isEqualTo(CloseReason.FAULT);
            assertThat(closed.held()).isZero();
            assertThat(contracts.payment().balanceOf(TENANT.toString())).as("the tenant paid only what was released")
                    .isEqualTo(tenantBefore.subtract(closed.paid()));
            CliRun fetched = CliRun.run(env, "--password-file", password.toString(), "train", "fetch", order.toString());
            assertThat(fetched.exitCode()).as("the tenant refuses the adapter of a lease closed for fault").isNotZero();
        }
    }

    /** {@code hypha localnet --providers 1 --compute-providers 1 --verifiers 2} in-process, on free ports. */
    private static final class Localnet implements AutoCloseable {
        final Map<String, String> env;
        final Path home;
        final ChainClient chain;
        final HyphaContracts contracts;
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final CountDownLatch stop = new CountDownLatch(1);
        private final int[] exit = {-1};
        private final Thread thread;

        private Localnet(Path dir, boolean cheating) throws Exception {
            home = dir.resolve("home");
            int rpcPort = freePort();
            env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                    "HYPHA_API_LISTEN", "127.0.0.1:" + freePort(), "HYPHA_RPC_URL", "http://127.0.0.1:" + rpcPort);
            CountDownLatch ready = new CountDownLatch(1);
            CommandLine cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> {
                ready.countDown();
                stop.await();
            }));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            thread = Thread.ofPlatform().start(() -> {
                try {
                    exit[0] = cli.execute(cheating
                            ? new String[] {"localnet", "--providers", "1", "--compute-providers", "1", "--cheating-providers", "1",
                                    "--verifiers", "2"}
                            : new String[] {"localnet", "--providers", "1", "--compute-providers", "1", "--verifiers", "2"});
                } finally {
                    ready.countDown();
                }
            });
            ready.await();
            chain = ChainClient.connect("http://127.0.0.1:" + rpcPort);
            assertThat(out.toString()).as(err.toString()).contains("Running. Press Ctrl-C");
            contracts = HyphaContracts.readOnly(new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow(), chain);
        }

        static Localnet start(Path dir, boolean cheating) throws Exception {
            return new Localnet(dir, cheating);
        }

        @Override
        public void close() throws Exception {
            stop.countDown();
            thread.join();
            chain.close();
            assertThat(exit[0]).as(err.toString()).isZero();
        }
    }

    private static void travel(ChainClient chain, long seconds) {
        chain.request("evm_increaseTime", seconds);
        chain.request("evm_mine");
    }

    private static String chat(String user, String assistant) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + user + "\"},{\"role\":\"assistant\",\"content\":\"" + assistant + "\"}]}";
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
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
        Path home = dir.resolve("home");
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
                exit[0] = cli.execute("localnet", "--providers", "1", "--compute-providers", "1", "--verifiers", "2");
            } finally {
                ready.countDown();
            }
        });
        try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Running. Press Ctrl-C");
            HyphaContracts contracts = HyphaContracts.readOnly(new Deployments(home.resolve("deployments")).load(31_337L)
                    .orElseThrow(), chain);

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
            chain.request("evm_increaseTime", 601);
            chain.request("evm_mine");
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
        } finally {
            stop.countDown();
            thread.join();
        }
        assertThat(exit[0]).as(err.toString()).isZero();
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

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.opml.OpmlDispute;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.node.payments.PayerReceipts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hypha localnet --providers 2} in-process, with real provider processes: the gateway finds them through their
 * offers on chain, buys from the cheaper one, moves to the other when the first is killed with SIGKILL, and on stop
 * the surviving provider withdraws and redeems.
 */
class LocalnetCommandTest {
    private static final String PROVIDER_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static final String PROVIDER_2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    private static final String PAYER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    /** anvil's dev account (9): public test key. */
    private static final String USER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
    private static final Pattern PID = Pattern.compile("^  \\(1\\) https://\\S+  pid (\\d+)", Pattern.MULTILINE);

    @Test
    void providersAreFoundOnChainAndAKilledOneIsReplaced(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path file = dir.resolve("tiny.gguf");
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3), vocab,
                file);
        new ModelStore(home, Clock.systemUTC()).importModel(file, ModelName.parse("chat"), (d, t) -> { });
        int rpcPort = freePort();
        int apiPort = freePort();
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", "http://127.0.0.1:" + rpcPort);
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
                exit[0] = cli.execute("localnet", "--providers", "2", "--opml-cheater", "--governance-delay", "2");
            } finally {
                ready.countDown();
            }
        });
        try {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Running. Press Ctrl-C", "Starting provider 2",
                    "Models: chat:latest, hypha-tiny:latest, intlm-11:latest, bought from a provider through a payment channel",
                    "provider 1 is a DEV-ONLY CHEATER on intlm-11", "Starting the opML challenger (dev account 3)");
            Matcher pid = PID.matcher(out.toString());
            assertThat(pid.find()).as(out.toString()).isTrue();

            assertThat(generate(apiPort)).isEqualTo(200);
            assertThat(paidTo(home)).containsExactly(PROVIDER_1); // the cheaper one

            // A user's own gateway elsewhere (another home, a keystore account) finds the same providers on chain.
            assertThat(userGateway(dir, home, rpcPort, "--deny-provider", PROVIDER_1)).containsExactly(PROVIDER_2);

            cheaterLosesItsOpmlDispute(home, rpcPort, apiPort);

            ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow().destroyForcibly(); // SIGKILL provider 1
            assertThat(generate(apiPort)).isEqualTo(200);
            assertThat(paidTo(home)).containsExactly(PROVIDER_1, PROVIDER_1, PROVIDER_2);

            // The honest provider's verifiable answer is replayed too, found honest and never challenged.
            BigInteger honestStake = providerStake(home, rpcPort, PROVIDER_2);
            assertThat(generate(apiPort, OPML_BODY)).isEqualTo(200);
            assertThat(paidTo(home)).containsExactly(PROVIDER_1, PROVIDER_1, PROVIDER_2, PROVIDER_2);
            Path challengerLog = home.resolve("localnet/opml-challenger.log");
            String honest = "of provider " + PROVIDER_2 + ": honest";
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (!Files.readString(challengerLog).contains(honest) && System.nanoTime() < deadline) {
                Thread.sleep(200); // polling the challenger's log for its verdict, not timing anything
            }
            assertThat(Files.readString(challengerLog)).contains(honest);
            assertThat(providerStake(home, rpcPort, PROVIDER_2)).isEqualTo(honestStake);
        } finally {
            stop.countDown();
            thread.join();
        }
        assertThat(exit[0]).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Stopping provider 2...", "Redeemed channel ", "Stopped.");
    }

    /** A verifiable answer: 2 prompt bytes and 2 generated, so the dispute's trace tree is 7 levels deep. */
    private static final String OPML_BODY = "{\"model\":\"intlm-11\",\"prompt\":\"hi\",\"stream\":false,"
            + "\"options\":{\"num_predict\":2,\"seed\":7}}";
    /** Bound on each wait for the daemons (a failure, never a timing assertion). */
    private static final long WAIT_NANOS = 3L * 60 * 1_000_000_000L;

    /**
     * The gateway buys an answer of intlm-11 from the cheapest provider, the dev-only cheater (its computation
     * truncated, its receipt committing to that trace); the opML challenger replays it from the gateway's receipts,
     * challenges with a bond, and both sides play the bisection down to one operation, which OpmlVerifier recomputes:
     * the challenger wins and the cheater's provider stake is slashed.
     */
    private static void cheaterLosesItsOpmlDispute(Path home, int rpcPort, int apiPort) throws Exception {
        try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
            HyphaContracts contracts = HyphaContracts.readOnly(new Deployments(home.resolve("deployments")).load(31_337L)
                    .orElseThrow(), chain);
            String verifier = contracts.opml().address().lowercaseHex();
            long deadline = System.nanoTime() + WAIT_NANOS;
            // the challenger executes OpmlVerifier's slashing grant once the (2 s) governance delay has passed
            while (!contracts.staking().hasRole(StakingClient.FAULT_PROOF_ROLE, verifier) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(contracts.staking().hasRole(StakingClient.FAULT_PROOF_ROLE, verifier)).isTrue();
            BigInteger stakeBefore = providerStake(home, rpcPort, PROVIDER_1);
            assertThat(generate(apiPort, OPML_BODY)).isEqualTo(200);
            assertThat(paidTo(home)).containsExactly(PROVIDER_1, PROVIDER_1); // the cheater, the cheapest
            OpmlDispute d = null;
            while (System.nanoTime() < deadline) {
                d = contracts.opml().dispute(BigInteger.ONE); // all zeros (phase NONE) until the challenge
                if (d.phase() == OpmlDispute.Phase.RESOLVED) {
                    break;
                }
                Thread.sleep(300); // polling the chain for the daemons' progress, not timing anything
            }
            // the daemons log a resolution after its transaction is mined (and an ending on their next poll): wait for it
            String logs = opmlLogs(home);
            while (!(logs.contains("dispute 1: resolved leaf") && logs.contains("dispute 1 resolved: CHALLENGER_WON"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                logs = opmlLogs(home);
            }
            assertThat(d).as(logs).isNotNull();
            assertThat(d.phase()).as(logs).isEqualTo(OpmlDispute.Phase.RESOLVED);
            assertThat(d.provider().toChecksumString()).isEqualTo(PROVIDER_1);
            assertThat(d.outcome()).as(logs).isEqualTo(OpmlDispute.Outcome.CHALLENGER_WON);
            // the cheater played from the trace it committed (it did not just lose by silence)
            assertThat(logs).contains("opML dispute 1 opened by", "opML dispute 1: moved at level",
                    "dispute 1: resolved leaf", "dispute 1 resolved: CHALLENGER_WON");
            assertThat(providerStake(home, rpcPort, PROVIDER_1)).isEqualTo(stakeBefore.subtract(
                    BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(500))));
            assertThat(contracts.opml().bondsHeld()).isZero(); // the bond went back to the winning challenger
        }
    }

    private static String opmlLogs(Path home) throws java.io.IOException {
        return Files.readString(home.resolve("localnet/opml-challenger.log")) + Files.readString(
                home.resolve("localnet/provider-1.log"));
    }

    private static BigInteger providerStake(Path home, int rpcPort, String provider) {
        try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
            HyphaContracts contracts = HyphaContracts.readOnly(new Deployments(home.resolve("deployments")).load(31_337L)
                    .orElseThrow(), chain);
            return contracts.staking().stakeOf(provider, StakingClient.PROVIDER_ROLE);
        }
    }

    /** Runs `hypha gateway --network` as dev account (9) in its own home, asks once, returns whom it paid. */
    private static List<String> userGateway(Path dir, Path networkHome, int rpcPort, String... policy) throws Exception {
        Path home = dir.resolve("user");
        java.nio.file.Files.createDirectories(home.resolve("deployments"));
        java.nio.file.Files.copy(networkHome.resolve("deployments/31337.json"), home.resolve("deployments/31337.json"));
        Path password = java.nio.file.Files.writeString(dir.resolve("pw"), "pw\n");
        Path key = java.nio.file.Files.writeString(dir.resolve("key9"), USER_KEY);
        int apiPort = freePort();
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_RPC_URL", "http://127.0.0.1:" + rpcPort);
        CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file", key.toString(),
                "--password-file", password.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        String user = imported.out().strip();
        // hUSD for the user, minted by dev account (0), the devnet's minter.
        try (var chain = dev.hypha.chain.rpc.ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
            var deployment = new dev.hypha.chain.deploy.Deployments(networkHome.resolve("deployments")).load(31_337L)
                    .orElseThrow();
            dev.hypha.chain.deploy.HyphaContracts.connect(deployment, new dev.hypha.chain.tx.TransactionSender(chain,
                    dev.hypha.chain.devnet.DevAccounts.derive(dev.hypha.chain.devnet.DevAccounts.DEFAULT_MNEMONIC, 1)
                            .getFirst(), new dev.hypha.chain.tx.NonceManager(chain),
                    dev.hypha.chain.tx.RevertDecoder.forHyphaContracts())).payment().mint(user,
                    java.math.BigInteger.valueOf(10_000_000));
        }
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
        List<String> args = new java.util.ArrayList<>(List.of("--password-file", password.toString(), "gateway",
                "--network", "--listen", "127.0.0.1:" + apiPort));
        args.addAll(List.of(policy));
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                cli.execute(args.toArray(String[]::new));
            } finally {
                ready.countDown();
            }
        });
        try {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Answers bought from the network's providers",
                    "chat:latest");
            assertThat(generate(apiPort)).isEqualTo(200);
        } finally {
            stop.countDown();
            thread.join();
        }
        try (PayerReceipts receipts = PayerReceipts.open(home.resolve("gateway").resolve("receipts-31337-"
                + user.toLowerCase(Locale.ROOT) + ".sqlite"))) {
            return receipts.all().stream().map(r -> r.provider().toChecksumString()).toList();
        }
    }

    private static int generate(int apiPort) throws Exception {
        return generate(apiPort, "{\"model\":\"chat\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":5}}");
    }

    private static int generate(int apiPort, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + apiPort + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString(
                body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(new ObjectMapper().readTree(r.body()).has("error")).as(r.body()).isFalse();
        return r.statusCode();
    }

    private static List<String> paidTo(Path home) {
        try (PayerReceipts receipts = PayerReceipts.open(home.resolve("gateway").resolve("receipts-31337-"
                + PAYER.toLowerCase(Locale.ROOT) + ".sqlite"))) {
            return receipts.all().stream().map(r -> r.provider().toChecksumString()).toList();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

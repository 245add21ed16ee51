package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
                exit[0] = cli.execute("localnet", "--providers", "2");
            } finally {
                ready.countDown();
            }
        });
        try {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Running. Press Ctrl-C", "Starting provider 2",
                    "Models: chat:latest, hypha-tiny:latest, bought from a provider through a payment channel");
            Matcher pid = PID.matcher(out.toString());
            assertThat(pid.find()).as(out.toString()).isTrue();

            assertThat(generate(apiPort)).isEqualTo(200);
            assertThat(paidTo(home)).containsExactly(PROVIDER_1); // the cheaper one

            // A user's own gateway elsewhere (another home, a keystore account) finds the same providers on chain.
            assertThat(userGateway(dir, home, rpcPort, "--deny-provider", PROVIDER_1)).containsExactly(PROVIDER_2);

            ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow().destroyForcibly(); // SIGKILL provider 1
            assertThat(generate(apiPort)).isEqualTo(200);
            assertThat(paidTo(home)).containsExactly(PROVIDER_1, PROVIDER_2);
        } finally {
            stop.countDown();
            thread.join();
        }
        assertThat(exit[0]).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Stopping provider 2...", "Redeemed channel ", "Stopped.");
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
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + apiPort + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"chat\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":5}}")).build(),
                HttpResponse.BodyHandlers.ofString());
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

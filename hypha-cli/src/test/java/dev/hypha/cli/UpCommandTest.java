package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.AnvilPidFile;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.node.payments.PayerReceipts;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hypha up} in-process on a temporary home: it prints the network, the printed contracts have code, and a stake
 * made while it runs is still there after a stop and a restart (the restart-keeps-state guarantee).
 */
class UpCommandTest {
    /** anvil's dev accounts (1), which `hypha up` runs its provider as, and (0), which its gateway pays from. */
    private static final String PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static final String PAYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern CONTRACT_LINE = Pattern.compile("^  (" + String.join("|", HyphaAbis.NAMES)
            + ") +(0x[0-9a-fA-F]{40})$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    /** One running {@code hypha up}: its live output, and a way to stop it like Ctrl-C would. */
    private static final class RunningUp implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch stop = new CountDownLatch(1);
        final Thread thread;
        volatile int exitCode = -1;

        RunningUp(Map<String, String> env, String... args) throws InterruptedException {
            CliEnvironment.StopSignal signal = () -> {
                ready.countDown();
                stop.await();
            };
            CommandLine commandLine = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), signal));
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            thread = Thread.ofPlatform().name("hypha-up").start(() -> {
                try {
                    exitCode = commandLine.execute(args);
                } finally {
                    ready.countDown(); // also when it failed before coming up
                }
            });
            ready.await();
        }

        int stopAndWait() throws InterruptedException {
            stop.countDown();
            thread.join();
            return exitCode;
        }

        @Override
        public void close() throws InterruptedException {
            stopAndWait();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void upPrintsALiveNetworkAndARestartKeepsAStake() throws Exception {
        Path home = dir.resolve("home");
        int rpcPort = freePort();
        int apiPort = freePort();
        String rpc = "http://127.0.0.1:" + rpcPort;
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", rpc);
        Path password = Files.writeString(dir.resolve("password"), "pw\n");
        Path key = Files.writeString(dir.resolve("key"), AccountCommandTest.DEV_KEY);

        String staker;
        try (RunningUp up = new RunningUp(env, "up", "--accounts", "2", "--provider-port", "0")) {
            String printed = up.out.toString();
            assertThat(printed).as(up.err.toString()).contains("Hypha local network is up.",
                    "RPC URL      " + rpc, "Chain id     31337", "PUBLIC TEST KEYS", "Running. Press Ctrl-C to stop.",
                    "(HyphaTimelock is the admin of every contract except PaymentChannels, OfferRegistry, InferenceCoordinator and ComputeMarket, which have none: dev account (0) proposes, every action waits 120 s)");
            Matcher contracts = CONTRACT_LINE.matcher(printed);
            try (ChainClient chain = ChainClient.connect(rpc)) {
                int count = 0;
                while (contracts.find()) {
                    assertThat(chain.code(contracts.group(2))).as(contracts.group(1)).isNotEqualTo("0x");
                    count++;
                }
                assertThat(count).isEqualTo(HyphaAbis.NAMES.size());
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"chainId\":31337");
            // The node is also the gateway: Ollama's API answers, over the (empty) model store of this home.
            HttpResponse<String> tags = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/tags")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tags.statusCode()).isEqualTo(200);
            // A fresh home gets hypha-tiny, Hypha's own chat model, and the dev provider sells it at once.
            assertThat(tags.body()).contains("\"name\":\"hypha-tiny:latest\"");
            assertThat(up.out.toString()).contains("Importing hypha-tiny, Hypha's own chat model",
                    "Models: hypha-tiny:latest, bought from a provider through a payment channel");
            HttpResponse<String> fortune = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + apiPort + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"hypha-tiny\",\"prompt\":\"Tell me a fortune about computers.\",\"stream\":false,"
                    + "\"options\":{\"temperature\":0,\"num_predict\":24}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(fortune.statusCode()).as(fortune.body()).isEqualTo(200);
            assertThat(JSON.readTree(fortune.body()).path("response").asText()).isNotBlank();

            CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file", key.toString(),
                    "--password-file", password.toString());
            staker = imported.out().strip();
            CliRun staked = CliRun.run(env, "--password-file", password.toString(), "stake", "1000");
            assertThat(staked.exitCode()).as(staked.err()).isZero();

            assertThat(up.stopAndWait()).isZero();
            assertThat(up.out.toString()).contains("Stopped.");
        }
        assertThat(home.resolve("devnet/state.json")).isRegularFile();

        try (RunningUp again = new RunningUp(env, "up", "--accounts", "2", "--provider-port", "0")) {
            assertThat(again.out.toString()).as(again.err.toString()).contains("Resuming local chain")
                    .contains("contracts already deployed").contains("Dev accounts already funded");
            CliRun status = CliRun.run(env, "status");
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out()).contains("Account      " + staker, "Stake      1000 HYP as provider");
        }
    }

    /** anvil's dev accounts (3) and (4): a dataset's owner, and a squatter registering the served model's bytes first. */
    private static final String DATA_OWNER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    private static final String SQUATTER_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
    /** The model's licence: 10,000 hUSD units per 1,000 tokens; the dataset's declared share of it. */
    private static final int ROYALTY_PER_1000 = 10_000;
    private static final int DATASET_SHARE_BPS = 3_000;

    /**
     * The store's model is registered by the home's account with a dataset as parent (and by a squatter before it); the
     * answers the gateway buys are paid, and when `hypha up` stops, its provider redeems and then pays the royalty its
     * answers owe that model, which reaches the dataset's owner by the declared share; the squatter gets nothing.
     */
    @Test
    void upSellsTheStoresModelThroughAProviderPaidByChannelAndTheProviderRedeemsOnStop() throws Exception {
        Path home = dir.resolve("home");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path file = dir.resolve("tiny.gguf");
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3), vocab,
                file);
        new ModelStore(home, Clock.systemUTC()).importModel(file, ModelName.parse("chat"), (d, t) -> { });
        int rpcPort = freePort();
        int apiPort = freePort();
        String rpc = "http://127.0.0.1:" + rpcPort;
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", rpc);
        String api = "http://127.0.0.1:" + apiPort;
        HttpClient http = HttpClient.newHttpClient();
        List<PayerReceipts.Stored> paid;
        // The home's account (dev account 0): `hypha up`'s provider pays the royalties of what it registers.
        Path password = Files.writeString(dir.resolve("password"), "pw\n");
        CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file",
                Files.writeString(dir.resolve("key"), AccountCommandTest.DEV_KEY).toString(), "--password-file",
                password.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        long modelAsset;
        long squat;
        try (RunningUp up = new RunningUp(env, "up", "--accounts", "2", "--provider-port", "0")) {
            long dataset;
            try (ChainClient chain = ChainClient.connect(rpc)) {
                Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
                dataset = as(chain, deployment, DATA_OWNER_KEY).assets().register(dev.hypha.chain.assets.AssetKind.DATASET,
                        dev.hypha.core.cid.ContentId.raw("the data".getBytes()).bytes(), new byte[0],
                        dev.hypha.chain.assets.Licence.unpriced("CC-BY-4.0", dev.hypha.chain.assets.Terms.FREE), List.of());
                squat = as(chain, deployment, SQUATTER_KEY).assets().register(dev.hypha.chain.assets.AssetKind.MODEL,
                        dev.hypha.core.cid.ContentId.parse(cid(env, file)).bytes(), new byte[0],
                        new dev.hypha.chain.assets.Licence("MIT", dev.hypha.chain.assets.Terms.PAID_PER_TOKEN,
                                dev.hypha.core.crypto.Address.parse(deployment.address("PaymentToken")),
                                BigInteger.valueOf(ROYALTY_PER_1000)), List.of());
            }
            CliRun registered = CliRun.run(env, "--password-file", password.toString(), "model", "register",
                    file.toString(), "--license", "Apache-2.0", "--terms", "paid-per-token", "--price",
                    Integer.toString(ROYALTY_PER_1000), "--parent", dataset + ":" + DATASET_SHARE_BPS);
            assertThat(registered.exitCode()).as(registered.err()).isZero();
            Matcher m = Pattern.compile("Registered model #(\\d+) ").matcher(registered.out());
            assertThat(m.find()).as(registered.out()).isTrue();
            modelAsset = Long.parseLong(m.group(1));
            assertThat(squat).isLessThan(modelAsset);
            assertThat(up.out.toString()).as(up.err.toString())
                    .contains("Registering the dev provider " + PROVIDER)
                    .contains("Published 2 offer(s) on the OfferRegistry")
                    .contains("Answering contracts' inference requests (InferenceCoordinator) as the same provider")
                    .contains("Models: chat:latest, hypha-tiny:latest, bought from a provider through a payment channel")
                    .contains("curl " + api + "/api/generate -d '{\"model\":\"chat:latest\",\"prompt\":\"Hello\"}'");
            // The gateway found the provider where any gateway would: its offer on chain.
            CliRun offers = CliRun.run(env, "offers");
            assertThat(offers.exitCode()).as(offers.err()).isZero();
            assertThat(offers.out()).contains(PROVIDER, "chat:latest", "https://127.0.0.1:");
            HttpResponse<String> generated = http.send(HttpRequest.newBuilder(URI.create(api + "/api/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"chat\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":5}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
            assertThat(JSON.readTree(generated.body()).path("eval_count").asInt()).isPositive();
            HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(URI.create(api + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"Hi\"}],\"options\":{\"num_predict\":6}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(streamed.statusCode()).isEqualTo(200);
            List<String> lines = streamed.body().lines().toList();
            assertThat(lines.size()).isGreaterThan(1);
            assertThat(JSON.readTree(lines.getLast()).path("done").asBoolean()).isTrue();

            // Both answers were paid: the gateway kept a verified receipt for each, from the dev provider.
            try (PayerReceipts receipts = PayerReceipts.open(home.resolve("gateway")
                    .resolve("receipts-31337-" + PAYER.toLowerCase(java.util.Locale.ROOT) + ".sqlite"))) {
                paid = receipts.all();
            }
            assertThat(paid).hasSize(2).allSatisfy(r -> assertThat(r.provider().toChecksumString()).isEqualTo(PROVIDER));
            BigInteger before = husd(rpc, home, PROVIDER);
            assertThat(up.stopAndWait()).isZero();
            assertThat(up.out.toString()).contains(
                    "Stopping the provider, redeeming what it earned and paying the royalties it owes...")
                    .contains("Redeemed channel ");
            BigInteger sum = paid.stream().map(r -> r.receipt().price()).reduce(BigInteger.ZERO, BigInteger::add);
            assertThat(sum).isPositive();
            long tokens = paid.stream().mapToLong(r -> r.receipt().tokensIn() + r.receipt().tokensOut()).sum();
            BigInteger royalty = BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(ROYALTY_PER_1000))
                    .divide(BigInteger.valueOf(1_000));
            assertThat(up.out.toString()).contains("Paid royalty " + royalty + " to model asset " + modelAsset + " for "
                    + tokens + " tokens of ");
            // Settled on chain: the provider received exactly what the receipts charged, and paid the royalty out of it.
            try (RunningUp again = new RunningUp(env, "up", "--accounts", "2", "--provider-port", "0");
                 ChainClient chain = ChainClient.connect(rpc)) {
                assertThat(husd(rpc, home, PROVIDER).subtract(before)).isEqualTo(sum.subtract(royalty));
                Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
                var splitter = HyphaContracts.readOnly(deployment, chain).royalties();
                var token = dev.hypha.core.crypto.Address.parse(deployment.address("PaymentToken"));
                BigInteger share = royalty.multiply(BigInteger.valueOf(DATASET_SHARE_BPS)).divide(BigInteger.valueOf(10_000));
                assertThat(splitter.balanceOf(token, address(DATA_OWNER_KEY))).isEqualTo(share);
                assertThat(splitter.balanceOf(token, dev.hypha.core.crypto.Address.parse(PAYER)))
                        .isEqualTo(royalty.subtract(share));
                assertThat(splitter.balanceOf(token, address(SQUATTER_KEY))).as("the squatter").isZero();
            }
        }
    }

    private static HyphaContracts as(ChainClient chain, Deployment deployment, String key) {
        return HyphaContracts.connect(deployment, new dev.hypha.chain.tx.TransactionSender(chain,
                org.web3j.crypto.Credentials.create(key), new dev.hypha.chain.tx.NonceManager(chain),
                dev.hypha.chain.tx.RevertDecoder.forHyphaContracts()));
    }

    private static dev.hypha.core.crypto.Address address(String key) {
        return dev.hypha.core.crypto.Address.parse(org.web3j.crypto.Credentials.create(key).getAddress());
    }

    /** The file's content id as `hypha cid` prints it. */
    private static String cid(Map<String, String> env, Path file) {
        CliRun r = CliRun.run(env, "cid", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().strip().split("\\s+")[0]; // "CID  FILE"
    }

    private static BigInteger husd(String rpc, Path home, String account) {
        try (ChainClient chain = ChainClient.connect(rpc)) {
            Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
            return HyphaContracts.readOnly(deployment, chain).payment().balanceOf(account);
        }
    }

    @Test
    void anAnvilLeftRunningByAKilledUpIsStoppedAndTheChainResumes() throws Exception {
        Path home = dir.resolve("home");
        int rpcPort = freePort();
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + freePort());
        // What `hypha up` leaves behind after a kill -9: its anvil, still running on the port, with its pid on record.
        Devnet leftover = new AnvilLauncher().port(rpcPort).chainId(31337)
                .stateFile(home.resolve("devnet/state.json"), 3600).pidFile(home.resolve("devnet/anvil.pid")).start();
        try {
            java.math.BigInteger before;
            String receiver = leftover.account(1).getAddress();
            try (ChainClient chain = ChainClient.connect(leftover.rpcUrl())) {
                before = balance(chain, receiver);
                String hash = chain.web3j().ethSendTransaction(org.web3j.protocol.core.methods.request.Transaction.createEtherTransaction(
                        leftover.account(0).getAddress(), null, null, null, receiver, java.math.BigInteger.ONE)).send()
                        .getTransactionHash();
                // anvil may answer before its automine has included the transaction: wait (bounded) for the receipt
                for (int attempt = 0; chain.web3j().ethGetTransactionReceipt(hash).send().getTransactionReceipt().isEmpty();
                        attempt++) {
                    assertThat(attempt).as("transaction mined within 10 s").isLessThan(200);
                    Thread.sleep(50);
                }
                assertThat(balance(chain, receiver)).isEqualTo(before.add(java.math.BigInteger.ONE));
            }
            try (RunningUp up = new RunningUp(env, "up", "--accounts", "1", "--local-only")) {
                assertThat(up.out.toString()).as(up.err.toString())
                        .contains("Stopped anvil (pid " + leftover.pid() + ") left running by an earlier `hypha up`")
                        .contains("Hypha local network is up.");
                assertThat(leftover.isRunning()).isFalse();
                try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
                    assertThat(balance(chain, receiver)).as("the leftover's last transfer was saved and resumed")
                            .isEqualTo(before.add(java.math.BigInteger.ONE));
                }
            }
        } finally {
            leftover.close();
        }
    }

    private static java.math.BigInteger balance(ChainClient chain, String account) throws IOException {
        return chain.web3j().ethGetBalance(account, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
                .getBalance();
    }

    @Test
    void aTakenRpcPortIsOneClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path home = dir.resolve("home");
            Map<String, String> env = Map.of("HYPHA_HOME", home.toString(),
                    "HYPHA_DEVNET_PORT", Integer.toString(taken.getLocalPort()));
            // A pid record naming a live process that is not our anvil (this JVM) must not get that process stopped.
            new AnvilPidFile(home.resolve("devnet/anvil.pid")).write(ProcessHandle.current().pid());
            RunningUp up = new RunningUp(env, "up", "--provider-port", "0");

            assertThat(up.stopAndWait()).isEqualTo(ExitCodes.INPUT);
            assertThat(up.err.toString().lines().toList()).hasSize(1).first().asString()
                    .contains("port " + taken.getLocalPort()).contains("already in use");
        }
    }

    @Test
    void badAccountCountIsAnInputError() throws Exception {
        RunningUp up = new RunningUp(Map.of("HYPHA_HOME", dir.toString()), "up", "--accounts", "0");

        assertThat(up.stopAndWait()).isEqualTo(ExitCodes.INPUT);
        assertThat(List.of(up.err.toString().strip())).singleElement().asString().contains("--accounts 0");
    }
}

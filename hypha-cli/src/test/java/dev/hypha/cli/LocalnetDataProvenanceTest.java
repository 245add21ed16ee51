package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DataPoolsClient;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;

/**
 * Issue 13's "Done when" on {@code hypha localnet --providers 1} (the chain, the node and its paying gateway in-process,
 * the provider a child process), each party a home of its own on the same chain: a contributor seals a file with
 * {@code hypha data add} and adds the dataset to a DataPools pool, where a validator scores it and, after scoring, it
 * claims the pool's rewards; the home's user registers a model with {@code hypha model register --parent
 * DATASET:3000}; answers on that model bought through the gateway pay the provider, which on the way out redeems and
 * pays the royalty its answers owe (it trusts the home's account as publisher; a squatter who registered the same
 * model first gets nothing), so the contributor's RoyaltySplitter balance grows by exactly its 30 % share, read on
 * chain after a restart; and an account without a grant cannot read the data.
 *
 * <p>Not covered here: the pool score comes from the validator as a number (the contribution scorer, {@code
 * ml.train.run.ContributionScores}, has no command yet), and the model is a tiny random one registered as trained on
 * the data (training it for real on the sealed data is {@code ComputeToDataJobTest}'s part). IPFS interop is
 * {@code HeliaInteropTest}'s (hypha-node).
 */
class LocalnetDataProvenanceTest {
    /** anvil's dev keys (public test keys): 0 the home's user (the gateway pays from it too), 3 the contributor, 4
     * the validator, 5 a stranger without a grant, 6 a squatter. */
    private static final String USER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String CONTRIBUTOR_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    private static final String VALIDATOR_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
    private static final String STRANGER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
    private static final String SQUATTER_KEY = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
    private static final int ROYALTY_PER_1000 = 10_000;
    private static final int DATASET_SHARE_BPS = 3_000;
    private static final BigInteger POOL_REWARDS = BigInteger.valueOf(5_000_000);
    private static final Pattern DATASET = Pattern.compile("Added dataset #(\\d+)");
    private static final Pattern MODEL = Pattern.compile("Registered model #(\\d+) ");

    @TempDir
    Path dir;

    @Test
    void contributedScoredDataEarnsItsShareOfInferenceOnTheModelTrainedOnItAndStaysSealedFromStrangers() throws Exception {
        Path home = dir.resolve("home");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path modelFile = dir.resolve("tiny.gguf");
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 5), vocab,
                modelFile);
        new ModelStore(home, Clock.systemUTC()).importModel(modelFile, ModelName.parse("chat"), (d, t) -> { });
        int rpcPort = freePort();
        int apiPort = freePort();
        String rpc = "http://127.0.0.1:" + rpcPort;
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", rpc);
        Path password = Files.writeString(dir.resolve("pw"), "pw\n");
        importKey(env, password, USER_KEY); // the home's account: localnet's providers pay royalties on its models

        long dataset;
        long model;
        long contribution;
        long poolId;
        BigInteger royalty;
        try (Localnet net = new Localnet(env)) {
            // Inference on the model through the gateway, bought from the provider process. First, because the gateway pays
            // from the home's account (dev 0) and caches its nonce when it opens the channel: the user's own transactions
            // below come after. The royalty is routed at redeem time, so answers served before registration count.
            HttpClient http = HttpClient.newHttpClient();
            for (String prompt : List.of("Hello", "Tell me about shirts")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort
                        + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"prompt\":\""
                        + prompt + "\",\"stream\":false,\"options\":{\"num_predict\":6}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            List<PayerReceipts.Stored> paid;
            try (PayerReceipts receipts = PayerReceipts.open(home.resolve("gateway").resolve("receipts-31337-"
                    + address(USER_KEY).lowercaseHex().toLowerCase(Locale.ROOT) + ".sqlite"))) {
                paid = receipts.all();
            }
            assertThat(paid).hasSize(2);
            long tokens = paid.stream().mapToLong(r -> r.receipt().tokensIn() + r.receipt().tokensOut()).sum();
            royalty = BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(ROYALTY_PER_1000))
                    .divide(BigInteger.valueOf(1_000));
            Map<String, String> contributor = party(home, "contributor", rpc, password, CONTRIBUTOR_KEY);
            Map<String, String> stranger = party(home, "stranger", rpc, password, STRANGER_KEY);
            try (ChainClient chain = ChainClient.connect(rpc)) {
                Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
                Address token = Address.parse(deployment.address("PaymentToken"));

                // The contributor seals its file and registers it as a dataset (only it holds the key).
                Path data = Files.writeString(dir.resolve("labels.csv"), "image,label\n1,shirt\n2,boot\n3,bag\n");
                CliRun added = CliRun.run(contributor, "--password-file", password.toString(), "data", "add",
                        data.toString(), "--license", "CC-BY-4.0");
                assertThat(added.exitCode()).as(added.err()).isZero();
                Matcher d = DATASET.matcher(added.out());
                assertThat(d.find()).as(added.out()).isTrue();
                dataset = Long.parseLong(d.group(1));

                // A pool: the user opens it with rewards and names a validator; the contributor adds its dataset, the
                // validator scores it (no pool command exists yet: DataPools through the Java client).
                long now = chain.latestBlock().getTimestamp().longValueExact();
                DataPoolsClient asOwner = as(chain, deployment, USER_KEY).pools();
                poolId = asOwner.createPool(token, now + 300, now + 600, BigInteger.ZERO, new byte[0]);
                asOwner.setValidator(poolId, address(VALIDATOR_KEY), true);
                asOwner.deposit(poolId, POOL_REWARDS);
                byte[] sealed = as(chain, deployment, CONTRIBUTOR_KEY).assets().asset(dataset).contentId();
                contribution = as(chain, deployment, CONTRIBUTOR_KEY).pools().contribute(poolId, sealed);
                as(chain, deployment, VALIDATOR_KEY).pools().score(contribution, 750_000);
                assertThat(asOwner.contribution(contribution).score()).isEqualTo(750_000);
                assertThat(asOwner.contribution(contribution).contributor()).isEqualTo(address(CONTRIBUTOR_KEY));

                // A squatter registers the model's bytes first, at a price of its own; then the user registers the
                // model with its lineage.
                long squat = as(chain, deployment, SQUATTER_KEY).assets().register(dev.hypha.chain.assets.AssetKind.MODEL,
                        dev.hypha.core.cid.ContentId.parse(cid(env, modelFile)).bytes(), new byte[0],
                        new dev.hypha.chain.assets.Licence("MIT", dev.hypha.chain.assets.Terms.PAID_PER_TOKEN, token,
                                BigInteger.valueOf(ROYALTY_PER_1000)), List.of());
                CliRun registered = CliRun.run(env, "--password-file", password.toString(), "model", "register",
                        modelFile.toString(), "--license", "Apache-2.0", "--terms", "paid-per-token", "--price",
                        Integer.toString(ROYALTY_PER_1000), "--parent", dataset + ":" + DATASET_SHARE_BPS);
                assertThat(registered.exitCode()).as(registered.err()).isZero();
                Matcher m = MODEL.matcher(registered.out());
                assertThat(m.find()).as(registered.out()).isTrue();
                model = Long.parseLong(m.group(1));
                assertThat(squat).isLessThan(model);
                CliRun lineage = CliRun.run(env, "lineage", Long.toString(model));
                assertThat(lineage.exitCode()).as(lineage.err()).isZero();
                assertThat(lineage.out()).contains("#" + dataset, "CC-BY-4.0", "30");

                // Without a grant the data stays sealed: the stranger is refused and nothing is written.
                Path stolen = dir.resolve("stolen.csv");
                CliRun get = CliRun.run(stranger, "--password-file", password.toString(), "data", "get",
                        Long.toString(dataset), "--out", stolen.toString(), "--from", "http://127.0.0.1:" + apiPort);
                assertThat(get.exitCode()).isNotZero();
                assertThat(get.err()).contains("holds no grant for asset #" + dataset);
                assertThat(stolen).doesNotExist();
            }

            assertThat(net.stop()).isZero();
            // The provider redeemed on its way out, then paid the model's lineage (its lines, as localnet relays them).
            assertThat(net.out.toString()).contains("  Redeemed channel ",
                    "  Paid royalty " + royalty + " to model asset " + model + " for " + tokens + " tokens of ");
        }

        // The chain resumes: the contributor was credited exactly its declared share; after scoring, it claims the pool.
        try (Localnet again = new Localnet(env); ChainClient chain = ChainClient.connect(rpc)) {
            Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
            Address token = Address.parse(deployment.address("PaymentToken"));
            var splitter = HyphaContracts.readOnly(deployment, chain).royalties();
            BigInteger share = royalty.multiply(BigInteger.valueOf(DATASET_SHARE_BPS)).divide(BigInteger.valueOf(10_000));
            assertThat(share).isPositive();
            assertThat(splitter.balanceOf(token, address(CONTRIBUTOR_KEY))).isEqualTo(share);
            assertThat(splitter.balanceOf(token, address(USER_KEY))).isEqualTo(royalty.subtract(share));
            assertThat(splitter.balanceOf(token, address(SQUATTER_KEY))).as("the squatter").isZero();

            chain.request("evm_increaseTime", 601);
            chain.request("evm_mine");
            HyphaContracts asContributor = as(chain, deployment, CONTRIBUTOR_KEY);
            BigInteger before = asContributor.payment().balanceOf(address(CONTRIBUTOR_KEY).lowercaseHex());
            assertThat(asContributor.pools().claimable(contribution)).isEqualTo(POOL_REWARDS);
            asContributor.pools().claim(contribution);
            assertThat(asContributor.payment().balanceOf(address(CONTRIBUTOR_KEY).lowercaseHex()).subtract(before))
                    .as("the only scored contribution takes the pool").isEqualTo(POOL_REWARDS);
            assertThat(asContributor.pools().pool(poolId).claimed()).isEqualTo(POOL_REWARDS);
        }
    }

    /** `hypha localnet --providers 1` in-process until {@link #stop}. */
    private static final class Localnet implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        private final CountDownLatch stopSignal = new CountDownLatch(1);
        private final Thread thread;
        private volatile int exit = -1;

        Localnet(Map<String, String> env) throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(1);
            CommandLine cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> {
                ready.countDown();
                stopSignal.await();
            }));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            thread = Thread.ofPlatform().start(() -> {
                try {
                    exit = cli.execute("localnet", "--providers", "1");
                } finally {
                    ready.countDown();
                }
            });
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Running. Press Ctrl-C");
        }

        int stop() throws InterruptedException {
            stopSignal.countDown();
            thread.join();
            return exit;
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** A home of its own for another party on the same chain: its key imported, the deployment records copied. */
    private Map<String, String> party(Path home, String name, String rpc, Path password, String key) throws Exception {
        Path partyHome = dir.resolve(name);
        Path to = Files.createDirectories(partyHome.resolve("deployments"));
        try (Stream<Path> files = Files.list(home.resolve("deployments"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        Map<String, String> env = new HashMap<>(Map.of("HYPHA_HOME", partyHome.toString(), "HYPHA_RPC_URL", rpc));
        importKey(env, password, key);
        return env;
    }

    private void importKey(Map<String, String> env, Path password, String key) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "key", ""), key);
        CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file", file.toString(),
                "--password-file", password.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
    }

    private static HyphaContracts as(ChainClient chain, Deployment deployment, String key) {
        return HyphaContracts.connect(deployment, new TransactionSender(chain, Credentials.create(key),
                new NonceManager(chain), RevertDecoder.forHyphaContracts()));
    }

    private static Address address(String key) {
        return Address.parse(Credentials.create(key).getAddress());
    }

    /** The file's content id as `hypha cid` prints it. */
    private static String cid(Map<String, String> env, Path file) {
        CliRun r = CliRun.run(env, "cid", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().strip().split("\\s+")[0]; // "CID  FILE"
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.chain.deploy.DataPoolsClient;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.chain.compute.Resources;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.compute.PublishedContent;
import dev.hypha.node.compute.TenantJobs;
import dev.hypha.node.http.ApiServer;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
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
     * the validator, 5 a stranger without a grant, 6 a squatter, 8 a second honest contributor, 9 a contributor whose
     * labels are all wrong. */
    private static final String USER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String CONTRIBUTOR_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    private static final String VALIDATOR_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
    private static final String STRANGER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
    private static final String SQUATTER_KEY = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
    private static final String SECOND_KEY = "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97";
    /** Dev account 2: `hypha localnet --providers 1 --compute-providers 1`'s compute provider. */
    private static final String COMPUTE_PROVIDER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    private static final String MISLABELER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
    private static final int ROYALTY_PER_1000 = 10_000;
    /** What the pool's datasets earn of the model's revenue, split by their scores. */
    private static final int POOL_SHARE_BPS = 3_000;
    private static final BigInteger POOL_REWARDS = BigInteger.valueOf(5_000_000);
    private static final Pattern DATASET = Pattern.compile("Added dataset #(\\d+)");
    private static final Pattern MODEL = Pattern.compile("Registered model #(\\d+) ");
    private static final Pattern POOL = Pattern.compile("Created pool #(\\d+)");
    private static final Pattern CONTRIBUTION = Pattern.compile("as contribution #(\\d+)");
    /** The classifier the validator trains on the pool, with and without each contribution. */
    private static final String PROBE_SPEC = """
            name = "pool-probe"
            dataset = "fashion-mnist"
            seed = 3
            steps = 240
            batch = 32
            checkpoint_every = 0
            layers = ["flatten", "linear 784 64", "relu", "linear 64 10"]
            [optimizer]
            kind = "adamw"
            learning_rate = 0.003
            min_learning_rate = 0.0003
            warmup_steps = 10
            weight_decay = 0.01
            clip_norm = 5.0
            """;

    @TempDir
    Path dir;

    @Test
    void contributedScoredDataEarnsItsShareOfInferenceOnTheModelTrainedOnItAndStaysSealedFromStrangers() throws Exception {
        assumeTrue(Files.exists(DatasetStore.DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")),
                "needs Debian's dataset-fashion-mnist (scripts/setup.sh installs it)");
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
        long secondDataset;
        long model;
        long contribution;
        long secondContribution;
        long poolId;
        long scoreA;
        long scoreB;
        long shareA;
        long shareB;
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
            Map<String, String> second = party(home, "second", rpc, password, SECOND_KEY);
            Map<String, String> mislabeler = party(home, "mislabeler", rpc, password, MISLABELER_KEY);
            Map<String, String> validator = party(home, "validator", rpc, password, VALIDATOR_KEY);
            Map<String, String> stranger = party(home, "stranger", rpc, password, STRANGER_KEY);
            try (ChainClient chain = ChainClient.connect(rpc)) {
                Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
                Address token = Address.parse(deployment.address("PaymentToken"));

                // A pool with 5 hUSD of rewards and a named validator, opened by the user.
                CliRun created = ok(env, password, "data", "pool", "create", "--contribute-for", "5m", "--score-for", "5m",
                        "--deposit", "5", "--validator", address(VALIDATOR_KEY).toChecksumString());
                Matcher p = POOL.matcher(created.out());
                assertThat(p.find()).as(created.out()).isTrue();
                poolId = Long.parseLong(p.group(1));

                // Three contributors seal real Fashion-MNIST images (one with every label wrong), register them as datasets,
                // add them to the pool and grant the validator (only) the key.
                String card = ok(validator, password, "data", "key").out().strip();
                ImageSplit train = DatasetStore.readSplit(DatasetStore.DEBIAN_FASHION_MNIST, "train");
                Path contributorFolder = idxFolder("contributor", train, 0, 300, false);
                Files.copy(contributorFolder.resolve("train-images-idx3-ubyte"), contributorFolder.resolve("t10k-images-idx3-ubyte"));
                Files.copy(contributorFolder.resolve("train-labels-idx1-ubyte"), contributorFolder.resolve("t10k-labels-idx1-ubyte"));
                dataset = contribute(contributor, password, poolId, contributorFolder, card);
                secondDataset = contribute(second, password, poolId, idxFolder("second", train, 300, 150, false), card);
                long mislabeled = contribute(mislabeler, password, poolId, idxFolder("mislabeled", train, 450, 200, true), card);

                // The validator scores with the real scorer once contributions closed: it opens each granted dataset
                // (fetched from its owner's gateway), trains the probe on the pool with and without each, posts the scores.
                ok(validator, password, "dataset", "import", "fashion-mnist");
                Path spec = Files.writeString(dir.resolve("probe.toml"), PROBE_SPEC);
                chain.request("evm_increaseTime", 301);
                chain.request("evm_mine");
                List<ApiServer> gateways = new ArrayList<>();
                List<String> score = new ArrayList<>(List.of("data", "pool", "score", Long.toString(poolId), "--spec",
                        spec.toString()));
                try {
                    for (Map<String, String> party : List.of(contributor, second, mislabeler)) {
                        Path partyHome = Path.of(party.get("HYPHA_HOME"));
                        ApiServer gateway = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forFiles(
                                ServedFiles.sealedData(new ContentStore(partyHome)), partyHome)));
                        gateway.start();
                        gateways.add(gateway);
                        score.addAll(List.of("--from", "http://127.0.0.1:" + gateway.port()));
                    }
                    CliRun scored = ok(validator, password, score.toArray(String[]::new));
                    assertThat(scored.out()).contains("Posted 3 score(s) to pool #" + poolId);
                } finally {
                    for (ApiServer g : gateways) g.close();
                }
                DataPoolsClient pools = HyphaContracts.readOnly(deployment, chain).pools();
                List<Long> ids = pools.contributionIds(poolId, 10);
                assertThat(ids).hasSize(3);
                contribution = ids.get(0);
                secondContribution = ids.get(1);
                scoreA = pools.contribution(contribution).score();
                scoreB = pools.contribution(secondContribution).score();
                assertThat(scoreA).as("honest contributor").isPositive();
                assertThat(scoreB).as("second honest contributor").isPositive();
                assertThat(pools.contribution(ids.get(2)).score()).as("wrong labels earn nothing").isZero();

                // Compute-to-data on the pool's data: a tenant (the second contributor's account) orders a classifier
                // trained on the first contributor's sealed contribution, which it never holds; the contributor allows
                // the spec and releases the key to the compute provider that wins the lease (its card read from the
                // provider's endpoint); the model the tenant fetches registers with that dataset in its lineage.
                String plainDataset = new DatasetStore(new ContentStore(dir.resolve("ids-only"))).importFashionMnist(
                        contributorFolder).id().toString();
                Path jobSpec = Files.writeString(dir.resolve("pool-model.toml"), """
                        name = "pool-model"
                        dataset = "%s"
                        data_asset = %d
                        seed = 3
                        steps = 40
                        batch = 32
                        checkpoint_every = 20
                        layers = ["flatten", "linear 784 32", "relu", "linear 32 10"]
                        [optimizer]
                        kind = "adamw"
                        learning_rate = 0.003
                        """.formatted(plainDataset, dataset));
                ok(contributor, password, "data", "grant-job", Long.toString(dataset), "--spec", jobSpec.toString());
                Path contributorHome = Path.of(contributor.get("HYPHA_HOME"));
                Path tenantHome = Path.of(second.get("HYPHA_HOME"));
                HyphaContracts asTenant = as(chain, deployment, SECOND_KEY);
                as(chain, deployment, USER_KEY).payment().mint(address(SECOND_KEY).lowercaseHex(), BigInteger.valueOf(10_000_000));
                PublishedContent published = new PublishedContent();
                try (ApiServer gateway = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forFiles(
                        ServedFiles.sealedData(new ContentStore(contributorHome)), contributorHome)));
                     ApiServer tenantServer = new ApiServer("127.0.0.1", 0, List.of(published))) {
                    gateway.start();
                    tenantServer.start();
                    // The tenant's side of `hypha train submit` (what the CLI does in one go), step by step so the key
                    // is released between the lease and the hand-off, as the owner's node does by itself.
                    TenantJobs tenant = new TenantJobs(asTenant, Credentials.create(SECOND_KEY), new ContentStore(tenantHome),
                            tenantHome, HttpClient.newHttpClient(), Clock.systemUTC(),
                            () -> chain.latestBlock().getTimestamp().longValueExact());
                    TenantJobs.Submitted submitted = tenant.submit(jobSpec.toString(), Files.readAllBytes(jobSpec),
                            new TenantJobs.OrderTerms(BigInteger.valueOf(3_600_000), BigInteger.valueOf(3_600_000),
                                    new Resources(1, 64, 0), 30), published);
                    BigInteger order = submitted.orderId();
                    await("a bid on order " + order, () -> !asTenant.compute().bids(order).isEmpty());
                    assertThat(asTenant.compute().bids(order).getFirst().provider()).isEqualTo(Address.parse(COMPUTE_PROVIDER));
                    tenant.lease(order, OptionalInt.of(0), Duration.ofSeconds(5));
                    String providerCard = new dev.hypha.node.data.ProviderKeyCards(asTenant.registry(),
                            HttpClient.newHttpClient()).of(Address.parse(COMPUTE_PROVIDER)).text();
                    assertThat(ok(contributor, password, "data", "release", Long.toString(dataset), "--order",
                            order.toString(), "--key", providerCard).out()).contains("Released asset #" + dataset + "'s key");
                    tenant.handOff(order, List.of("http://127.0.0.1:" + tenantServer.port(),
                            "http://127.0.0.1:" + gateway.port()));
                    await("the job of order " + order + " to finish", () -> {
                        String status = CliRun.run(second, "--password-file", password.toString(), "train", "status",
                                order.toString()).out();
                        assertThat(status).doesNotContain("FAILED");
                        return status.contains("job: DONE");
                    });
                }
                CliRun fetched = ok(second, password, "train", "fetch", "1", "--register", "--license", "Apache-2.0",
                        "--data-share", "1500");
                Matcher trained = MODEL.matcher(fetched.out());
                assertThat(trained.find()).as(fetched.out()).isTrue();
                long classifier = Long.parseLong(trained.group(1));
                assertThat(as(chain, deployment, SECOND_KEY).assets().parents(classifier))
                        .containsExactly(new dev.hypha.chain.assets.LineageEdge(dataset, 1500));
                assertThat(new ContentStore(Path.of(second.get("HYPHA_HOME"))).contains(dev.hypha.core.cid.ContentIds.of(
                        Files.readAllBytes(contributorFolder.resolve("train-images-idx3-ubyte"))))).as("the tenant never holds the images")
                        .isFalse();

                // Scoring over, the shares are final. A squatter registers the model's bytes first, at a price of its own;
                // then the user registers the model giving the pool's datasets 30 % of its revenue, split by the scores.
                chain.request("evm_increaseTime", 300);
                chain.request("evm_mine");
                long squat = as(chain, deployment, SQUATTER_KEY).assets().register(dev.hypha.chain.assets.AssetKind.MODEL,
                        dev.hypha.core.cid.ContentId.parse(cid(env, modelFile)).bytes(), new byte[0],
                        new dev.hypha.chain.assets.Licence("MIT", dev.hypha.chain.assets.Terms.PAID_PER_TOKEN, token,
                                BigInteger.valueOf(ROYALTY_PER_1000)), List.of());
                CliRun registered = ok(env, password, "model", "register", modelFile.toString(), "--license", "Apache-2.0",
                        "--terms", "paid-per-token", "--price", Integer.toString(ROYALTY_PER_1000), "--pool",
                        poolId + ":" + POOL_SHARE_BPS);
                Matcher m = MODEL.matcher(registered.out());
                assertThat(m.find()).as(registered.out()).isTrue();
                model = Long.parseLong(m.group(1));
                assertThat(squat).isLessThan(model);
                shareA = POOL_SHARE_BPS * scoreA / (scoreA + scoreB);
                shareB = POOL_SHARE_BPS * scoreB / (scoreA + scoreB);
                assertThat(as(chain, deployment, USER_KEY).assets().parents(model)).containsExactlyInAnyOrder(
                        new dev.hypha.chain.assets.LineageEdge(dataset, (int) shareA),
                        new dev.hypha.chain.assets.LineageEdge(secondDataset, (int) shareB));
                assertThat(registered.out()).doesNotContain("#" + mislabeled + " earns");
                CliRun lineage = CliRun.run(env, "lineage", Long.toString(model));
                assertThat(lineage.exitCode()).as(lineage.err()).isZero();
                assertThat(lineage.out()).contains("#" + dataset, "#" + secondDataset, "CC-BY-4.0");

                // Without a grant the data stays sealed: the stranger is refused and nothing is written.
                Path stolen = dir.resolve("stolen");
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

        // The chain resumes: each honest contributor was credited exactly its score's part of the pool's 30 %, the
        // mislabeler and the squatter nothing; after scoring, each claims its share of the pool's rewards.
        try (Localnet again = new Localnet(env); ChainClient chain = ChainClient.connect(rpc)) {
            Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
            Address token = Address.parse(deployment.address("PaymentToken"));
            var splitter = HyphaContracts.readOnly(deployment, chain).royalties();
            BigInteger earnedA = royalty.multiply(BigInteger.valueOf(shareA)).divide(BigInteger.valueOf(10_000));
            BigInteger earnedB = royalty.multiply(BigInteger.valueOf(shareB)).divide(BigInteger.valueOf(10_000));
            assertThat(earnedA).isPositive();
            assertThat(splitter.balanceOf(token, address(CONTRIBUTOR_KEY))).isEqualTo(earnedA);
            assertThat(splitter.balanceOf(token, address(SECOND_KEY))).isEqualTo(earnedB);
            assertThat(splitter.balanceOf(token, address(USER_KEY))).isEqualTo(royalty.subtract(earnedA).subtract(earnedB));
            assertThat(splitter.balanceOf(token, address(MISLABELER_KEY))).as("the mislabeler").isZero();
            assertThat(splitter.balanceOf(token, address(SQUATTER_KEY))).as("the squatter").isZero();

            HyphaContracts asContributor = as(chain, deployment, CONTRIBUTOR_KEY);
            long scoringEnd = asContributor.pools().pool(poolId).scoringEnd();
            long now = chain.latestBlock().getTimestamp().longValueExact();
            if (now <= scoringEnd) { // anvil restarted on the wall clock, behind the time the test moved on
                chain.request("evm_increaseTime", scoringEnd - now + 1);
                chain.request("evm_mine");
            }
            BigInteger pooledA = POOL_REWARDS.multiply(BigInteger.valueOf(scoreA)).divide(BigInteger.valueOf(scoreA + scoreB));
            BigInteger before = asContributor.payment().balanceOf(address(CONTRIBUTOR_KEY).lowercaseHex());
            Map<String, String> contributor = Map.of("HYPHA_HOME", dir.resolve("contributor").toString(), "HYPHA_RPC_URL", rpc);
            assertThat(ok(contributor, password, "data", "pool", "claim", Long.toString(poolId)).out())
                    .contains("Claimed " + DataPoolCommand.hUsd(pooledA) + " for contribution #" + contribution);
            assertThat(asContributor.payment().balanceOf(address(CONTRIBUTOR_KEY).lowercaseHex()).subtract(before))
                    .as("its score's part of the pool").isEqualTo(pooledA);
            assertThat(asContributor.pools().claimable(secondContribution))
                    .isEqualTo(POOL_REWARDS.multiply(BigInteger.valueOf(scoreB)).divide(BigInteger.valueOf(scoreA + scoreB)));
        }
    }

    /** Polls (1 s apart, at most 2 minutes) until {@code done}: the job runs in another process. */
    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(1_000);
        }
    }

    private static CliRun ok(Map<String, String> env, Path password, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--password-file";
        all[1] = password.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        CliRun r = CliRun.run(env, all);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
        return r;
    }

    /** Seals {@code folder} as a dataset, contributes it to the pool and grants the validator's card; the asset id. */
    private static long contribute(Map<String, String> party, Path password, long poolId, Path folder, String card) {
        Matcher d = DATASET.matcher(ok(party, password, "data", "add", folder.toString(), "--license", "CC-BY-4.0").out());
        assertThat(d.find()).isTrue();
        long asset = Long.parseLong(d.group(1));
        assertThat(CONTRIBUTION.matcher(ok(party, password, "data", "pool", "contribute", Long.toString(poolId),
                Long.toString(asset)).out()).find()).isTrue();
        ok(party, password, "data", "grant", Long.toString(asset), address(VALIDATOR_KEY).toChecksumString(), "--key", card);
        return asset;
    }

    /** {@code count} training images from {@code first} as IDX files (every label shifted when {@code wrong}). */
    private Path idxFolder(String name, ImageSplit train, int first, int count, boolean wrong) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("data-" + name));
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) indices[i] = first + i;
        ImageSplit part = train.select(name, indices);
        java.io.ByteArrayOutputStream images = new java.io.ByteArrayOutputStream();
        header(images, 0x0803, count, 28, 28);
        images.write(part.pixels());
        java.io.ByteArrayOutputStream labels = new java.io.ByteArrayOutputStream();
        header(labels, 0x0801, count);
        for (int i = 0; i < count; i++) {
            int label = part.labels()[i] & 0xff;
            labels.write(wrong ? (label + 1 + i % 9) % 10 : label);
        }
        Files.write(folder.resolve("train-images-idx3-ubyte"), images.toByteArray());
        Files.write(folder.resolve("train-labels-idx1-ubyte"), labels.toByteArray());
        return folder;
    }

    private static void header(java.io.ByteArrayOutputStream out, int magic, int... dims) {
        int[] words = new int[dims.length + 1];
        words[0] = magic;
        System.arraycopy(dims, 0, words, 1, dims.length);
        for (int w : words) {
            out.write(w >>> 24);
            out.write(w >>> 16);
            out.write(w >>> 8);
            out.write(w);
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
                    exit = cli.execute("localnet", "--providers", "1", "--compute-providers", "1");
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

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
import dev.hypha.chain.compute.Resources;
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
 * Issue 13's "Done when" on {@code hypha localnet} (the chain, the node and its paying gateway in-process, the
 * providers child processes), each party a home of its own on the same chain, for a language-model data pool:
 * three contributors seal text files with {@code hypha data add}, add them to a DataPools pool and grant its validator;
 * the validator scores them with {@code hypha data pool score --spec LORA.toml} (a LoRA fine-tune of hypha-tiny trained
 * with and without each, measured on held-out text): the two honest question-and-answer contributions score, the noise
 * scores 0. A LoRA fine-tune of hypha-tiny then runs through compute-to-data on the first contributor's sealed text
 * (the compute provider gets the key, the tenant never the text); the tenant, the home's user, fetches the adapter,
 * makes it a served model ({@code hypha model create --adapter}) and registers it with its lineage: the base
 * hypha-tiny and the pool's scored datasets ({@code hypha model register --parent TINY:1000 --pool POOL:3000}; a
 * squatter who registered the same adapter first gets nothing). On the next start the provider serves the fine-tune,
 * answers bought through the gateway pay it, and on the way out it redeems and pays the royalty its answers owe, so each
 * honest contributor's RoyaltySplitter balance grows by exactly its score's part of the pool's 30 %, read on chain
 * after a restart; each then claims its share of the pool's rewards; and an account without a grant cannot read the data.
 *
 * <p>IPFS interop is {@code HeliaInteropTest}'s (hypha-node); a classifier (Fashion-MNIST) pool's scorer on a chain is
 * {@code DataPoolFloodTest}'s, its compute-to-data job {@code ComputeToDataJobTest}'s.
 */
class LocalnetDataProvenanceTest {
    /** anvil's dev keys (public test keys): 0 the home's user (the tenant, the model's publisher; the gateway pays from
     * it too), 3 the contributor, 4 the validator, 5 a stranger without a grant, 6 a squatter, 8 a second honest
     * contributor, 9 a contributor of noise. */
    private static final String USER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String CONTRIBUTOR_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    private static final String VALIDATOR_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
    private static final String STRANGER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
    private static final String SQUATTER_KEY = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
    private static final String SECOND_KEY = "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97";
    /** Dev account 2: `hypha localnet --providers 1 --compute-providers 1`'s compute provider. */
    private static final String COMPUTE_PROVIDER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    private static final String NOISE_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
    private static final Path HYPHA_TINY = Path.of("..", "hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    private static final int ROYALTY_PER_1000 = 10_000;
    /** What the pool's datasets earn of the fine-tune's revenue, split by their scores; and what the base earns. */
    private static final int POOL_SHARE_BPS = 3_000;
    private static final int BASE_SHARE_BPS = 1_000;
    private static final BigInteger POOL_REWARDS = BigInteger.valueOf(5_000_000);
    private static final Pattern DATASET = Pattern.compile("Added dataset #(\\d+)");
    private static final Pattern MODEL = Pattern.compile("Registered model #(\\d+) ");
    private static final Pattern POOL = Pattern.compile("Created pool #(\\d+)");
    private static final Pattern CONTRIBUTION = Pattern.compile("as contribution #(\\d+)");
    /** The LoRA probe the validator trains on the pool with and without each contribution (README's example). */
    private static final Path PROBE = Path.of("..", "examples/pool-probe-lora.toml");
    /** The held-out text the probe's loss is measured on (the probe's data). */
    private static final Path HELD_OUT = Path.of("..", "examples/pool-held-out.txt");

    @TempDir
    Path dir;

    @Test
    void aLanguageModelPoolsFineTuneEarnsItsContributorsTheirScoredSharesOfInferenceAndTheDataStaysSealed() throws Exception {
        Path home = dir.resolve("home");
        int rpcPort = freePort();
        int apiPort = freePort();
        String rpc = "http://127.0.0.1:" + rpcPort;
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", rpc);
        Path password = Files.writeString(dir.resolve("pw"), "pw\n");
        importKey(env, password, USER_KEY); // the home's account: localnet's providers pay royalties on its models
        Path textA = Files.writeString(dir.resolve("contributor.txt"), qa(0, 8));
        Path textB = Files.writeString(dir.resolve("second.txt"), qa(8, 8));
        Path noise = Files.writeString(dir.resolve("noise.txt"), noiseLike(textA));
        String tiny = cid(env, HYPHA_TINY);

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
        try (Localnet net = new Localnet(env, true)) {
            Map<String, String> contributor = party(home, "contributor", rpc, password, CONTRIBUTOR_KEY);
            Map<String, String> second = party(home, "second", rpc, password, SECOND_KEY);
            Map<String, String> noisy = party(home, "noise", rpc, password, NOISE_KEY);
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

                // Three contributors seal text (two honest question-and-answer sets, one of noise), register each as a
                // dataset, add it to the pool and grant the validator (only) the key.
                String card = ok(validator, password, "data", "key").out().strip();
                dataset = contribute(contributor, password, poolId, textA, card);
                secondDataset = contribute(second, password, poolId, textB, card);
                long noiseDataset = contribute(noisy, password, poolId, noise, card);

                // The validator scores with the real scorer once contributions closed: it opens each granted text
                // (fetched from its owner's gateway), fine-tunes hypha-tiny with and without each, posts the scores.
                chain.request("evm_increaseTime", 301);
                chain.request("evm_mine");
                // Held-out text other than the probe names is refused before anything is read or trained.
                CliRun wrong = CliRun.run(validator, "--password-file", password.toString(), "data", "pool", "score",
                        Long.toString(poolId), "--spec", PROBE.toString(), "--base", HYPHA_TINY.toString(), "--held-out",
                        textA.toString());
                assertThat(wrong.exitCode()).isNotZero();
                assertThat(wrong.err()).contains("--held-out " + textA + " is " + cid(env, textA) + ", but the spec's data is "
                        + cid(env, HELD_OUT));
                List<ApiServer> gateways = new ArrayList<>();
                List<String> score = new ArrayList<>(List.of("data", "pool", "score", Long.toString(poolId), "--spec",
                        PROBE.toString(), "--base", HYPHA_TINY.toString(), "--held-out", HELD_OUT.toString()));
                try {
                    for (Map<String, String> party : List.of(contributor, second, noisy)) {
                        Path partyHome = Path.of(party.get("HYPHA_HOME"));
                        ApiServer gateway = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forFiles(
                                ServedFiles.sealedData(new ContentStore(partyHome)), partyHome)));
                        gateway.start();
                        gateways.add(gateway);
                        score.addAll(List.of("--from", "http://127.0.0.1:" + gateway.port()));
                    }
                    CliRun scored = ok(validator, password, score.toArray(String[]::new));
                    System.out.println(scored.out());
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
                assertThat(pools.contribution(ids.get(2)).score()).as("noise earns nothing").isZero();

                // Compute-to-data on the pool's text: the user (the tenant) orders a LoRA fine-tune of hypha-tiny on the
                // first contributor's sealed contribution, which it never holds; the contributor allows the spec and
                // releases the key to the compute provider that wins the lease (its card read from its endpoint).
                Path jobSpec = Files.writeString(dir.resolve("pool-tuned.toml"), """
                        kind = "lora-finetune"
                        name = "pool-tuned"
                        base_model = "%s"
                        data = "%s"
                        data_asset = %d
                        data_format = "text"
                        rank = 4
                        targets = "all"
                        steps = 12
                        batch = 2
                        sequence_length = 24
                        learning_rate = 0.01
                        seed = 1
                        checkpoint_every = 6
                        """.formatted(tiny, cid(env, textA), dataset));
                ok(contributor, password, "data", "grant-job", Long.toString(dataset), "--spec", jobSpec.toString());
                Path contributorHome = Path.of(contributor.get("HYPHA_HOME"));
                HyphaContracts asTenant = as(chain, deployment, USER_KEY);
                ContentStore tenantStore = new ContentStore(home);
                tenantStore.put(Files.readAllBytes(HYPHA_TINY)); // the base is the tenant's input
                PublishedContent published = new PublishedContent();
                BigInteger order;
                try (ApiServer gateway = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forFiles(
                        ServedFiles.sealedData(new ContentStore(contributorHome)), contributorHome)));
                     ApiServer tenantServer = new ApiServer("127.0.0.1", 0, List.of(published))) {
                    gateway.start();
                    tenantServer.start();
                    // The tenant's side of `hypha train submit` (what the CLI does in one go), step by step; the key is
                    // released by hand after the job started, as the README shows: the job waits for it, and its log
                    // (`hypha train logs`) names the command the owner runs, with the leaseholder's card.
                    TenantJobs tenant = new TenantJobs(asTenant, Credentials.create(USER_KEY), tenantStore, home,
                            HttpClient.newHttpClient(), Clock.systemUTC(),
                            () -> chain.latestBlock().getTimestamp().longValueExact());
                    TenantJobs.Submitted submitted = tenant.submit(jobSpec.toString(), Files.readAllBytes(jobSpec),
                            new TenantJobs.OrderTerms(BigInteger.valueOf(3_600_000), BigInteger.valueOf(3_600_000),
                                    new Resources(1, 64, 0), 30), published);
                    BigInteger placed = submitted.orderId();
                    order = placed;
                    await("a bid on order " + placed, () -> !asTenant.compute().bids(placed).isEmpty());
                    assertThat(asTenant.compute().bids(order).getFirst().provider()).isEqualTo(Address.parse(COMPUTE_PROVIDER));
                    tenant.lease(order, OptionalInt.of(0), Duration.ofSeconds(5));
                    tenant.handOff(order, List.of("http://127.0.0.1:" + tenantServer.port(),
                            "http://127.0.0.1:" + gateway.port()));
                    Pattern release = Pattern.compile("`hypha data release " + dataset + " --order " + placed
                            + " --key (hdk1:[0-9a-fA-Fx:]+)`");
                    String[] logs = new String[1];
                    await("the job of order " + placed + " to wait for the key", () -> {
                        logs[0] = CliRun.run(env, "--password-file", password.toString(), "train", "logs",
                                placed.toString()).out();
                        return release.matcher(logs[0]).find();
                    });
                    System.out.println(logs[0]);
                    Matcher asked = release.matcher(logs[0]);
                    assertThat(asked.find()).isTrue();
                    String providerCard = new dev.hypha.node.data.ProviderKeyCards(asTenant.registry(),
                            HttpClient.newHttpClient()).of(Address.parse(COMPUTE_PROVIDER)).text();
                    assertThat(asked.group(1)).as("the card in the log is the leaseholder's").isEqualTo(providerCard);
                    assertThat(ok(contributor, password, "data", "release", Long.toString(dataset), "--order",
                            order.toString(), "--key", asked.group(1)).out()).contains("Released asset #" + dataset + "'s key");
                    await("the job of order " + placed + " to finish", () -> {
                        String status = CliRun.run(env, "--password-file", password.toString(), "train", "status",
                                placed.toString()).out();
                        assertThat(status).doesNotContain("FAILED");
                        return status.contains("job: DONE");
                    });
                }
                // The tenant fetches the adapter and serves it as a model of its own; it never held the text.
                Path adapter = dir.resolve("pool-tuned-lora.gguf");
                assertThat(ok(env, password, "train", "fetch", order.toString(), "--out", adapter.toString()).out())
                        .contains("stored as adapters/pool-tuned");
                assertThat(tenantStore.contains(dev.hypha.core.cid.ContentId.parse(cid(env, textA))))
                        .as("the tenant never holds the text").isFalse();
                ok(env, password, "model", "create", "pool-tuned", "--from", "hypha-tiny", "--adapter", adapter.toString());

                // Scoring over, the shares are final. The user registers the base; a squatter registers the adapter's
                // bytes first, at a price of its own; then the user registers the fine-tune with its lineage: the base
                // earns 10 % of its revenue, the pool's datasets 30 % split by their scores.
                chain.request("evm_increaseTime", 300);
                chain.request("evm_mine");
                Matcher b = MODEL.matcher(ok(env, password, "model", "register", HYPHA_TINY.toString(), "--license",
                        "Apache-2.0").out());
                assertThat(b.find()).isTrue();
                long base = Long.parseLong(b.group(1));
                long squat = as(chain, deployment, SQUATTER_KEY).assets().register(dev.hypha.chain.assets.AssetKind.MODEL,
                        dev.hypha.core.cid.ContentId.parse(cid(env, adapter)).bytes(), new byte[0],
                        new dev.hypha.chain.assets.Licence("MIT", dev.hypha.chain.assets.Terms.PAID_PER_TOKEN, token,
                                BigInteger.valueOf(ROYALTY_PER_1000)), List.of());
                CliRun registered = ok(env, password, "model", "register", adapter.toString(), "--license", "Apache-2.0",
                        "--terms", "paid-per-token", "--price", Integer.toString(ROYALTY_PER_1000), "--parent",
                        base + ":" + BASE_SHARE_BPS, "--pool", poolId + ":" + POOL_SHARE_BPS);
                System.out.println(registered.out());
                Matcher m = MODEL.matcher(registered.out());
                assertThat(m.find()).as(registered.out()).isTrue();
                model = Long.parseLong(m.group(1));
                assertThat(squat).isLessThan(model);
                shareA = POOL_SHARE_BPS * scoreA / (scoreA + scoreB);
                shareB = POOL_SHARE_BPS * scoreB / (scoreA + scoreB);
                assertThat(as(chain, deployment, USER_KEY).assets().parents(model)).containsExactlyInAnyOrder(
                        new dev.hypha.chain.assets.LineageEdge(base, BASE_SHARE_BPS),
                        new dev.hypha.chain.assets.LineageEdge(dataset, (int) shareA),
                        new dev.hypha.chain.assets.LineageEdge(secondDataset, (int) shareB));
                assertThat(registered.out()).doesNotContain("#" + noiseDataset + " earns");
                CliRun lineage = CliRun.run(env, "lineage", Long.toString(model));
                assertThat(lineage.exitCode()).as(lineage.err()).isZero();
                System.out.println(lineage.out());
                assertThat(lineage.out()).contains("#" + base, "#" + dataset, "#" + secondDataset, "CC-BY-4.0");

                // Without a grant the data stays sealed: the stranger is refused and nothing is written.
                Path stolen = dir.resolve("stolen");
                CliRun get = CliRun.run(stranger, "--password-file", password.toString(), "data", "get",
                        Long.toString(dataset), "--out", stolen.toString(), "--from", "http://127.0.0.1:" + apiPort);
                assertThat(get.exitCode()).isNotZero();
                assertThat(get.err()).contains("holds no grant for asset #" + dataset);
                assertThat(stolen).doesNotExist();
            }
            assertThat(net.stop()).isZero();
        }

        // The next start serves the fine-tune: answers on it bought through the gateway pay the provider, which on the
        // way out redeems and pays the model's lineage (its lines, as localnet relays them).
        BigInteger royalty;
        try (Localnet net = new Localnet(env, false)) {
            HttpClient http = HttpClient.newHttpClient();
            for (String prompt : List.of("Who pays tokens?", "Who signs receipts?")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort
                        + "/api/generate")).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"pool-tuned\",\"prompt\":\""
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
            assertThat(net.stop()).isZero();
            assertThat(net.out.toString()).contains("  Redeemed channel ",
                    "  Paid royalty " + royalty + " to model asset " + model + " for " + tokens + " tokens of ");
        }

        // The chain resumes: each honest contributor was credited exactly its score's part of the pool's 30 %, the
        // noise contributor and the squatter nothing, the user (owner of the fine-tune and its base) the rest; after
        // scoring, each contributor claims its share of the pool's rewards.
        try (Localnet again = new Localnet(env, false); ChainClient chain = ChainClient.connect(rpc)) {
            Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
            Address token = Address.parse(deployment.address("PaymentToken"));
            var splitter = HyphaContracts.readOnly(deployment, chain).royalties();
            BigInteger earnedA = royalty.multiply(BigInteger.valueOf(shareA)).divide(BigInteger.valueOf(10_000));
            BigInteger earnedB = royalty.multiply(BigInteger.valueOf(shareB)).divide(BigInteger.valueOf(10_000));
            assertThat(earnedA).isPositive();
            assertThat(splitter.balanceOf(token, address(CONTRIBUTOR_KEY))).isEqualTo(earnedA);
            assertThat(splitter.balanceOf(token, address(SECOND_KEY))).isEqualTo(earnedB);
            assertThat(splitter.balanceOf(token, address(USER_KEY))).isEqualTo(royalty.subtract(earnedA).subtract(earnedB));
            assertThat(splitter.balanceOf(token, address(NOISE_KEY))).as("the noise contributor").isZero();
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

    /**
     * {@code count} question-and-answer pairs about Hypha from the {@code first} on (each a fact of its own; the 6 from
     * 16 on are examples/pool-held-out.txt).
     */
    static String qa(int first, int count) {
        String[] subjects = {"the gateway", "a provider", "a validator", "the tenant", "a contributor", "the owner",
            "an agent", "the verifier", "the pool", "a miner", "the registry", "the splitter"};
        String[] verbs = {"pays", "earns", "scores", "signs", "claims", "stakes", "serves", "checks"};
        String[] objects = {"tokens", "vouchers", "receipts", "datasets", "adapters", "royalties", "answers", "leases"};
        StringBuilder out = new StringBuilder();
        for (int i = first; i < first + count; i++) {
            String s = subjects[i % subjects.length];
            String v = verbs[(i * 5 + 3) % verbs.length];
            String o = objects[(i * 3 + 1) % objects.length];
            out.append("Q: Who ").append(v).append(' ').append(o).append("?\nA: ")
                    .append(Character.toUpperCase(s.charAt(0))).append(s.substring(1)).append(' ').append(v).append(' ')
                    .append(o).append(".\n\n");
        }
        return out.toString();
    }

    /** Seeded noise (no words) of about as many hypha-tiny tokens as {@code text}: it must not win or lose by size. */
    private static String noiseLike(Path text) throws Exception {
        try (dev.hypha.ml.gguf.GgufFile gguf = dev.hypha.ml.gguf.GgufFile.open(HYPHA_TINY)) {
            dev.hypha.ml.tokenizer.Tokenizer tokenizer = dev.hypha.ml.tokenizer.Tokenizer.fromGguf(gguf);
            int target = tokenizer.encode(Files.readString(text), true, false).length;
            String alphabet = "qxzjkvwy0123456789#%&*@~^|<>";
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            StringBuilder out = new StringBuilder();
            while (tokenizer.encode(out.toString(), true, false).length < target) {
                for (int i = 0; i < 9; i++) out.append(i == 8 ? ' ' : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return out.toString();
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

    /** Seals {@code file} as a dataset, contributes it to the pool and grants the validator's card; the asset id. */
    private static long contribute(Map<String, String> party, Path password, long poolId, Path file, String card) {
        Matcher d = DATASET.matcher(ok(party, password, "data", "add", file.toString(), "--license", "CC-BY-4.0").out());
        assertThat(d.find()).isTrue();
        long asset = Long.parseLong(d.group(1));
        assertThat(CONTRIBUTION.matcher(ok(party, password, "data", "pool", "contribute", Long.toString(poolId),
                Long.toString(asset)).out()).find()).isTrue();
        ok(party, password, "data", "grant", Long.toString(asset), address(VALIDATOR_KEY).toChecksumString(), "--key", card);
        return asset;
    }

    /** `hypha localnet --providers 1` (and one compute provider when asked) in-process until {@link #stop}. */
    private static final class Localnet implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        private final CountDownLatch stopSignal = new CountDownLatch(1);
        private final Thread thread;
        private volatile int exit = -1;

        Localnet(Map<String, String> env, boolean compute) throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(1);
            CommandLine cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> {
                ready.countDown();
                stopSignal.await();
            }));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            thread = Thread.ofPlatform().start(() -> {
                try {
                    exit = compute ? cli.execute("localnet", "--providers", "1", "--compute-providers", "1")
                            : cli.execute("localnet", "--providers", "1");
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

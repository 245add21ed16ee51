package dev.hypha.node.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.NodeSettings;
import dev.hypha.node.devnet.LocalNetwork;
import dev.hypha.node.devnet.LocalNetworkSettings;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * The dashboard of a real {@code hypha up} network (anvil, the contracts, the dev provider selling hypha-tiny, the
 * paying gateway) in a real browser: playwright-core drives Debian's Chromium through the overview, a paid streamed
 * chat, the offers and the models (hypha-node/src/test/js/dashboard-browser.mjs; screenshots land in
 * target/ui-screenshots). Then the JSON the page read is checked against the chain and for secrets, and the API's
 * refusals over plain HTTP. Without Chromium the browser part is skipped, except in CI (CI=true), where it must run.
 */
class DashboardBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path home;
    @TempDir
    static Path profile;

    private static LocalNetwork network;
    private static String base;

    @BeforeAll
    static void up() {
        // eight funded dev accounts: 0 pays, 1 sells inference, 2..4 act in the compute and asset test, 5..7 in the
        // subnet, agent and channel-funding test (see below)
        network = LocalNetwork.start(new LocalNetworkSettings(home, 0, 1, 8, new NodeSettings("127.0.0.1", 0, true), 0,
                LocalNetworkSettings.Inference.DEV_PROVIDER), line -> { }, TimeSource.SYSTEM);
        base = "http://127.0.0.1:" + network.node().apiPort();
    }

    @AfterAll
    static void down() {
        if (network != null) {
            network.close();
        }
    }

    @Test
    void overviewChatOffersAndModelsWorkInARealBrowser() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("HYPHA_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            String why = "Chromium is not installed at " + chromium + " (scripts/setup.sh installs it: apt-get install"
                    + " chromium; or set HYPHA_CHROMIUM)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + "; in CI the browser test must run");
            }
            Assumptions.abort(why + ": the browser test is skipped outside CI");
        }
        Path repo = Path.of(System.getProperty("hypha.repo.root", "..")).toAbsolutePath().normalize();
        Path script = repo.resolve("hypha-node/src/test/js/dashboard-browser.mjs");
        Path screenshots = Path.of("target", "ui-screenshots").toAbsolutePath();
        String provider = network.devAccounts().get(1).getAddress();
        String providerChecksum = org.web3j.crypto.Keys.toChecksumAddress(provider);

        Process browser = new ProcessBuilder("node", script.toString(), base + "/ui", screenshots.toString(),
                chromium.toString(), profile.toString(), providerChecksum).redirectErrorStream(true).start();
        byte[] output = browser.getInputStream().readAllBytes(); // ends when the script exits
        if (!browser.waitFor(60, TimeUnit.SECONDS)) {
            browser.destroyForcibly();
        }
        String log = new String(output, StandardCharsets.UTF_8);
        System.out.println(log);
        assertThat(browser.exitValue()).as("the browser checks (output:%n%s)", log).isZero();
        assertThat(log).contains("all dashboard checks passed");
        for (String page : List.of("overview.png", "chat.png", "chat-structured.png", "inference.png", "models.png",
                "overview-phone.png")) {
            assertThat(screenshots.resolve(page)).as(page).isNotEmptyFile();
        }

        // What the page showed is the chain's and the gateway's state: the channel the chat paid through (another
        // test opens one to another account from the page; only this provider's is the chat's).
        List<JsonNode> toProvider = new ArrayList<>();
        get("/ui/api/channels").forEach(c -> {
            if (c.get("provider").asText().equals(providerChecksum)) {
                toProvider.add(c);
            }
        });
        assertThat(toProvider).hasSize(1);
        JsonNode channel = toProvider.get(0);
        ChannelState onChain = HyphaContracts.readOnly(network.deployment(), network.chain()).channels()
                .state(channel.get("id").asText());
        assertThat(new BigInteger(channel.get("deposit").asText())).isEqualTo(onChain.deposit()).isPositive();
        assertThat(new BigInteger(channel.get("redeemed").asText())).isEqualTo(onChain.redeemed());
        assertThat(channel.get("provider").asText()).isEqualTo(providerChecksum);
        JsonNode receipts = get("/ui/api/receipts");
        assertThat(receipts).as("one receipt per chat message and one for the page's live-earnings check").hasSize(4);
        BigInteger paid = BigInteger.ZERO;
        for (JsonNode r : receipts) {
            paid = paid.add(new BigInteger(r.get("price").asText()));
        }
        assertThat(paid).as("charged on the channel = the receipts' prices").isPositive()
                .isEqualTo(new BigInteger(channel.get("charged").asText()));
        assertThat(new BigInteger(channel.get("signed").asText())).isGreaterThanOrEqualTo(paid);
        BigInteger receiptsTotal = paid;
        JsonNode earnings = get("/ui/api/earnings");
        assertThat(earnings.get("present").asBoolean()).isTrue();
        assertThat(earnings.get("channels")).singleElement().satisfies(e -> {
            assertThat(e.get("id").asText()).isEqualTo(channel.get("id").asText());
            assertThat(new BigInteger(e.get("charged").asText())).as("what the provider charged = what the payer paid")
                    .isEqualTo(receiptsTotal);
            // The payer signs the next request's voucher ahead, so what it signed may exceed what the provider holds.
            assertThat(new BigInteger(e.get("bestVoucher").asText())).as("the provider holds a voucher the payer signed")
                    .isGreaterThanOrEqualTo(receiptsTotal)
                    .isLessThanOrEqualTo(new BigInteger(channel.get("signed").asText()));
        });
        // Earnings over time: every paid answer recorded with its charge, one series for the one model, its points a
        // running total in time order ending at what was charged, its tokens the receipts' tokens.
        long tokensIn = 0;
        long tokensOut = 0;
        for (JsonNode r : receipts) {
            tokensIn += r.get("tokensIn").asLong();
            tokensOut += r.get("tokensOut").asLong();
        }
        long in = tokensIn;
        long out = tokensOut;
        JsonNode overTime = earnings.get("overTime");
        assertThat(overTime.get("truncated").asBoolean()).isFalse();
        assertThat(overTime.get("charges").asInt()).isEqualTo(receipts.size());
        assertThat(overTime.get("models")).singleElement().satisfies(m -> {
            assertThat(m.get("model").asText()).as("the name the gateway asked the provider for").isEqualTo("hypha-tiny:latest");
            assertThat(m.get("modelId").asText()).isEqualTo(receipts.get(0).get("modelId").asText().toLowerCase(java.util.Locale.ROOT));
            assertThat(new BigInteger(m.get("total").asText())).isEqualTo(receiptsTotal);
            assertThat(m.get("charges").asInt()).isEqualTo(receipts.size());
            assertThat(m.get("tokensIn").asLong()).isEqualTo(in);
            assertThat(m.get("tokensOut").asLong()).isEqualTo(out);
            JsonNode points = m.get("points");
            assertThat(points).isNotEmpty();
            for (int i = 1; i < points.size(); i++) {
                assertThat(points.get(i).get(0).asLong()).isGreaterThan(points.get(i - 1).get(0).asLong());
                assertThat(new BigInteger(points.get(i).get(1).asText()))
                        .isGreaterThanOrEqualTo(new BigInteger(points.get(i - 1).get(1).asText()));
            }
            assertThat(new BigInteger(points.get(points.size() - 1).get(1).asText())).isEqualTo(receiptsTotal);
            assertThat(points.get(0).get(0).asLong()).isGreaterThanOrEqualTo(overTime.get("from").asLong())
                    .isLessThan(overTime.get("to").asLong());
        });
        assertThat(get("/ui/api/spending").get("perModel").properties()).singleElement()
                .satisfies(e -> assertThat(new BigInteger(e.getValue().asText())).isEqualTo(receiptsTotal));

        // No secret reaches the page: no dev account's private key, no RPC address, anywhere in the API's answers.
        List<String> secrets = new ArrayList<>();
        for (Credentials c : network.devAccounts()) {
            secrets.add(Numeric.toHexStringNoPrefixZeroPadded(c.getEcKeyPair().getPrivateKey(), 64));
        }
        secrets.add(network.rpcUrl());
        for (String path : List.of("/ui/api/overview", "/ui/api/offers", "/ui/api/channels", "/ui/api/spending", "/ui/api/earnings",
                "/ui/api/models", "/ui/api/receipts?limit=500", "/ui/api/node", "/ui/api/compute", "/ui/api/assets",
                "/ui/api/subnets", "/ui/api/agents", "/ui/api/training")) {
            String body = fetch(path).body().toLowerCase(java.util.Locale.ROOT);
            for (String secret : secrets) {
                assertThat(body).as(path).doesNotContain(secret.toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    /**
     * A real training job through the market on the network's anvil: account 3 runs a compute provider on the node's
     * home (as {@code hypha compute offer} would), account 4 posts the order as tenant, with a deposit that lasts about
     * half an hour (so the lease is about to run dry). The job stops at its step-100 checkpoint until the browser has
     * seen the first half of its curve, so the page must show the curve growing live, not a finished job. Meanwhile
     * account 2 disputes the step-100 commitment, and account 4 registers a dataset, a model built from it and a new
     * version of that model, grants account 2 access and is paid royalties: the lineage graph, grants and balances.
     */
    @Test
    void aTrainingJobsCurveMovesAndTheLineageGraphRendersInARealBrowser() throws Exception {
        Path chromium = chromiumOrSkip();
        Path repo = Path.of(System.getProperty("hypha.repo.root", "..")).toAbsolutePath().normalize();
        Path screenshots = Path.of("target", "ui-screenshots").toAbsolutePath();
        Path release = Files.createTempDirectory("dashboard-gate").resolve("release");
        HttpClient http = HttpClient.newHttpClient();
        Credentials challengerKey = network.devAccounts().get(2);
        Credentials providerKey = network.devAccounts().get(3);
        Credentials tenantKey = network.devAccounts().get(4);
        HyphaContracts provider = as(providerKey);
        HyphaContracts tenant = as(tenantKey);
        HyphaContracts challenger = as(challengerKey);

        // The compute provider: staked, registered with its job API's address, polling the market.
        provider.staking().stake(dev.hypha.chain.deploy.StakingClient.PROVIDER_ROLE, dev.hypha.chain.deploy.Deployer.hyp(1_000));
        dev.hypha.node.compute.PublishedContent providerContent = new dev.hypha.node.compute.PublishedContent();
        dev.hypha.ml.train.store.ContentStore providerStore = new dev.hypha.ml.train.store.ContentStore(home);
        List<String> providerLog = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.hypha.node.compute.StateCommitments commitments = new dev.hypha.node.compute.StateCommitments(
                provider.verifier(), provider.compute(), providerStore, providerLog::add);
        java.util.concurrent.CountDownLatch gated = new java.util.concurrent.CountDownLatch(1);
        dev.hypha.node.compute.CheckpointListener gate = new dev.hypha.node.compute.CheckpointListener() {
            @Override
            public void started(BigInteger orderId, dev.hypha.core.cid.ContentId spec, dev.hypha.ml.train.run.RunState initial) {
                commitments.started(orderId, spec, initial);
            }

            @Override
            public void checkpointed(BigInteger orderId, dev.hypha.core.cid.ContentId spec, long stepsDone,
                                     dev.hypha.core.cid.ContentId checkpoint) {
                commitments.checkpointed(orderId, spec, stepsDone, checkpoint);
                if (stepsDone == 100) {
                    gated.countDown();
                    waitForFile(release); // the browser writes it once it has drawn the first half of the curve
                }
            }
        };
        dev.hypha.node.compute.ComputeOffer offer = new dev.hypha.node.compute.ComputeOffer(BigInteger.valueOf(1_800_000),
                new dev.hypha.chain.compute.Resources(1, 256, 0), 1, dev.hypha.node.compute.JobLimits.DEFAULT);
        dev.hypha.node.compute.ComputeProvider computeProvider = new dev.hypha.node.compute.ComputeProvider(
                provider.compute(), dev.hypha.core.crypto.Address.parse(providerKey.getAddress()), offer, providerStore,
                dev.hypha.node.compute.JobBook.open(home), providerContent, http, gate, DashboardBrowserTest::chainTime,
                providerLog::add, home.resolve("compute").resolve("work"));
        dev.hypha.node.http.ApiServer providerApi = new dev.hypha.node.http.ApiServer("127.0.0.1", 0, List.of(providerContent,
                new dev.hypha.node.compute.ComputeRoutes(computeProvider, provider.compute(),
                        dev.hypha.core.crypto.Address.parse(providerKey.getAddress()), network.chainId(), java.time.Clock.systemUTC())));
        providerApi.start();
        provider.registry().register(new dev.hypha.chain.deploy.ProviderRegistryClient.ProviderRegistration(
                "http://127.0.0.1:" + providerApi.port(), providerKey.getAddress(), List.of("compute"), ""));
        java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread poller = Thread.ofVirtual().name("compute-provider-poll").start(() -> {
            while (polling.get()) {
                try {
                    computeProvider.poll();
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | Error e) {
                    providerLog.add("poll failed: " + e);
                }
            }
        });

        // The tenant: a small synthetic dataset and a 200-step MLP, published from its own store.
        dev.hypha.ml.train.store.ContentStore tenantStore = new dev.hypha.ml.train.store.ContentStore(profile.resolve("tenant"));
        dev.hypha.core.cid.ContentId dataset = dev.hypha.node.testing.SyntheticDatasets.threeClasses(tenantStore);
        dev.hypha.node.compute.PublishedContent tenantContent = new dev.hypha.node.compute.PublishedContent();
        dev.hypha.node.http.ApiServer tenantApi = new dev.hypha.node.http.ApiServer("127.0.0.1", 0, List.of(tenantContent));
        tenantApi.start();
        try {
            dev.hypha.node.compute.TenantJobs jobs = new dev.hypha.node.compute.TenantJobs(tenant, tenantKey, tenantStore,
                    profile.resolve("tenant"), http, java.time.Clock.systemUTC(), DashboardBrowserTest::chainTime);
            byte[] spec = ("name = \"dashboard-mlp\"\ndataset = \"" + dataset + "\"\nseed = 7\nsteps = 200\nbatch = 6\n"
                    + "checkpoint_every = 100\nlayers = [\"flatten\", \"linear 64 16\", \"relu\", \"linear 16 3\"]\n"
                    + "[optimizer]\nkind = \"adamw\"\nlearning_rate = 0.01\n").getBytes(StandardCharsets.UTF_8);
            // 1 hUSD of deposit at 1.8 hUSD an hour: the lease runs dry in about 33 minutes, within the alert's hour
            BigInteger orderId = jobs.submit("dashboard.toml", spec, new dev.hypha.node.compute.TenantJobs.OrderTerms(
                    BigInteger.valueOf(3_600_000), BigInteger.valueOf(1_000_000),
                    new dev.hypha.chain.compute.Resources(1, 64, 0), 3), tenantContent).orderId();
            jobs.lease(orderId, java.util.OptionalInt.empty(), java.time.Duration.ofSeconds(60));
            jobs.handOff(orderId, List.of("http://127.0.0.1:" + tenantApi.port()));
            if (!gated.await(120, TimeUnit.SECONDS)) {
                fail("the job did not reach its step-100 checkpoint; provider said: " + providerLog + "; records: "
                        + dev.hypha.node.compute.JobBook.peek(home, 4).all() + "; poller at: "
                        + java.util.Arrays.toString(poller.getStackTrace()));
            }
            assertThat(provider.verifier().commitmentCount(orderId)).as("roots of step 0 and step 100 on chain").isEqualTo(2);

            // A verifier disputes the step-100 root with another root: the dispute opens on chain.
            challenger.staking().stake(dev.hypha.chain.deploy.StakingClient.VALIDATOR_ROLE, challenger.verifier().minVerifierStake());
            BigInteger disputeId = challenger.verifier().challenge(orderId, 1, new byte[32]);

            // Provenance: a dataset, a model built from it (25 % of its revenue to the dataset), the model's next version.
            dev.hypha.chain.deploy.AssetRegistryClient registry = tenant.assets();
            dev.hypha.core.crypto.Address usd = dev.hypha.core.crypto.Address.parse(tenant.deployment().address(
                    dev.hypha.chain.deploy.PaymentTokenClient.NAME));
            long data = registry.register(dev.hypha.chain.assets.AssetKind.DATASET, dataset.bytes(), new byte[0],
                    dev.hypha.chain.assets.Licence.unpriced("CC-BY-4.0", dev.hypha.chain.assets.Terms.FREE), List.of());
            long model = registry.register(dev.hypha.chain.assets.AssetKind.MODEL,
                    dev.hypha.core.cid.ContentId.raw("model v1".getBytes(StandardCharsets.UTF_8)).bytes(), new byte[0],
                    new dev.hypha.chain.assets.Licence("Apache-2.0", dev.hypha.chain.assets.Terms.PAID_PER_USE, usd,
                            BigInteger.valueOf(2_000_000)), List.of(new dev.hypha.chain.assets.LineageEdge(data, 2_500)));
            long v2 = registry.publishVersion(model, dev.hypha.core.cid.ContentId.raw("model v2".getBytes(StandardCharsets.UTF_8))
                    .bytes(), new byte[0], new dev.hypha.chain.assets.Licence("Apache-2.0", dev.hypha.chain.assets.Terms.PAID_PER_USE,
                    usd, BigInteger.valueOf(2_000_000)), List.of(new dev.hypha.chain.assets.LineageEdge(data, 2_500)));
            tenant.grants().grant(v2, dev.hypha.core.crypto.Address.parse(challengerKey.getAddress()), new byte[48]);
            challenger.royalties().pay(v2, usd, BigInteger.valueOf(4_000_000));

            Process browser = new ProcessBuilder("node", repo.resolve("hypha-node/src/test/js/dashboard-compute-browser.mjs")
                    .toString(), base + "/ui", screenshots.toString(), chromium.toString(), profile.resolve("browser-2").toString(),
                    orderId.toString(), release.toString(), Long.toString(data), Long.toString(v2),
                    org.web3j.crypto.Keys.toChecksumAddress(challengerKey.getAddress())).redirectErrorStream(true).start();
            byte[] output = browser.getInputStream().readAllBytes();
            if (!browser.waitFor(60, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
            String log = new String(output, StandardCharsets.UTF_8);
            System.out.println(log);
            Files.createDirectories(release.getParent());
            Files.writeString(release, "go"); // whatever the browser did, let the job end
            assertThat(browser.exitValue()).as("the browser checks (output:%n%s)%nprovider: %s", log, providerLog).isZero();
            assertThat(log).contains("all compute and asset checks passed");
            for (String page : List.of("compute.png", "compute-running.png", "assets.png", "assets-phone.png")) {
                assertThat(screenshots.resolve(page)).as(page).isNotEmptyFile();
            }

            // What the page showed is the chain's: the lease, its commitments, the dispute, the lineage and balances.
            // The provider closes the lease once the job is done (on its next poll): compare once the page sees it closed.
            JsonNode compute = null;
            JsonNode order = null;
            for (int tries = 0; tries < 300 && (order == null || !order.get("state").asText().equals("CLOSED")); tries++) {
                if (tries > 0) {
                    Thread.sleep(100);
                }
                compute = get("/ui/api/compute");
                order = null;
                for (JsonNode o : compute.get("orders")) {
                    if (o.get("id").asText().equals(orderId.toString())) {
                        order = o;
                    }
                }
            }
            assertThat(order).as("order %s listed", orderId).isNotNull();
            assertThat(order.get("state").asText()).isEqualTo("CLOSED");
            var onChain = tenant.compute().order(orderId);
            assertThat(order.get("lease").get("paid").asText()).isEqualTo(onChain.paid().toString());
            assertThat(order.get("lease").get("commitments").get("count").asLong())
                    .as("the roots of step 0, of the step-100 checkpoint and of the final state")
                    .isEqualTo(tenant.verifier().commitmentCount(orderId)).isEqualTo(3);
            assertThat(compute.get("disputes")).anySatisfy(d -> {
                assertThat(d.get("id").asText()).isEqualTo(disputeId.toString());
                assertThat(d.get("challenger").asText()).isEqualTo(org.web3j.crypto.Keys.toChecksumAddress(challengerKey.getAddress()));
            });
            JsonNode job = compute.get("jobs").get(0);
            assertThat(job.get("order").asText()).isEqualTo(orderId.toString());
            assertThat(job.get("lastStep").asLong()).isEqualTo(200);
            assertThat(compute.toString()).as("the tenant's input address is not shown")
                    .doesNotContain("127.0.0.1:" + tenantApi.port());
            JsonNode assets = get("/ui/api/assets");
            assertThat(assets.get("assets")).anySatisfy(a -> {
                assertThat(a.get("id").asLong()).isEqualTo(v2);
                assertThat(a.get("previousVersion").asLong()).isEqualTo(model);
                assertThat(a.get("parents").get(0).get("id").asLong()).isEqualTo(data);
            });
            assertThat(assets.get("royalties")).anySatisfy(r -> assertThat(new BigInteger(r.get("balance").asText()))
                    .isEqualTo(tenant.royalties().balanceOf(usd, dev.hypha.core.crypto.Address.parse(r.get("account").asText())))
                    .isPositive());
            assertThat(assets.get("grants")).anySatisfy(g -> assertThat(g.get("active").asBoolean()).isTrue());
        } finally {
            Files.createDirectories(release.getParent());
            Files.writeString(release, "go");
            polling.set(false);
            poller.join(10_000);
            computeProvider.close();
            providerApi.close();
            tenantApi.close();
        }
    }

    /**
     * The event folds behind grants and royalties read bounded pages and keep a bounded number of keys, over the
     * node's real event index; and a content id the registry holds that is no CID is shown as hex, not a failed page.
     */
    @Test
    void grantsAreFoldedInBoundedPagesAndOddContentIdsAreShownAsHex() throws Exception {
        Credentials ownerKey = network.devAccounts().get(2);
        HyphaContracts owner = as(ownerKey);
        long asset = owner.assets().register(dev.hypha.chain.assets.AssetKind.DATASET, new byte[] {1, 2, 3}, new byte[0],
                dev.hypha.chain.assets.Licence.unpriced("MIT", dev.hypha.chain.assets.Terms.FREE), List.of());
        List<String> grantees = List.of("0x00000000000000000000000000000000000000a1",
                "0x00000000000000000000000000000000000000a2", "0x00000000000000000000000000000000000000a3");
        long lastBlock = 0;
        for (String g : grantees) {
            lastBlock = owner.grants().grant(asset, dev.hypha.core.crypto.Address.parse(g), new byte[32]).getBlockNumber()
                    .longValueExact();
        }
        var indexer = network.node().indexer().orElseThrow();
        for (int i = 0; i < 300 && indexer.position().map(p -> p.blockNumber()).orElse(-1L) < lastBlock; i++) {
            Thread.sleep(50); // the node's indexer follows the chain every second
        }
        assertThat(indexer.position().orElseThrow().blockNumber()).isGreaterThanOrEqualTo(lastBlock);

        EventTally<String> tally = new EventTally<>(indexer, "AccessGrants", java.util.Map.of("AccessGranted",
                (e, store) -> {
                    if (Long.parseLong(e.arg("assetId")) == asset) {
                        store.put(e.arg("grantee"), e.arg("epoch"));
                    }
                }), 1, 2);
        long events = indexer.events("AccessGrants", "AccessGranted").size();
        tally.catchUp();
        assertThat(tally.size()).as("one page of one event").isLessThanOrEqualTo(1);
        for (long i = 1; i < events; i++) {
            tally.catchUp();
        }
        assertThat(tally.size()).as("at most two keys kept").isEqualTo(2);
        assertThat(tally.dropped()).as("the third grantee counted, not kept").isEqualTo(1);
        List<String> kept = new ArrayList<>();
        tally.forEach((k, v) -> kept.add(k));
        assertThat(kept).as("in key order, the first two grants").containsExactly(grantees.get(0), grantees.get(1));
        tally.catchUp();
        assertThat(tally.dropped()).as("nothing read twice").isEqualTo(1);

        // The page's own fold: all three grants held, and the odd content id as hex.
        JsonNode assets = null;
        for (int i = 0; i < 100; i++) {
            assets = get("/ui/api/assets");
            if (assets.get("grants").findValuesAsText("grantee").containsAll(grantees.stream()
                    .map(org.web3j.crypto.Keys::toChecksumAddress).toList())) {
                break;
            }
            Thread.sleep(100); // the snapshot is cached for 2 s
        }
        assertThat(assets.get("grants").findValuesAsText("grantee")).containsAll(grantees.stream()
                .map(org.web3j.crypto.Keys::toChecksumAddress).toList());
        assertThat(assets.get("assets")).anySatisfy(a -> {
            assertThat(a.get("id").asLong()).isEqualTo(asset);
            assertThat(a.get("cid").asText()).isEqualTo("0x010203");
        });
        assertThatThrownBy(() -> new EventTally<String>(indexer, "AccessGrants", java.util.Map.of(), 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The subnet and agent panels show real chain state, and a channel is opened and topped up from the page. On the
     * network's anvil, account 5 creates a subnet, accounts 5..7 register UIDs, 5 stakes as validator and weighs the
     * others (commit, reveal), the epoch closes and account 6 posts it as hypha-incentives' Yuma epoch computes it;
     * account 5 registers an ERC-8004 agent and an agent account whose session key (account 7) spends 1 of its 5 hUSD
     * window. Then the browser checks both pages, and from the Inference page asks what funding a channel to account
     * 6 costs, confirms, sees it appear in the channels panel with its deposit, and tops it up the same way.
     */
    @Test
    void subnetsAgentsAndAChannelOpenedFromThePageInARealBrowser() throws Exception {
        Path chromium = chromiumOrSkip();
        Path repo = Path.of(System.getProperty("hypha.repo.root", "..")).toAbsolutePath().normalize();
        Path screenshots = Path.of("target", "ui-screenshots").toAbsolutePath();
        Credentials owner = network.devAccounts().get(5);
        Credentials miner = network.devAccounts().get(6);
        Credentials runtime = network.devAccounts().get(7);

        // A subnet with three UIDs and one posted epoch, through the same client `hypha subnet` uses.
        dev.hypha.chain.subnets.SubnetParams params = new dev.hypha.chain.subnets.SubnetParams(10, 8, 4, 5, 32_767,
                65_535, 900_000, 1, 2, 1_000, dev.hypha.chain.deploy.Deployer.hyp(1), dev.hypha.chain.deploy.Deployer.hyp(100));
        long netuid = as(owner).subnets().createSubnet(params);
        for (Credentials who : List.of(owner, miner, runtime)) {
            as(who).subnets().register(netuid, dev.hypha.chain.deploy.Deployer.hyp(100));
        }
        as(owner).staking().stake(dev.hypha.chain.deploy.StakingClient.VALIDATOR_ROLE, dev.hypha.chain.deploy.Deployer.hyp(1_000));
        // Epoch 0 (no weights yet) closes, giving the staked UID its validator permit; it is posted and finalized.
        dev.hypha.chain.deploy.SubnetsClient asOwner = as(owner).subnets();
        dev.hypha.chain.deploy.SubnetsClient asPoster = as(miner).subnets();
        List<dev.hypha.chain.subnets.WeightRow> rows = new ArrayList<>(List.of(dev.hypha.chain.subnets.WeightRow.EMPTY,
                dev.hypha.chain.subnets.WeightRow.EMPTY, dev.hypha.chain.subnets.WeightRow.EMPTY));
        dev.hypha.chain.subnets.YumaPost first = closeAndCompute(asOwner, netuid, params, rows, null);
        asPoster.post(netuid, 0, first.leaves());
        mine(asPoster.challengeBlocks() + 1);
        asPoster.finalizeEpoch(netuid, 0);
        // The validator weighs UIDs 1 and 2 two to one (commit, then reveal); epoch 1 closes and is posted, not final.
        dev.hypha.chain.subnets.WeightRow row = new dev.hypha.chain.subnets.WeightRow(new int[] {1, 2}, new int[] {40_000, 20_000});
        byte[] salt = new byte[32];
        salt[0] = 7;
        asOwner.commitWeights(netuid, asOwner.weightsHash(netuid, owner.getAddress(), row, salt));
        mine(params.commitRevealInterval());
        asOwner.revealWeights(netuid, row, salt);
        rows.set(0, row);
        dev.hypha.chain.subnets.YumaPost post = closeAndCompute(asOwner, netuid, params, rows, first.bonds());
        asPoster.post(netuid, 1, post.leaves());

        // An agent identity and an agent account whose session spent 1 hUSD of its 5 hUSD window (1 hUSD per call).
        String usd = network.deployment().address(dev.hypha.chain.deploy.PaymentTokenClient.NAME);
        BigInteger agentId = as(owner).identity().register("https://agents.example/dashboard-agent.json");
        String agentAccount = as(owner).agentAccounts().create(runtime.getAddress(), 60, new byte[32]);
        as(owner).payment().transfer(agentAccount, BigInteger.valueOf(3_000_000));
        var account = as(owner).agentAccounts().at(agentAccount);
        account.setCounterparty(miner.getAddress(), true);
        account.setLimit(usd, new dev.hypha.chain.agents.SpendingLimit(BigInteger.valueOf(5_000_000),
                BigInteger.valueOf(1_000_000), 86_400));
        long time = chainTime();
        account.grantSession(runtime.getAddress(), time - 1, time + 86_400, BigInteger.ZERO, usd,
                BigInteger.valueOf(2_000_000), miner.getAddress());
        as(runtime).agentAccounts().at(agentAccount).pay(usd, miner.getAddress(), BigInteger.valueOf(1_000_000));

        String minerChecksum = org.web3j.crypto.Keys.toChecksumAddress(miner.getAddress());
        String accountChecksum = org.web3j.crypto.Keys.toChecksumAddress(agentAccount);
        // The agent runtime's log of an agent in the node's home, as `hypha agent run` writes it (AgentLog), with
        // markup and script in its outside text: the page must show it as text. The browser appends a line itself
        // to see it arrive live.
        Path agentLog = hostileAgentLog(agentAccount, runtime);
        // Ordering training from the page needs the built-in specs' dataset in the node's store.
        boolean training = fashionMnistInStore();
        String payer = org.web3j.crypto.Keys.toChecksumAddress(network.devAccounts().get(0).getAddress());
        Process browser = new ProcessBuilder("node", repo.resolve("hypha-node/src/test/js/dashboard-actions-browser.mjs")
                .toString(), base + "/ui", screenshots.toString(), chromium.toString(), profile.resolve("browser-3").toString(),
                Long.toString(netuid), accountChecksum, minerChecksum, agentLog.toString(), training ? "train" : "skip",
                payer).redirectErrorStream(true).start();
        byte[] output = browser.getInputStream().readAllBytes();
        if (!browser.waitFor(60, TimeUnit.SECONDS)) {
            browser.destroyForcibly();
        }
        String log = new String(output, StandardCharsets.UTF_8);
        System.out.println(log);
        assertThat(browser.exitValue()).as("the browser checks (output:%n%s)", log).isZero();
        assertThat(log).contains("all subnet, agent and action checks passed");
        for (String page : List.of("subnets.png", "agents.png", "fund-confirm.png", "inference-funded.png")) {
            assertThat(screenshots.resolve(page)).as(page).isNotEmptyFile();
        }
        if (training) {
            // The order the page placed is on chain as the quote showed it: the node's account, 0.5 hUSD held, at most
            // 0.001 hUSD an hour, for the built-in spec (its digest is the spec's content id).
            java.util.regex.Matcher said = java.util.regex.Pattern.compile("order #(\\d+) appears in the orders panel")
                    .matcher(log);
            assertThat(said.find()).as("the browser names the order it placed").isTrue();
            BigInteger orderId = new BigInteger(said.group(1));
            JsonNode placed = null;
            for (JsonNode p : get("/ui/api/training").get("placed")) {
                if (p.get("order").asText().equals(orderId.toString())) {
                    placed = p;
                }
            }
            assertThat(placed).as("order %s among the orders placed from the page", orderId).isNotNull();
            var order = HyphaContracts.readOnly(network.deployment(), network.chain()).compute().order(orderId);
            assertThat(order.tenant().toChecksumString()).isEqualTo(payer);
            assertThat(order.held()).isEqualTo(BigInteger.valueOf(500_000));
            assertThat(order.maxPricePerHour()).isEqualTo(BigInteger.valueOf(1_000));
            byte[] spec = dev.hypha.node.compute.BuiltinJobSpecs.bytes("fashion-mnist-mlp").orElseThrow();
            assertThat(Numeric.cleanHexPrefix(order.spec())).isEqualToIgnoringCase(Numeric.toHexStringNoPrefix(
                    dev.hypha.node.compute.JobSpecs.digest(new dev.hypha.node.compute.PublishedContent().publish(spec))));
            assertThat(placed.get("spec").asText()).isEqualTo("fashion-mnist-mlp");
            assertThat(screenshots.resolve("train-confirm.png")).isNotEmptyFile();
        }

        // The channel the page opened is on chain with the two deposits it confirmed, from the gateway's account.
        JsonNode funded = null;
        for (JsonNode c : get("/ui/api/channels")) {
            if (c.get("provider").asText().equals(minerChecksum)) {
                funded = c;
            }
        }
        assertThat(funded).as("the channel opened from the page is in the channels panel").isNotNull();
        ChannelState onChain = HyphaContracts.readOnly(network.deployment(), network.chain()).channels()
                .state(funded.get("id").asText());
        assertThat(onChain.deposit()).isEqualTo(BigInteger.valueOf(2_500_000))
                .isEqualTo(new BigInteger(funded.get("deposit").asText()));

        // The subnet page's numbers are the chain's and the post's.
        JsonNode subnet = null;
        for (JsonNode s : get("/ui/api/subnets").get("subnets")) {
            if (s.get("netuid").asLong() == netuid) {
                subnet = s;
            }
        }
        assertThat(subnet).isNotNull();
        assertThat(subnet.get("owner").asText()).isEqualTo(org.web3j.crypto.Keys.toChecksumAddress(owner.getAddress()));
        assertThat(subnet.get("uidList")).hasSize(3);
        assertThat(new BigInteger(subnet.get("uidList").get(0).get("stake").asText()))
                .isEqualTo(dev.hypha.chain.deploy.Deployer.hyp(1_000));
        assertThat(subnet.get("epochs")).hasSize(2);
        assertThat(subnet.get("epochs").get(1).get("status").asText()).isEqualTo("finalized");
        JsonNode epoch = subnet.get("epochs").get(0);
        assertThat(epoch.get("epoch").asLong()).isEqualTo(1);
        assertThat(epoch.get("status").asText()).isEqualTo("posted");
        assertThat(epoch.get("poster").asText()).isEqualTo(minerChecksum);
        assertThat(epoch.get("leaves")).hasSize(3);
        for (int uid = 0; uid < 3; uid++) {
            dev.hypha.chain.subnets.SubnetLeaf leaf = post.leaves().get(uid);
            assertThat(new BigInteger(epoch.get("leaves").get(uid).get("emission").asText())).isEqualTo(leaf.claimWei());
            assertThat(new java.math.BigDecimal(epoch.get("leaves").get(uid).get("incentive").asText()))
                    .isEqualByComparingTo(new java.math.BigDecimal(leaf.incentive()).divide(
                            new java.math.BigDecimal(1L << 32), 6, java.math.RoundingMode.HALF_EVEN));
        }
        assertThat(post.leaves().get(1).incentive()).as("the weighed miner earns incentive").isPositive();

        // The agent page's numbers are the chain's.
        JsonNode agents = get("/ui/api/agents");
        assertThat(agents.get("agents")).anySatisfy(a -> {
            assertThat(a.get("id").asLong()).isEqualTo(agentId.longValueExact());
            assertThat(a.get("uri").asText()).isEqualTo("https://agents.example/dashboard-agent.json");
        });
        assertThat(agents.get("accounts")).anySatisfy(a -> {
            assertThat(a.get("address").asText()).isEqualTo(accountChecksum);
            assertThat(a.get("used").asText()).isEqualTo("1000000");
            assertThat(a.get("limit").asText()).isEqualTo("5000000");
            assertThat(a.get("perCall").asText()).isEqualTo("1000000");
            assertThat(a.get("balance").asText()).isEqualTo("2000000");
        });
    }

    /** The spending action's refusals, over plain HTTP: nothing moves without a fresh quote from this node's page. */
    @Test
    void theChannelActionRefusesForeignPagesBadInputAndUnknownCodes() throws Exception {
        String provider = org.web3j.crypto.Keys.toChecksumAddress(network.devAccounts().get(7).getAddress());
        HttpResponse<String> foreign = post("/ui/api/actions/channel/quote", "{\"provider\":\"" + provider
                + "\",\"amount\":\"1\"}", "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("only from this node's own page");
        // DNS rebinding: evil.example now resolves here, so its page's Origin and Host agree; the name is refused
        // (on loopback by the node's LoopbackHostGuard before the action sees it; beyond loopback by ActionOrigin).
        String rebound = rawPost("/ui/api/actions/channel/quote", "evil.example:" + network.node().apiPort(),
                "http://evil.example:" + network.node().apiPort(), "{\"provider\":\"" + provider + "\",\"amount\":\"1\"}");
        assertThat(rebound).startsWith("HTTP/1.1 403").contains("not to the name 'evil.example");
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/ui/api/actions/channel/quote"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "provider=" + provider + "&amount=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(post("/ui/api/actions/channel/quote", "{\"provider\":\"0x12\",\"amount\":\"1\"}", null).body())
                .contains("provider:");
        assertThat(post("/ui/api/actions/channel/quote", "{\"provider\":\"" + provider + "\",\"amount\":\"1.5\"}", null)
                .body()).contains("amount must be a whole number");
        assertThat(post("/ui/api/actions/channel/quote", "{\"provider\":\"" + provider + "\",\"amount\":\"0\"}", null)
                .body()).contains("amount must be 1..");
        HttpResponse<String> tooMuch = post("/ui/api/actions/channel/quote", "{\"provider\":\"" + provider
                + "\",\"amount\":\"999999999999999\"}", null);
        assertThat(tooMuch.statusCode()).isEqualTo(400);
        assertThat(tooMuch.body()).contains("less than the 999999999999999 asked for");
        assertThat(post("/ui/api/actions/channel/confirm", "{\"confirm\":\"00\"}", null).body())
                .contains("no such confirmation code");
        assertThat(post("/ui/api/actions/channel/confirm", "[1,", null).statusCode()).isEqualTo(400);

        // A quote is used once: the second confirmation of the same code is refused, and the deposit moved once.
        HttpResponse<String> quote = post("/ui/api/actions/channel/quote", "{\"provider\":\"" + provider
                + "\",\"amount\":\"1000\"}", null);
        assertThat(quote.statusCode()).as(quote.body()).isEqualTo(200);
        JsonNode q = JSON.readTree(quote.body());
        assertThat(q.get("action").asText()).isEqualTo("open");
        // A second page's quote for the same channel, shown before the first was confirmed, no longer holds after it.
        JsonNode stale = JSON.readTree(post("/ui/api/actions/channel/quote", "{\"provider\":\"" + provider
                + "\",\"amount\":\"5000\"}", null).body());
        String confirm = "{\"confirm\":\"" + q.get("confirm").asText() + "\"}";
        HttpResponse<String> done = post("/ui/api/actions/channel/confirm", confirm, null);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(post("/ui/api/actions/channel/confirm", confirm, null).statusCode()).isEqualTo(400);
        HttpResponse<String> moved = post("/ui/api/actions/channel/confirm", "{\"confirm\":\""
                + stale.get("confirm").asText() + "\"}", null);
        assertThat(moved.statusCode()).isEqualTo(409);
        assertThat(moved.body()).contains("changed since the cost was shown");
        assertThat(HyphaContracts.readOnly(network.deployment(), network.chain()).channels()
                .state(q.get("channel").asText()).deposit()).isEqualTo(BigInteger.valueOf(1_000));
    }

    /**
     * Ordering training from the page refuses, by name, what it cannot do: unknown specs, budgets that are negative,
     * fractional, zero or beyond 2^96, more than the balance, a missing or used confirmation code, a foreign page, a
     * form body; a spec whose dataset is not in the store; and a code confirms one order only.
     */
    @Test
    void theTrainingActionRefusesBadInputAndUsedCodes() throws Exception {
        String quotePath = "/ui/api/actions/training/quote";
        HttpResponse<String> unknown = post(quotePath, "{\"spec\":\"<script>\",\"maxPricePerHour\":\"1\",\"deposit\":\"1\"}", null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown spec '<script>'")
                .contains("built in: fashion-mnist-mlp, fashion-mnist-cnn");
        for (String[] bad : new String[][] {{"-5", "whole number"}, {"1.5", "whole number"}, {"0", "must be 1.."},
                {"79228162514264337593543950336", "must be 1..79228162514264337593543950335"}, {"1e9", "whole number"}}) {
            HttpResponse<String> price = post(quotePath, "{\"spec\":\"fashion-mnist-mlp\",\"maxPricePerHour\":\"" + bad[0]
                    + "\",\"deposit\":\"1\"}", null);
            assertThat(price.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(price.body()).as(bad[0]).contains("maxPricePerHour must be").contains(bad[1]);
            HttpResponse<String> deposit = post(quotePath, "{\"spec\":\"fashion-mnist-mlp\",\"maxPricePerHour\":\"1\","
                    + "\"deposit\":\"" + bad[0] + "\"}", null);
            assertThat(deposit.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(deposit.body()).as(bad[0]).contains("deposit must be").contains(bad[1]);
        }
        assertThat(post(quotePath, "{\"spec\":\"fashion-mnist-mlp\",\"maxPricePerHour\":1,\"deposit\":\"1\"}", null)
                .body()).as("a number, not a string").contains("needs \\\"maxPricePerHour\\\" as a string");
        assertThat(post("/ui/api/actions/training/confirm", "{}", null).body()).contains("needs \\\"confirm\\\"");
        assertThat(post("/ui/api/actions/training/confirm", "{\"confirm\":\"0123\"}", null).body())
                .contains("no such confirmation code");
        HttpResponse<String> foreign = post(quotePath, "{\"spec\":\"fashion-mnist-mlp\",\"maxPricePerHour\":\"1\","
                + "\"deposit\":\"1\"}", "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(base + quotePath))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"spec\":\"fashion-mnist-mlp\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(415);
        if (!fashionMnistInStore()) {
            HttpResponse<String> missing = post(quotePath, "{\"spec\":\"fashion-mnist-mlp\",\"maxPricePerHour\":\"1\","
                    + "\"deposit\":\"1\"}", null);
            assertThat(missing.statusCode()).isEqualTo(409);
            assertThat(missing.body()).contains("hypha dataset import fashion-mnist");
            return;
        }
        HttpResponse<String> tooMuch = post(quotePath, "{\"spec\":\"fashion-mnist-cnn\",\"maxPricePerHour\":\"1\","
                + "\"deposit\":\"79228162514264337593543950335\"}", null);
        assertThat(tooMuch.statusCode()).isEqualTo(400);
        assertThat(tooMuch.body()).contains("less than the 79228162514264337593543950335 deposit asked for");

        // A quote shows the escrow, the rate per hour and second, how long it lasts and the balance before and after.
        String payer = network.devAccounts().get(0).getAddress();
        BigInteger before = HyphaContracts.readOnly(network.deployment(), network.chain()).payment().balanceOf(payer);
        HttpResponse<String> quote = post(quotePath, "{\"spec\":\"fashion-mnist-cnn\",\"maxPricePerHour\":\"7200\","
                + "\"deposit\":\"3600\"}", null);
        assertThat(quote.statusCode()).as(quote.body()).isEqualTo(200);
        JsonNode q = JSON.readTree(quote.body());
        assertThat(q.get("deposit").asText()).isEqualTo("3600");
        assertThat(q.get("maxPricePerSecond").asText()).isEqualTo("2");
        assertThat(q.get("fundedSeconds").asText()).isEqualTo("1800");
        assertThat(q.get("balance").asText()).isEqualTo(before.toString());
        assertThat(q.get("balanceAfter").asText()).isEqualTo(before.subtract(BigInteger.valueOf(3_600)).toString());
        assertThat(q.get("steps").asLong()).isEqualTo(5_625);
        String confirm = "{\"confirm\":\"" + q.get("confirm").asText() + "\"}";
        HttpResponse<String> done = post("/ui/api/actions/training/confirm", confirm, null);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        BigInteger orderId = new BigInteger(JSON.readTree(done.body()).get("order").asText());
        HttpResponse<String> again = post("/ui/api/actions/training/confirm", confirm, null);
        assertThat(again.statusCode()).as("a used code").isEqualTo(400);
        assertThat(again.body()).contains("or was used: ask for the cost again");
        var order = HyphaContracts.readOnly(network.deployment(), network.chain()).compute().order(orderId);
        assertThat(order.held()).isEqualTo(BigInteger.valueOf(3_600));
        assertThat(order.tenant().toChecksumString()).isEqualTo(org.web3j.crypto.Keys.toChecksumAddress(payer));
        assertThat(HyphaContracts.readOnly(network.deployment(), network.chain()).payment().balanceOf(payer))
                .as("exactly the escrow left the account").isEqualTo(before.subtract(BigInteger.valueOf(3_600)));
        assertThat(get("/ui/api/compute").get("orders").findValuesAsText("id")).contains(orderId.toString());
    }

    /** A POST with the Host and Origin a rebound page's browser would send (HttpClient cannot set Host). */
    private static String rawPost(String path, String host, String origin, String body) throws IOException {
        byte[] json = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", network.node().apiPort())) {
            s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().write(json);
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> post(String path, String body, String origin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Mines to the subnet's next epoch, closes it, and computes its post as hypha-incentives' Yuma epoch does. */
    private static dev.hypha.chain.subnets.YumaPost closeAndCompute(dev.hypha.chain.deploy.SubnetsClient subnets, long netuid,
            dev.hypha.chain.subnets.SubnetParams params, List<dev.hypha.chain.subnets.WeightRow> rows,
            dev.hypha.incentives.yuma.U16Rows previousBonds) {
        long due = subnets.subnet(netuid).lastEpochBlock.longValueExact() + params.tempo();
        long now = network.chain().blockNumber();
        if (now + 1 < due) {
            mine(due - now - 1);
        }
        dev.hypha.chain.deploy.SubnetsClient.ClosedEpoch closed = subnets.closeEpoch(netuid);
        var snap = subnets.snapshot(netuid, closed.epoch());
        return dev.hypha.chain.subnets.YumaPost.compute(subnets.params(netuid), snap.block.longValueExact(),
                snap.lastStepBlock.longValueExact(), snap.pool, closed.inputs(), List.copyOf(rows), previousBonds);
    }

    private static void mine(long blocks) {
        for (long b = 0; b < blocks; b++) {
            network.chain().request("evm_mine");
        }
    }

    private static void waitForFile(Path file) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long chainTime() {
        return network.chain().latestBlock().getTimestamp().longValueExact();
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(network.deployment(), new dev.hypha.chain.tx.TransactionSender(network.chain(), who,
                new dev.hypha.chain.tx.NonceManager(network.chain()), dev.hypha.chain.tx.RevertDecoder.forHyphaContracts()));
    }

    private static Boolean fashionMnist;

    /**
     * Debian's Fashion-MNIST in the node's store, imported once (the built-in specs train on it, and an order is only
     * placed when the provider could be handed its dataset); false outside CI when the package is not installed.
     */
    private static synchronized boolean fashionMnistInStore() {
        if (fashionMnist == null) {
            Path debian = dev.hypha.ml.train.data.DatasetStore.DEBIAN_FASHION_MNIST;
            if (!Files.isRegularFile(debian.resolve("train-images-idx3-ubyte.gz"))) {
                String why = debian + " is missing (scripts/setup.sh installs it: apt-get install dataset-fashion-mnist)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(why + "; in CI the training order from the page must be tested");
                }
                System.out.println(why + ": ordering training from the page is not tested");
                fashionMnist = false;
            } else {
                new dev.hypha.ml.train.data.DatasetStore(new dev.hypha.ml.train.store.ContentStore(home))
                        .importFashionMnist(debian);
                fashionMnist = true;
            }
        }
        return fashionMnist;
    }

    /** An agent folder in the node's home whose log, written by AgentLog, carries markup and script in outside text. */
    private static Path hostileAgentLog(String account, Credentials session) {
        dev.hypha.node.agents.AgentFolder folder = new dev.hypha.node.agents.AgentFolder(home, "dashboard-agent");
        folder.create("{}".getBytes(StandardCharsets.UTF_8), session, new dev.hypha.node.agents.AgentFolder.Record(
                account.toLowerCase(java.util.Locale.ROOT), session.getAddress(), network.chainId(), BigInteger.valueOf(1_000_000)));
        dev.hypha.node.agents.AgentLog log = new dev.hypha.node.agents.AgentLog(folder.dir().resolve("agent.log"),
                java.time.Clock.systemUTC());
        log.line("run", "agent dashboard-agent, task: " + dev.hypha.node.agents.AgentLog.quote(
                "<script>window.pwned = 1</script>summarize") + "; account " + account + "; 0/1 steps done before");
        log.line("step 1", "call search {\"q\":\"<img src=x onerror=window.pwned=2>\"} at http://127.0.0.1:9/mcp");
        log.line("step 1", "booked 1000000 to " + account + " on the account (nonce 0x" + "01".repeat(32) + ")");
        log.line("step 1", "paid 1000000 to " + account + ", settled in 0x" + "ab".repeat(32));
        log.line("step 1", "result: " + dev.hypha.node.agents.AgentLog.quote("<b onmouseover=window.pwned=3>bold</b> answer"));
        return log.file();
    }

    private static Path chromiumOrSkip() {
        Path chromium = Path.of(System.getenv().getOrDefault("HYPHA_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            String why = "Chromium is not installed at " + chromium + " (scripts/setup.sh installs it: apt-get install"
                    + " chromium; or set HYPHA_CHROMIUM)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + "; in CI the browser test must run");
            }
            Assumptions.abort(why + ": the browser test is skipped outside CI");
        }
        return chromium;
    }

    @Test
    void thePageAndItsFilesComeFromTheNodeAndBadRequestsAreRefused() throws Exception {
        for (String path : List.of("/ui", "/ui/api/overview", "/ui/api/overview", "/ui/api/offers", "/ui/api/models")) {
            long start = System.nanoTime();
            int status = fetch(path).statusCode();
            // printed for people (first page under a second); never asserted: timings depend on the machine's load
            System.out.printf("GET %s: %d in %d ms%n", path, status, (System.nanoTime() - start) / 1_000_000);
        }
        HttpResponse<String> page = fetch("/ui");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'none'").contains("connect-src 'self'"));
        assertThat(page.body()).contains("/ui/static/uplot/uPlot.iife.min.js").doesNotContain("http://", "https://");
        HttpResponse<String> chart = fetch("/ui/static/uplot/uPlot.iife.min.js");
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.body()).contains("uPlot");
        assertThat(fetch("/ui/static/uplot/LICENSE").body()).contains("MIT");
        assertThat(fetch("/ui/static/nothing.js").statusCode()).isEqualTo(404);
        assertThat(fetch("/ui/static/..%2F..%2FLocalNetwork.class").statusCode()).isEqualTo(404);

        HttpResponse<String> badAfter = fetch("/ui/api/receipts?after=-1");
        assertThat(badAfter.statusCode()).isEqualTo(400);
        assertThat(badAfter.body()).contains("after must be a whole number");
        HttpResponse<String> badLimit = fetch("/ui/api/receipts?limit=501");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(badLimit.body()).contains("limit must be 1..500");
        assertThat(fetch("/").body()).as("GET / still answers as Ollama does").isEqualTo("Ollama is running");

        JsonNode overview = get("/ui/api/overview");
        assertThat(overview.get("chainId").asLong()).isEqualTo(31_337L);
        assertThat(overview.get("token").get("symbol").asText()).isEqualTo("hUSD");
        assertThat(overview.get("accounts")).hasSize(2);
        JsonNode models = get("/ui/api/models");
        assertThat(models.get("models")).anySatisfy(m -> assertThat(m.get("name").asText()).startsWith("hypha-tiny"));
    }

    @Test
    void withApiKeysOnlyThePageShellLoadsWithoutAKey(@TempDir Path keysHome) throws Exception {
        HyphaContracts reader = HyphaContracts.readOnly(network.deployment(), network.chain());
        DashboardSources sources = new DashboardSources(home, network.chain(), reader,
                new dev.hypha.ml.store.ModelStore(home, java.time.Clock.systemUTC()),
                new dev.hypha.node.offers.ChainOffers(reader.offers(), reader.registry()), java.util.Optional.empty(),
                java.util.Optional.empty(), List.of("gateway (local models only, nothing paid)"));
        try (dev.hypha.node.apikeys.ApiKeys keys = dev.hypha.node.apikeys.ApiKeys.open(
                dev.hypha.node.apikeys.ApiKeys.file(keysHome));
             UiRoutes ui = new UiRoutes(sources, TimeSource.SYSTEM)) {
            String key = keys.create("dashboard").key();
            dev.hypha.node.http.ApiServer server = new dev.hypha.node.http.ApiServer("127.0.0.1", 0, List.of(
                    new dev.hypha.node.gateway.api.ApiKeyGuard(keys, UiRoutes.OPEN_PREFIXES, UiRoutes.OPEN_PATHS), ui));
            server.start();
            try {
                String guarded = "http://127.0.0.1:" + server.port();
                for (String open : List.of("/ui", "/ui/", "/ui/static/app.js", "/ui/static/uplot/uPlot.min.css")) {
                    assertThat(send(guarded + open, null).statusCode()).as(open).isEqualTo(200);
                }
                for (String data : List.of("/ui/api/overview", "/ui/api/receipts", "/ui/api/events", "/ui/apix")) {
                    HttpResponse<String> refused = send(guarded + data, null);
                    assertThat(refused.statusCode()).as(data).isEqualTo(401);
                    assertThat(refused.body()).contains("missing API key");
                }
                HttpResponse<String> overview = send(guarded + "/ui/api/overview", key);
                assertThat(overview.statusCode()).as(overview.body()).isEqualTo(200);
                JsonNode o = JSON.readTree(overview.body());
                assertThat(o.get("accounts")).as("no paying gateway, no provider: no accounts").isEmpty();
                assertThat(JSON.readTree(send(guarded + "/ui/api/spending", key).body()).get("paying").asBoolean())
                        .isFalse();
                assertThat(overview.body()).doesNotContain(key);
            } finally {
                server.close();
            }
        }
    }

    private static HttpResponse<String> send(String url, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> fetch(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = fetch(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

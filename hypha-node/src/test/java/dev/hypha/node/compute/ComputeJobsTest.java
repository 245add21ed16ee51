package dev.hypha.node.compute;

import dev.hypha.node.testing.SyntheticDatasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.http.ApiServer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The compute market end to end on a real anvil chain with `hypha deploy`'s contracts, real HTTP on loopback between
 * a tenant and a provider, and real training: a tenant's order is bid on, leased, its inputs fetched by content id,
 * a tiny MLP trained, the provider paid per second of lease, the model fetched with its lineage; only the tenant
 * reads the job; a hostile spec is refused and the tenant refunded; a restarted provider resumes from its checkpoint;
 * the tenant's cancel stops the job and refunds the rest.
 */
class ComputeJobsTest {
    /** 500 units a second. */
    private static final BigInteger PRICE = BigInteger.valueOf(1_800_000);
    /** 1000 units a second. */
    private static final BigInteger MAX_PRICE = BigInteger.valueOf(3_600_000);
    private static final BigInteger DEPOSIT = BigInteger.valueOf(100_000_000);
    private static final Resources NEEDS = new Resources(1, 64, 0);

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials tenantKey;
    private static Credentials providerKey;
    private static Credentials strangerKey;

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private ContentStore tenantStore;
    private PublishedContent tenantContent;
    private ApiServer tenantServer;
    private TenantJobs tenant;
    private ContentId dataset;
    private ComputeProvider provider;
    private ApiServer providerServer;

    @BeforeAll
    static void deployAndRegister() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        tenantKey = devnet.account(1);
        providerKey = devnet.account(2);
        strangerKey = devnet.account(4);
        as(devnet.account(0)).hyp().transfer(providerKey.getAddress(), Deployer.hyp(1_000));
        as(providerKey).staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
        as(providerKey).registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1",
                providerKey.getAddress(), List.of("compute"), ""));
        as(devnet.account(0)).payment().mint(tenantKey.getAddress(), BigInteger.valueOf(1_000_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @BeforeEach
    void startTenantAndProvider() {
        tenantStore = new ContentStore(dir.resolve("tenant"));
        dataset = SyntheticDatasets.threeClasses(tenantStore);
        tenantContent = new PublishedContent();
        tenantServer = new ApiServer("127.0.0.1", 0, List.of(tenantContent));
        tenantServer.start();
        tenant = new TenantJobs(as(tenantKey), tenantKey, tenantStore, dir.resolve("tenant"), http, Clock.systemUTC(),
                ComputeJobsTest::chainTime);
        provider = newProvider();
        providerServer = new ApiServer("127.0.0.1", 0, List.of(publishedOf(provider),
                new dev.hypha.node.verify.VerificationRoutes(providerIndex), new ComputeRoutes(provider,
                as(providerKey).compute(), Address.parse(providerKey.getAddress()), deployment.chainId(), Clock.systemUTC())));
        providerServer.start();
        as(providerKey).registry().update(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:"
                + providerServer.port(), providerKey.getAddress(), List.of("compute"), ""));
    }

    private PublishedContent providerContent;
    /** The provider's committed states, served to verifiers and to the tenant's fetch, as `hypha compute offer` does. */
    private dev.hypha.node.verify.CheckpointIndex providerIndex;

    private PublishedContent publishedOf(ComputeProvider p) {
        return providerContent;
    }

    private ComputeProvider newProvider() {
        providerContent = new PublishedContent();
        ComputeOffer offer = new ComputeOffer(PRICE, new Resources(2, 512, 0), 2, JobLimits.DEFAULT);
        Path home = dir.resolve("provider");
        ContentStore store = new ContentStore(home);
        providerIndex = new dev.hypha.node.verify.CheckpointIndex(home.resolve("verify"), store, providerContent);
        return new ComputeProvider(as(providerKey).compute(), Address.parse(providerKey.getAddress()), offer,
                store, JobBook.open(home), providerContent, http, CheckpointListener.inOrder(providerIndex,
                new StateCommitments(as(providerKey).verifier(), as(providerKey).compute(), store, events::add)),
                ComputeJobsTest::chainTime, events::add, home.resolve("work"));
    }

    @AfterEach
    void stopAll() {
        providerServer.close();
        provider.close();
        tenantServer.close();
    }

    @Test
    void aJobIsBidLeasedTrainedPaidPerSecondAndFetchedWithItsLineage() throws Exception {
        BigInteger tenantBefore = usd(tenantKey);
        BigInteger providerBefore = usd(providerKey);
        TenantJobs.Submitted s = tenant.submit("tiny.toml", spec("tiny-mlp", 30, 10), terms(6), tenantContent);
        BigInteger id = s.orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        assertThat(tenant.lease(id, OptionalInt.empty(), Duration.ofSeconds(60))).isZero();
        tenant.handOff(id, List.of(tenantUrl()));
        await("the job to finish and its lease to close", () -> state(id) == JobState.DONE
                && provider.book().get(id).orElseThrow().leaseClosed());

        ComputeOrder closed = as(tenantKey).compute().order(id);
        assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
        assertThat(closed.closeReason()).isEqualTo(CloseReason.PROVIDER);
        // The provider committed the initial state, each checkpoint (30 steps, one every 10) and the final state on
        // TrainingVerifier, and each root is what a verifier replaying the spec from scratch computes.
        var verifier = as(tenantKey).verifier();
        assertThat(verifier.commitmentCount(id)).isEqualTo(4);
        TrainSpec trainSpec = TrainSpecParser.parse("tiny", tenantStore.get(s.spec()));
        var data = new dev.hypha.ml.train.data.DatasetStore(tenantStore).load(ContentId.parse(trainSpec.dataset()),
                trainSpec.split());
        try (var parallel = new dev.hypha.ml.tensor.Parallel(1)) {
            var replayer = new dev.hypha.ml.train.verify.Replayer(trainSpec, s.spec().multihash().digest(), data,
                    new dev.hypha.ml.tensor.FloatMatMul(parallel));
            var state = replayer.initial();
            for (int i = 0; i < 4; i++) {
                var c = verifier.commitment(id, i);
                assertThat(c.step()).isEqualTo(10L * i);
                state = replayer.replay(state, c.step());
                assertThat(c.root()).as("root at step %d", c.step()).isEqualTo(replayer.root(state));
            }
        }
        long seconds = closed.leaseEnd() - closed.leaseStart();
        assertThat(closed.paid()).isEqualTo(PRICE.multiply(BigInteger.valueOf(seconds)).divide(BigInteger.valueOf(3600)));
        assertThat(usd(tenantKey)).isEqualTo(tenantBefore.subtract(closed.paid()));
        // The pay stays in the market while the last commitments can be challenged; the provider collects it after.
        assertThat(usd(providerKey)).isEqualTo(providerBefore);
        travel(verifier.challengeWindow() + 1);
        await("the provider to collect its pay", () -> usd(providerKey).equals(providerBefore.add(closed.paid())));
        assertThat(as(tenantKey).compute().released(id)).isEqualTo(closed.paid());

        JsonNode status = tenant.providerStatus(id);
        assertThat(status.path("state").asText()).isEqualTo("DONE");
        assertThat(status.path("step").asLong()).isEqualTo(30);
        List<String> lines = new ArrayList<>();
        tenant.logs(id, 0).path("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).anyMatch(l -> l.startsWith("step 30/30 loss "));
        assertThat(lines).anyMatch(l -> l.startsWith("checkpoint at step 10: "));

        TenantJobs.Fetched fetched = tenant.fetch(id);
        assertThat(fetched.model().toString()).isEqualTo(status.path("result").asText());
        assertThat(tenantStore.ref(Trainer.MODELS, "tiny-mlp")).contains(fetched.model());
        ModelFile.Contents model = ModelFile.decode("fetched", tenantStore.get(fetched.model()));
        assertThat(model.step()).isEqualTo(30);
        assertThat(model.specId()).isEqualTo(s.spec().toString());
        assertThat(tenantStore.ref(Lineage.REF_KIND, fetched.model().toString())).contains(fetched.lineage());
        String lineage = new String(tenantStore.get(fetched.lineage()), StandardCharsets.UTF_8);
        assertThat(lineage).contains("\"spec\":\"" + s.spec() + "\"", "\"dataset\":\"" + dataset + "\"", "\"baseModel\":null",
                "\"order\":\"" + id + "\"");

        // Only the tenant reads the job.
        TenantJobs stranger = new TenantJobs(as(strangerKey), strangerKey, new ContentStore(dir.resolve("s")), dir.resolve("s"),
                http, Clock.systemUTC(),
                ComputeJobsTest::chainTime);
        assertThatThrownBy(() -> stranger.logs(id, 0)).isInstanceOf(HyphaException.class)
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.AUTH))
                .hasMessageContaining("403").hasMessageContaining("not by the order's tenant");
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + providerServer.port()
                + "/compute/jobs/" + id + "/logs")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        long expired = Clock.systemUTC().instant().getEpochSecond() - 1;
        HttpResponse<String> stale = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + providerServer.port()
                        + "/compute/jobs/" + id + "/logs"))
                .header(TenantAuth.SIGNATURE_HEADER, TenantAuth.sign(tenantKey, deployment.chainId(),
                        as(tenantKey).compute().address(), id, "read", expired))
                .header(TenantAuth.EXPIRES_HEADER, Long.toString(expired)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(stale.body()).contains("expired");

        // A provider handing over other weights than the final state it committed (one weight off) is refused.
        model.network().parameters().getFirst().data()[0] += 1e-3f;
        byte[] other = ModelFile.encode(model.network(), 30, s.spec().toString(), List.of(), List.of());
        ContentId otherId = providerContent.publish(other);
        provider.book().put(provider.book().get(id).orElseThrow().done(otherId.toString()));
        assertThatThrownBy(() -> tenant.fetch(id)).isInstanceOf(HyphaException.class)
                .hasMessage("refusing the model of order " + id + ": the model's weights are not those of the final state "
                        + "whose root the provider committed at step 30");
    }

    @Test
    void theTenantsOwnCheckRefusesAHostileSpecBeforeAnyGasIsSpent() {
        BigInteger before = usd(tenantKey);
        assertThatThrownBy(() -> tenant.submit("huge.toml", hostileSpec(), terms(30), tenantContent))
                .isInstanceOf(HyphaException.class).hasMessageContaining("17059843 parameters; at most 16000000");
        assertThat(usd(tenantKey)).isEqualTo(before);
    }

    @Test
    void aProviderRefusesASpecOverItsLimitsAndClosesTheLease() throws Exception {
        byte[] hostile = hostileSpec(); // the tenant bypasses its own check and orders it directly
        BigInteger tenantBefore = usd(tenantKey);
        ContentId specId = tenantContent.publish(hostile);
        BigInteger id = as(tenantKey).compute().createOrder(JobSpecs.digest(specId), NEEDS, MAX_PRICE, DEPOSIT, 60, Address.ZERO);
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
        tenant.handOff(id, List.of(tenantUrl()));
        await("the spec to be refused and the lease closed", () -> state(id) == JobState.FAILED
                && provider.book().get(id).orElseThrow().leaseClosed());
        assertThat(provider.book().get(id).orElseThrow().message()).contains("17059843 parameters", "at most 16000000");
        ComputeOrder closed = as(tenantKey).compute().order(id);
        assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
        assertThat(closed.held()).isZero();
        assertThat(usd(tenantKey)).isEqualTo(tenantBefore.subtract(closed.paid()));
        assertThat(closed.paid()).isLessThan(PRICE); // seconds, not hours, of lease
    }

    @Test
    void aRestartedProviderResumesFromItsCheckpointAndTheTenantsCancelStopsTheJobAndRefunds() throws Exception {
        BigInteger tenantBefore = usd(tenantKey);
        TenantJobs.Submitted s = tenant.submit("long.toml", spec("long-mlp", 1_000_000, 50), terms(30), tenantContent);
        BigInteger id = s.orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
        tenant.handOff(id, List.of(tenantUrl()));
        await("a checkpoint", () -> provider.book().logLines(id, 0, 1000).stream().anyMatch(l -> l.startsWith("checkpoint at step")));

        provider.close(); // as a stopped process: the job stays RUNNING in the book
        assertThat(state(id)).isEqualTo(JobState.RUNNING);
        provider = newProvider();
        await("the job to resume", () -> provider.book().logLines(id, 0, 1000).stream().anyMatch(l -> l.startsWith("resumed from")));
        String resumed = provider.book().logLines(id, 0, 1000).stream().filter(l -> l.startsWith("resumed from")).findFirst().orElseThrow();
        assertThat(Long.parseLong(resumed.substring(resumed.lastIndexOf(' ') + 1))).isGreaterThanOrEqualTo(50);

        TenantJobs.Cancelled cancelled = tenant.cancel(id);
        assertThat(cancelled.before()).isEqualTo(OrderState.LEASED);
        await("the job to stop", () -> state(id) == JobState.STOPPED && provider.idle());
        JobRecord r = provider.book().get(id).orElseThrow();
        assertThat(r.message()).contains("lease was closed");
        assertThat(r.step()).isLessThan(1_000_000);
        ComputeOrder closed = as(tenantKey).compute().order(id);
        assertThat(closed.closeReason()).isEqualTo(CloseReason.TENANT);
        assertThat(closed.held()).isZero();
        assertThat(cancelled.paid()).isEqualTo(closed.paid());
        assertThat(cancelled.refunded()).isEqualTo(DEPOSIT.subtract(closed.paid()));
        assertThat(usd(tenantKey)).isEqualTo(tenantBefore.subtract(closed.paid()));
    }

    @Test
    void aLoraFinetuneJobRunsOnTheMarketAndItsAdapterEqualsALocalRun() throws Exception {
        byte[] base;
        try (var in = ComputeJobsTest.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            base = in.readAllBytes();
        }
        byte[] data = ("{\"messages\": [{\"role\": \"user\", \"content\": \"What is Hypha?\"}, {\"role\": \"assistant\", "
                + "\"content\": \"An open network for AI work, settled on a chain.\"}]}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"Who runs the jobs?\"}, {\"role\": \"assistant\", "
                + "\"content\": \"Providers that bid on orders and are paid by the second.\"}]}\n").getBytes(StandardCharsets.UTF_8);
        ContentId baseId = tenantStore.put(base);
        ContentId dataId = tenantStore.put(data);
        byte[] spec = ("kind = \"lora-finetune\"\nname = \"tiny-tuned\"\nbase_model = \"" + baseId + "\"\ndata = \"" + dataId
                + "\"\ndata_format = \"jsonl\"\nrank = 2\nsteps = 4\nbatch = 1\nsequence_length = 16\nlearning_rate = 0.01\n"
                + "seed = 3\ncheckpoint_every = 2\n").getBytes(StandardCharsets.UTF_8);
        TenantJobs.Submitted s = tenant.submit("lora.toml", spec, terms(30), tenantContent);
        BigInteger id = s.orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
        tenant.handOff(id, List.of(tenantUrl()));
        await("the fine-tune to finish", () -> state(id) == JobState.DONE && provider.book().get(id).orElseThrow().leaseClosed());
        assertThat(provider.book().logLines(id, 0, 1000)).anyMatch(l -> l.startsWith("checkpoint at step 2: "));

        TenantJobs.Fetched fetched = tenant.fetch(id);
        assertThat(fetched.ref()).isEqualTo("adapters/tiny-tuned");
        assertThat(tenantStore.ref(TenantJobs.ADAPTERS, "tiny-tuned")).contains(fetched.model());
        String lineage = new String(tenantStore.get(fetched.lineage()), StandardCharsets.UTF_8);
        assertThat(lineage).contains("\"baseModel\":\"" + baseId + "\"", "\"dataset\":\"" + dataId + "\"");

        // The same spec run here, on one thread: deterministic training gives the provider's adapter bit for bit.
        FinetuneSpec f = ((Job.Finetune) s.job()).spec();
        Path local = dir.resolve("local");
        java.nio.file.Files.createDirectories(local);
        java.nio.file.Files.write(local.resolve("base.gguf"), base);
        java.nio.file.Files.write(local.resolve("data.jsonl"), data);
        Path out = local.resolve("tiny-tuned-lora.gguf");
        dev.hypha.ml.train.run.LoraFinetune.run(local.resolve("base.gguf"), local.resolve("data.jsonl"), out, null, f.options(), 1,
                f.options().steps(), dev.hypha.ml.train.run.TrainingListener.NONE);
        assertThat(tenantStore.get(fetched.model())).isEqualTo(java.nio.file.Files.readAllBytes(out));

        // The provider committed the adapter state's root at step 0, at the checkpoint (2) and at the last step (4),
        // each what a verifier re-executing the fine-tune from its seeded adapter reaches.
        var verifier = as(tenantKey).verifier();
        assertThat(verifier.commitmentCount(id)).isEqualTo(3);
        try (var parallel = new dev.hypha.ml.tensor.Parallel(2)) {
            var replayer = new dev.hypha.ml.train.verify.Replayer(new dev.hypha.ml.train.verify.LoraReplay(
                    dev.hypha.ml.train.run.LoraRun.Inputs.read(local.resolve("base.gguf"), local.resolve("data.jsonl"), f.options()),
                    f.options(), new dev.hypha.ml.tensor.FloatMatMul(parallel)), s.spec().multihash().digest());
            var state = replayer.initial();
            for (int i = 0; i < 3; i++) {
                var c = verifier.commitment(id, i);
                assertThat(c.step()).isEqualTo(2L * i);
                state = replayer.replay(state, c.step());
                assertThat(c.root()).as("root at step %d", c.step()).isEqualTo(replayer.root(state));
            }
        }
        // Its work folder is the lease's (order and lease start), never shared with another lease of the same order id.
        ComputeOrder leased = as(tenantKey).compute().order(id);
        assertThat(dir.resolve("provider").resolve("work").resolve("lease-" + id + "-" + leased.leaseStart())).isDirectory();
        assertThat(dir.resolve("provider").resolve("work").resolve(id.toString())).doesNotExist();

        // A provider handing over another adapter than the final state it committed (one bit of one A value) is refused.
        byte[] other = tenantStore.get(fetched.model());
        var gguf = dev.hypha.ml.gguf.GgufFile.parse(other, "adapter");
        var firstA = gguf.tensors().stream().filter(t -> t.name().endsWith(".lora_a")).findFirst().orElseThrow();
        other[Math.toIntExact(gguf.dataOffset() + firstA.offset())] ^= 1;
        ContentId otherId = providerContent.publish(other);
        provider.book().put(provider.book().get(id).orElseThrow().done(otherId.toString()));
        assertThatThrownBy(() -> tenant.fetch(id)).isInstanceOf(HyphaException.class)
                .hasMessage("refusing the model of order " + id + ": the model's weights are not those of the final state "
                        + "whose root the provider committed at step 4");

        // Nor the committed matrices under another alpha, nor two pairs' names swapped (A of q applied to v).
        byte[] rescaled = tenantStore.get(fetched.model());
        int alphaAt = indexOf(rescaled, dev.hypha.ml.llm.LoraAdapter.ALPHA) + dev.hypha.ml.llm.LoraAdapter.ALPHA.length() + 4;
        java.nio.ByteBuffer.wrap(rescaled, alphaAt, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putFloat(2 * f.options().lora().alpha());
        provider.book().put(provider.book().get(id).orElseThrow().done(providerContent.publish(rescaled).toString()));
        assertThatThrownBy(() -> tenant.fetch(id)).isInstanceOf(HyphaException.class)
                .hasMessage("refusing the model of order " + id + ": the adapter's adapter.lora.alpha is "
                        + 2 * f.options().lora().alpha() + ", not the spec's " + f.options().lora().alpha());
        byte[] swapped = tenantStore.get(fetched.model());
        String q = "blk.0.attn_q.weight.lora_a";
        String v = "blk.0.attn_v.weight.lora_a";
        int qAt = indexOf(swapped, q);
        int vAt = indexOf(swapped, v);
        System.arraycopy(v.getBytes(StandardCharsets.US_ASCII), 0, swapped, qAt, q.length());
        System.arraycopy(q.getBytes(StandardCharsets.US_ASCII), 0, swapped, vAt, v.length());
        provider.book().put(provider.book().get(id).orElseThrow().done(providerContent.publish(swapped).toString()));
        assertThatThrownBy(() -> tenant.fetch(id)).isInstanceOf(HyphaException.class)
                .hasMessage("refusing the model of order " + id + ": adapter tensor 0 is " + v + ", where training writes " + q);
    }

    private static int indexOf(byte[] haystack, String ascii) {
        byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(ascii + " not in the file");
    }

    @Test
    void aProviderKilledMidJobResumesFromItsCheckpointWhenStartedAgain() throws Exception {
        Credentials killedKey = devnet.account(5);
        Path home = dir.resolve("killed");
        new dev.hypha.chain.deploy.Deployments(home.resolve("deployments")).save(deployment);
        // Its own nonces: the child sends as this account too, and the parent must not reuse a stale count afterwards.
        HyphaContracts killed = HyphaContracts.connect(deployment, new TransactionSender(chain, killedKey, new NonceManager(chain),
                RevertDecoder.forHyphaContracts()));
        as(devnet.account(0)).hyp().transfer(killedKey.getAddress(), Deployer.hyp(1_000));
        killed.staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                ComputeProviderChild.class.getName(), devnet.rpcUrl(), home.toString(),
                killedKey.getEcKeyPair().getPrivateKey().toString(16)))
                .redirectError(dir.resolve("child.err").toFile()).start();
        BigInteger id;
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line).as("the child's first line").startsWith("PORT ");
            killed.registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:" + line.substring(5).strip(),
                    killedKey.getAddress(), List.of("compute"), ""));
            id = tenant.submit("long.toml", spec("killed-mlp", 1_000_000, 50), terms(30), tenantContent).orderId();
            Address killedAddress = Address.parse(killedKey.getAddress());
            await("the child's bid", () -> as(tenantKey).compute().bids(id).stream().anyMatch(b -> b.provider().equals(killedAddress)));
            int index = 0;
            while (!as(tenantKey).compute().bids(id).get(index).provider().equals(killedAddress)) {
                index++;
            }
            tenant.lease(id, OptionalInt.of(index), Duration.ofSeconds(5));
            tenant.handOff(id, List.of(tenantUrl()));
            JobBook book = JobBook.open(home);
            await("a checkpoint in the child", () -> book.logLines(id, 0, 1000).stream().anyMatch(l -> l.startsWith("checkpoint at step")));
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
            child.waitFor();
        }
        assertThat(JobBook.open(home).get(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        try (ComputeProvider again = new ComputeProvider(killed.compute(), Address.parse(killedKey.getAddress()),
                new ComputeOffer(PRICE, new Resources(2, 512, 0), 1, JobLimits.DEFAULT), new ContentStore(home), JobBook.open(home),
                new PublishedContent(), http, CheckpointListener.NONE, ComputeJobsTest::chainTime, events::add, home.resolve("work"))) {
            awaitOn(again, "the job to resume", () -> again.book().logLines(id, 0, 1000).stream().anyMatch(l -> l.startsWith("resumed from")));
            String resumed = again.book().logLines(id, 0, 1000).stream().filter(l -> l.startsWith("resumed from")).findFirst().orElseThrow();
            long at = Long.parseLong(resumed.substring(resumed.lastIndexOf(' ') + 1));
            assertThat(at).isGreaterThanOrEqualTo(50);
            assertThat(at % 50).isZero();
            tenant.cancel(id);
            awaitOn(again, "the job to stop", () -> again.book().get(id).orElseThrow().state() == JobState.STOPPED && again.idle());
        }
        assertThat(as(tenantKey).compute().order(id).held()).isZero();
    }

    @Test
    void aBidOnAnOrderNobodyLeasesIsWithdrawnAndItsSlotFreed() throws Exception {
        BigInteger id = tenant.submit("tiny.toml", spec("unleased-mlp", 10, 5), terms(5), tenantContent).orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        travel(ComputeProvider.HANDOFF_TIMEOUT_SECONDS + 10);
        await("the bid to be withdrawn", () -> state(id) == null);
        assertThat(as(tenantKey).compute().bids(id)).singleElement().satisfies(b -> assertThat(b.withdrawn()).isTrue());
        assertThat(tenant.cancel(id).refunded()).isEqualTo(DEPOSIT);
    }

    @Test
    void aJobStopsWhenItsDepositIsUsedUpAndTheOverdrawnLeaseClosesItself() throws Exception {
        BigInteger providerBefore = usd(providerKey);
        BigInteger deposit = BigInteger.valueOf(60_000); // two minutes at 500 a second
        BigInteger id = tenant.submit("long.toml", spec("overdrawn-mlp", 1_000_000, 50),
                new TenantJobs.OrderTerms(MAX_PRICE, deposit, NEEDS, 30), tenantContent).orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
        tenant.handOff(id, List.of(tenantUrl()));
        await("training", () -> state(id) == JobState.RUNNING);
        travel(150);
        await("the job to stop", () -> state(id) == JobState.STOPPED && provider.idle());
        assertThat(provider.book().get(id).orElseThrow().message()).contains("deposit is used up");
        ComputeOrder closed = as(tenantKey).compute().order(id);
        assertThat(closed.closeReason()).isEqualTo(CloseReason.OVERDRAWN);
        assertThat(closed.paid()).isEqualTo(deposit);
        travel(as(tenantKey).verifier().challengeWindow() + 1);
        await("the provider to collect its pay", () -> usd(providerKey).equals(providerBefore.add(deposit)));
    }

    @Test
    void aSecondLeaseOfTheSameSpecStartsFromTheSpecsInitialStateNotFromTheFirstLeasesCheckpoints() throws Exception {
        byte[] specBytes = spec("twice-mlp", 30, 10);
        BigInteger first = runToTheEnd(specBytes);
        BigInteger second = runToTheEnd(specBytes);
        var verifier = as(tenantKey).verifier();
        for (BigInteger id : List.of(first, second)) {
            assertThat(provider.book().logLines(id, 0, 1000)).as("order %s", id).noneMatch(l -> l.startsWith("resumed from"));
            assertThat(verifier.commitmentCount(id)).as("order %s", id).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                // every segment is the spec's checkpoint interval, the same roots as the first lease's
                assertThat(verifier.commitment(id, i).step()).isEqualTo(10L * i);
                assertThat(verifier.commitment(id, i).root()).isEqualTo(verifier.commitment(first, i).root());
            }
        }
    }

    @Test
    void theTenantRefusesTheModelOfALeaseWithAnOpenDisputeAndOfOneWhoseProviderLostIt() throws Exception {
        BigInteger id = runToTheEnd(spec("disputed-mlp", 30, 10));
        var verifier = as(tenantKey).verifier();
        Credentials challenger = devnet.account(5);
        as(devnet.account(0)).hyp().transfer(challenger.getAddress(), Deployer.hyp(1_200));
        as(challenger).staking().stake(StakingClient.VALIDATOR_ROLE, verifier.minVerifierStake());
        BigInteger dispute = as(challenger).verifier().challenge(id, 3, new byte[32]);
        assertThatThrownBy(() -> tenant.fetch(id)).isInstanceOf(HyphaException.class)
                .hasMessage("refusing the model of order " + id + " for now: 1 dispute over this lease's training is open on "
                        + "TrainingVerifier; fetch again once resolved");
        // This provider does not answer disputes: silent, it loses the round, is slashed, and the closed lease faults.
        as(challenger).verifier().postRoot(dispute, new byte[32]);
        // past the round's deadline and the governance delay (120 s) of the verifier's FAULT_PROOF_ROLE on Staking
        travel(Math.max(as(tenantKey).verifier().dispute(dispute).deadline() - chainTime() + 1, 121));
        assertThat(new Deployer(sender(devnet.account(0))).completeVerifierGrant(deployment)).isTrue();
        BigInteger tenantBefore = usd(tenantKey);
        BigInteger paid = as(tenantKey).compute().order(id).paid();
        as(challenger).verifier().resolve(dispute);
        ComputeOrder faulted = as(tenantKey).compute().order(id);
        assertThat(faulted.closeReason()).isEqualTo(CloseReason.FAULT);
        assertThat(usd(tenantKey)).as("what the lease paid came back").isEqualTo(tenantBefore.add(paid));
        assertThatThrownBy(() -> tenant.fetch(id)).isInstanceOf(HyphaException.class)
                .hasMessageStartingWith("refusing the model of order " + id + ": its provider " + faulted.provider()
                        + " lost a dispute over this lease's training on TrainingVerifier");
        // keep the shared provider active for the other tests
        as(devnet.account(0)).hyp().transfer(providerKey.getAddress(), verifier.slashAmount());
        as(providerKey).staking().stake(StakingClient.PROVIDER_ROLE, verifier.slashAmount());
    }

    /** Submits {@code spec}, leases it to the provider, hands off, and waits for the job's end and its lease's close. */
    private BigInteger runToTheEnd(byte[] spec) throws Exception {
        BigInteger id = tenant.submit("spec.toml", spec, terms(6), tenantContent).orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        assertThat(tenant.lease(id, OptionalInt.empty(), Duration.ofSeconds(60))).isZero();
        tenant.handOff(id, List.of(tenantUrl()));
        await("order " + id + " to finish and its lease to close", () -> state(id) == JobState.DONE
                && provider.book().get(id).orElseThrow().leaseClosed());
        return id;
    }

    @Test
    void theHandOffRefusesStrangersAndSourcesItCannotUse() throws Exception {
        TenantJobs.Submitted s = tenant.submit("tiny.toml", spec("handoff-mlp", 10, 5), terms(30), tenantContent);
        BigInteger id = s.orderId();
        await("a bid on order " + id, () -> state(id) == JobState.BID);
        tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
        assertThat(handOff(id, tenantKey, "{\"sources\": [\"file:///etc/passwd\"]}").statusCode()).isEqualTo(400);
        assertThat(handOff(id, tenantKey, "{\"sources\": []}").statusCode()).isEqualTo(400);
        assertThat(handOff(id, tenantKey, "{\"sources\": [\"http://a\", \"http://b\", \"http://c\", \"http://d\", \"http://e\"]}")
                .statusCode()).isEqualTo(400);
        assertThat(handOff(id, tenantKey, "{\"sources\": [\"http://" + "a".repeat(5000) + "\"]}").statusCode()).isEqualTo(413);
        HttpResponse<String> stranger = handOff(id, strangerKey, "{\"sources\": [\"" + tenantUrl() + "\"]}");
        assertThat(stranger.statusCode()).isEqualTo(403);
        assertThat(stranger.body()).contains("not by the order's tenant");
        assertThat(provider.book().get(id).orElseThrow().sources()).isEmpty(); // nothing refused was recorded
        assertThat(handOff(id, tenantKey, "{\"sources\": [\"" + tenantUrl() + "\"]}").statusCode()).isEqualTo(202);
        await("the job to finish", () -> state(id) == JobState.DONE);
        assertThat(handOff(id, tenantKey, "{\"sources\": [\"" + tenantUrl() + "\"]}").statusCode()).isEqualTo(409);
    }

    private HttpResponse<String> handOff(BigInteger id, Credentials signer, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long expires = Clock.systemUTC().instant().getEpochSecond() + 60;
        String action = "inputs sha256:" + java.util.HexFormat.of().formatHex(dev.hypha.core.crypto.Hashes.sha256(bytes));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + providerServer.port() + "/compute/jobs/" + id
                        + "/inputs"))
                .header(TenantAuth.SIGNATURE_HEADER, TenantAuth.sign(signer, deployment.chainId(), as(tenantKey).compute().address(),
                        id, action, expires))
                .header(TenantAuth.EXPIRES_HEADER, Long.toString(expires))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 64x4096 + 4096x4096 + 4096x3 weights and their biases: 17,059,843 parameters, over the default 16 million. */
    private byte[] hostileSpec() {
        return ("name = \"huge\"\ndataset = \"" + dataset + "\"\nseed = 1\nsteps = 10\nbatch = 4\ncheckpoint_every = 5\n"
                + "layers = [\"flatten\", \"linear 64 4096\", \"relu\", \"linear 4096 4096\", \"relu\", \"linear 4096 3\"]\n"
                + "[optimizer]\nkind = \"sgd\"\nlearning_rate = 0.01\n").getBytes(StandardCharsets.UTF_8);
    }

    private JobState state(BigInteger id) {
        return provider.book().get(id).map(JobRecord::state).orElse(null);
    }

    private void await(String what, BooleanSupplier done) throws InterruptedException {
        awaitOn(provider, what, done);
    }

    private void awaitOn(ComputeProvider polled, String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + "; provider said: " + events);
            }
            polled.poll();
            Thread.sleep(100);
        }
    }

    private String tenantUrl() {
        return "http://127.0.0.1:" + tenantServer.port();
    }

    private static TenantJobs.OrderTerms terms(long bidWindow) {
        return new TenantJobs.OrderTerms(MAX_PRICE, DEPOSIT, NEEDS, bidWindow);
    }

    private byte[] spec(String name, long steps, long checkpointEvery) {
        return ("name = \"" + name + "\"\ndataset = \"" + dataset + "\"\nseed = 7\nsteps = " + steps + "\nbatch = 6\n"
                + "checkpoint_every = " + checkpointEvery + "\nlayers = [\"flatten\", \"linear 64 16\", \"relu\", \"linear 16 3\"]\n"
                + "[optimizer]\nkind = \"adamw\"\nlearning_rate = 0.01\n").getBytes(StandardCharsets.UTF_8);
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static void travel(long seconds) {
        chain.request("evm_increaseTime", seconds);
        chain.request("evm_mine");
    }

    private static long chainTime() {
        return chain.latestBlock().getTimestamp().longValueExact();
    }

    private static BigInteger usd(Credentials who) {
        return as(who).payment().balanceOf(who.getAddress());
    }
}

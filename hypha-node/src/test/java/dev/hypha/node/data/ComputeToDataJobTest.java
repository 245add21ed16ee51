package dev.hypha.node.data;

import dev.hypha.node.testing.SyntheticDatasets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.Terms;
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
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.seal.KeyWrap;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.run.LoraFinetune;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.CheckpointListener;
import dev.hypha.node.compute.ComputeOffer;
import dev.hypha.node.compute.ComputeProvider;
import dev.hypha.node.compute.ComputeRoutes;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobBook;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobRecord;
import dev.hypha.node.compute.JobState;
import dev.hypha.node.compute.PublishedContent;
import dev.hypha.node.compute.StateCommitments;
import dev.hypha.node.compute.TenantJobs;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.verify.CheckpointIndex;
import dev.hypha.node.verify.VerificationRoutes;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * Compute-to-data through the whole compute market on anvil: a data owner seals chat data and allows a LoRA fine-tune
 * spec naming it ({@code data_asset}); a tenant orders that spec without ever holding the data; the provider that
 * wins the lease gets the key released to it (while a key released to another provider for the same spec is what the
 * grant holds, it waits), its job runner opens the data in the job folder only, trains, and the adapter equals a local
 * run on the plaintext; afterwards the plaintext is nowhere on the provider.
 */
class ComputeToDataJobTest {
    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials ownerKey;
    private static Credentials tenantKey;
    private static Credentials providerKey;

    @TempDir
    Path dir;
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().accounts(4).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        ownerKey = devnet.account(1);
        tenantKey = devnet.account(2);
        providerKey = devnet.account(3);
        as(devnet.account(0)).hyp().transfer(providerKey.getAddress(), Deployer.hyp(1_000));
        as(providerKey).staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
        as(devnet.account(0)).payment().mint(tenantKey.getAddress(), BigInteger.valueOf(1_000_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static long chainTime() {
        return chain.latestBlock().getTimestamp().longValueExact();
    }

    @Test
    void theLeaseholderTrainsOnSealedDataItNeverKeeps() throws Exception {
        byte[] base;
        try (var in = ComputeToDataJobTest.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            base = in.readAllBytes();
        }
        byte[] data = ("{\"messages\": [{\"role\": \"user\", \"content\": \"What is private here?\"}, {\"role\": \"assistant\", "
                + "\"content\": \"Only the owner's data, opened inside one job.\"}]}\n").getBytes(StandardCharsets.UTF_8);
        Path dataFile = Files.write(dir.resolve("private.jsonl"), data);
        Path ownerHome = dir.resolve("owner");
        DataOwner owner = new DataOwner(ownerHome, as(ownerKey), ownerKey);
        long asset = owner.add(dataFile, Licence.unpriced("LicenseRef-Private", Terms.NON_COMMERCIAL), List.of(),
                DataOwner.Progress.NONE).assetId();
        ContentId dataId = ContentIds.of(data);
        byte[] spec = ("kind = \"lora-finetune\"\nname = \"private-tuned\"\nbase_model = \"" + ContentIds.of(base)
                + "\"\ndata = \"" + dataId + "\"\ndata_asset = " + asset + "\ndata_format = \"jsonl\"\nrank = 2\nsteps = 4\n"
                + "batch = 1\nsequence_length = 16\nlearning_rate = 0.01\nseed = 5\ncheckpoint_every = 2\n")
                .getBytes(StandardCharsets.UTF_8);
        JobDataKeys keys = new JobDataKeys(as(ownerKey), owner);
        keys.allow(asset, ContentIds.of(spec));

        ContentStore tenantStore = new ContentStore(dir.resolve("tenant"));
        tenantStore.put(base); // the tenant has the base model, never the data
        PublishedContent tenantContent = new PublishedContent();
        Path providerHome = dir.resolve("provider");
        PublishedContent providerContent = new PublishedContent();
        HttpClient http = HttpClient.newHttpClient();
        BlockRoutes ownerRoutes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(ownerHome)), ownerHome);
        // A fine-tune's fetch checks the adapter is the last state the provider committed: commit and serve the states.
        ContentStore providerStore = new ContentStore(providerHome);
        CheckpointIndex providerIndex = new CheckpointIndex(providerHome.resolve("verify"), providerStore, providerContent);
        try (ApiServer ownerNode = new ApiServer("127.0.0.1", 0, List.of(ownerRoutes));
             ApiServer tenantServer = new ApiServer("127.0.0.1", 0, List.of(tenantContent));
             ComputeProvider provider = new ComputeProvider(as(providerKey).compute(), Address.parse(providerKey.getAddress()),
                     new ComputeOffer(BigInteger.valueOf(1_800_000), new Resources(2, 512, 0), 1, JobLimits.DEFAULT),
                     providerStore, JobBook.open(providerHome), providerContent, http,
                     CheckpointListener.inOrder(providerIndex, new StateCommitments(as(providerKey).verifier(),
                             as(providerKey).compute(), providerStore, events::add)),
                     ComputeToDataJobTest::chainTime, events::add, providerHome.resolve("work"),
                     new JobDataInputs(new JobData(as(providerKey), providerKey), new KeyWait(Duration.ofSeconds(60),
                             Duration.ofMillis(200))));
             ApiServer providerServer = new ApiServer("127.0.0.1", 0, List.of(providerContent, new VerificationRoutes(providerIndex),
                     new ComputeRoutes(provider,
                     as(providerKey).compute(), Address.parse(providerKey.getAddress()), deployment.chainId(), Clock.systemUTC())))) {
            ownerNode.start();
            tenantServer.start();
            providerServer.start();
            registerProvider("http://127.0.0.1:" + providerServer.port());
            TenantJobs tenant = new TenantJobs(as(tenantKey), tenantKey, tenantStore, dir.resolve("tenant"), http,
                    Clock.systemUTC(), ComputeToDataJobTest::chainTime);
            TenantJobs.Submitted s = tenant.submit("private.toml", spec, new TenantJobs.OrderTerms(
                    BigInteger.valueOf(3_600_000), BigInteger.valueOf(100_000_000), new Resources(1, 64, 0), 30), tenantContent);
            BigInteger id = s.orderId();
            await(provider, "a bid on order " + id, () -> state(provider, id) == JobState.BID);
            tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
            // A job grant is per (asset, spec), not per order: what an earlier order of this spec leaves when its
            // lease was another provider's and the owner released to it is the key wrapped to that provider's card.
            // That key is not ours, so the job must wait as for an unreleased one (not fail at once).
            as(ownerKey).grants().grantJob(asset, JobDataKeys.JobSpecDigest.of(ContentIds.of(spec)), KeyWrap.wrap(
                    owner.dataKey(asset), DataKeyCard.of(Credentials.create(Keys.createEcKeyPair())).publicKey()));
            // By hand: the job starts before the owner releases the key, waits (saying so in its log, with the
            // command to run), and goes on once the owner, on another thread, releases it to the card in that log.
            tenant.handOff(id, List.of("http://127.0.0.1:" + tenantServer.port(), "http://127.0.0.1:" + ownerNode.port()));
            String waiting = "waiting for the owner of asset #" + asset + " to release its key for order " + id
                    + " (`hypha data release " + asset + " --order " + id + " --key " + DataKeyCard.of(providerKey).text() + "`), ";
            await(provider, "the job to wait for the key", () -> {
                List<String> log = provider.book().logLines(id, 0, 1000);
                assertThat(state(provider, id)).as("job log: " + log).isNotIn(JobState.FAILED, JobState.STOPPED);
                return log.stream().anyMatch(l -> l.startsWith(waiting));
            });
            Thread releaser = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                keys.release(asset, id, DataKeyCard.of(providerKey));
            });
            await(provider, "the fine-tune to finish",
                    () -> state(provider, id) == JobState.DONE && provider.book().get(id).orElseThrow().leaseClosed());
            releaser.join();
            assertThat(provider.book().logLines(id, 0, 1000))
                    .anyMatch(l -> l.equals(waiting + "0 s of 60"))
                    .anyMatch(l -> l.startsWith("opened sealed asset #" + asset));

            TenantJobs.Fetched fetched = tenant.fetch(id);
            assertThat(new String(tenantStore.get(fetched.lineage()), StandardCharsets.UTF_8))
                    .contains("\"dataset\":\"" + dataId + "\"", "\"spec\":\"" + ContentIds.of(spec) + "\"");
            assertThat(tenantStore.contains(dataId)).isFalse();
            TrainedModels.Registered model = TrainedModels.register(as(tenantKey), tenantStore, fetched,
                    Licence.unpriced("Apache-2.0", Terms.FREE), 1500, List.of());
            assertThat(as(tenantKey).assets().parents(model.assetId()))
                    .containsExactly(new dev.hypha.chain.assets.LineageEdge(asset, 1500));
            assertThat(as(tenantKey).assets().asset(model.assetId()).contentId()).isEqualTo(fetched.model().bytes());

            // The same spec on the plaintext, here: the provider trained on exactly the owner's data.
            Path local = Files.createDirectories(dir.resolve("local"));
            Files.write(local.resolve("base.gguf"), base);
            Files.write(local.resolve("data.jsonl"), data);
            Path out = local.resolve("private-tuned-lora.gguf");
            var options = ((Job.Finetune) s.job()).spec().options();
            LoraFinetune.run(local.resolve("base.gguf"), local.resolve("data.jsonl"), out, null, options, 1, options.steps(),
                    TrainingListener.NONE);
            assertThat(tenantStore.get(fetched.model())).isEqualTo(Files.readAllBytes(out));
        } finally {
            ownerRoutes.awaitIndexed();
        }
        try (Stream<Path> files = Files.walk(providerHome)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            for (Path f : all) {
                assertThat(Files.readAllBytes(f)).as(f.toString()).isNotEqualTo(data);
            }
            assertThat(all).noneMatch(f -> f.getFileName().toString().equals("data.jsonl"));
        }
        assertThat(new ContentStore(providerHome).contains(dataId)).isFalse();
    }

    /**
     * A classifier (the Fashion-MNIST MLP shape) trained on sealed Fashion-MNIST files, with the key released by the
     * owner's node by itself: the DataSales loop finds the lease, reads the winner's card from its registered endpoint
     * ({@code GET /data/key}) and releases. The model equals a local run on the plaintext, the tenant never holds the
     * images, the model registers with the dataset as parent, and nothing of the data is left on the provider.
     */
    @Test
    void aClassifierTrainsOnSealedFashionMnistFiles_withTheKeyReleasedByTheOwnersNode() throws Exception {
        Path files = Files.createDirectories(dir.resolve("fashion"));
        byte[] trainImages = idxImages(20, 1);
        byte[] trainLabels = idxLabels(20);
        Files.write(files.resolve("train-images-idx3-ubyte"), trainImages);
        Files.write(files.resolve("train-labels-idx1-ubyte"), trainLabels);
        Files.write(files.resolve("t10k-images-idx3-ubyte"), idxImages(10, 2));
        Files.write(files.resolve("t10k-labels-idx1-ubyte"), idxLabels(10));
        ContentStore localStore = new ContentStore(dir.resolve("local-store"));
        ContentId dataset = new DatasetStore(localStore).importFashionMnist(files).id(); // what the owner tells tenants
        Path ownerHome = dir.resolve("owner");
        DataOwner owner = new DataOwner(ownerHome, as(ownerKey), ownerKey);
        long asset = owner.add(files, Licence.unpriced("LicenseRef-Private", Terms.NON_COMMERCIAL), List.of(),
                DataOwner.Progress.NONE).assetId();
        byte[] spec = ("name = \"private-mlp\"\ndataset = \"" + dataset + "\"\ndata_asset = " + asset + "\nseed = 3\n"
                + "steps = 4\nbatch = 4\ncheckpoint_every = 2\nlayers = [\"flatten\", \"linear 784 8\", \"relu\", "
                + "\"linear 8 10\"]\n[optimizer]\nkind = \"adamw\"\nlearning_rate = 0.01\n").getBytes(StandardCharsets.UTF_8);
        new JobDataKeys(as(ownerKey), owner).allow(asset, ContentIds.of(spec));
        List<String> ownerLog = new CopyOnWriteArrayList<>();
        DataSales ownerNode = new DataSales(ownerHome, ComputeToDataJobTest::as, ownerLog::add).sellFor(List.of(ownerKey));

        ContentStore tenantStore = new ContentStore(dir.resolve("tenant"));
        PublishedContent tenantContent = new PublishedContent();
        Path providerHome = dir.resolve("provider");
        PublishedContent providerContent = new PublishedContent();
        HttpClient http = HttpClient.newHttpClient();
        BlockRoutes ownerRoutes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(ownerHome)), ownerHome);
        // A classifier's fetch checks the model is the last state the provider committed: commit and serve the states.
        ContentStore providerStore = new ContentStore(providerHome);
        CheckpointIndex providerIndex = new CheckpointIndex(providerHome.resolve("verify"), providerStore, providerContent);
        try (ApiServer ownerApi = new ApiServer("127.0.0.1", 0, List.of(ownerRoutes));
             ApiServer tenantServer = new ApiServer("127.0.0.1", 0, List.of(tenantContent));
             ComputeProvider provider = new ComputeProvider(as(providerKey).compute(), Address.parse(providerKey.getAddress()),
                     new ComputeOffer(BigInteger.valueOf(1_800_000), new Resources(2, 512, 0), 1, JobLimits.DEFAULT),
                     providerStore, JobBook.open(providerHome), providerContent, http,
                     CheckpointListener.inOrder(providerIndex, new StateCommitments(as(providerKey).verifier(),
                             as(providerKey).compute(), providerStore, events::add)),
                     ComputeToDataJobTest::chainTime, events::add, providerHome.resolve("work"),
                     new JobDataInputs(new JobData(as(providerKey), providerKey), KeyWait.DEFAULT));
             ApiServer providerServer = new ApiServer("127.0.0.1", 0, List.of(providerContent, new VerificationRoutes(providerIndex),
                     new ComputeRoutes(provider,
                     as(providerKey).compute(), Address.parse(providerKey.getAddress()), deployment.chainId(), Clock.systemUTC()),
                     new DataKeyRoutes(DataKeyCard.of(providerKey))))) {
            ownerApi.start();
            tenantServer.start();
            providerServer.start();
            registerProvider("http://127.0.0.1:" + providerServer.port());
            TenantJobs tenant = new TenantJobs(as(tenantKey), tenantKey, tenantStore, dir.resolve("tenant"), http,
                    Clock.systemUTC(), ComputeToDataJobTest::chainTime);
            TenantJobs.Submitted s = tenant.submit("private-mlp.toml", spec, new TenantJobs.OrderTerms(
                    BigInteger.valueOf(3_600_000), BigInteger.valueOf(100_000_000), new Resources(1, 64, 0), 30), tenantContent);
            BigInteger id = s.orderId();
            await(provider, "a bid on order " + id, () -> state(provider, id) == JobState.BID);
            tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
            assertThat(ownerNode.releaseJobKeys()).singleElement().satisfies(o -> {
                assertThat(o.released()).as(o.note()).isTrue();
                assertThat(o.orderId()).isEqualTo(id);
            });
            tenant.handOff(id, List.of("http://127.0.0.1:" + tenantServer.port(), "http://127.0.0.1:" + ownerApi.port()));
            await(provider, "the classifier to finish",
                    () -> state(provider, id) == JobState.DONE && provider.book().get(id).orElseThrow().leaseClosed());
            assertThat(provider.book().logLines(id, 0, 1000)).anyMatch(l -> l.startsWith("opened sealed asset #" + asset));

            TenantJobs.Fetched fetched = tenant.fetch(id);
            assertThat(tenantStore.contains(ContentIds.of(trainImages))).isFalse();
            TrainedModels.Registered model = TrainedModels.register(as(tenantKey), tenantStore, fetched,
                    Licence.unpriced("Apache-2.0", Terms.FREE), 2000, List.of());
            assertThat(as(tenantKey).assets().parents(model.assetId()))
                    .containsExactly(new dev.hypha.chain.assets.LineageEdge(asset, 2000));

            // The same spec on the plaintext, here: the provider trained on exactly the owner's files.
            TrainSpec trainSpec = ((Job.Train) s.job()).spec();
            Trainer.Result local;
            try (Parallel parallel = new Parallel(1)) {
                local = new Trainer(trainSpec, ContentIds.of(spec), new DatasetStore(localStore).load(dataset, "train"),
                        localStore, new FloatMatMul(parallel)).run(TrainingListener.NONE);
            }
            assertThat(tenantStore.get(fetched.model())).isEqualTo(localStore.get(local.model()));
        } finally {
            ownerRoutes.awaitIndexed();
        }
        try (Stream<Path> left = Files.walk(providerHome)) {
            List<Path> all = left.filter(Files::isRegularFile).toList();
            for (Path f : all) {
                assertThat(Files.readAllBytes(f)).as(f.toString()).isNotEqualTo(trainImages);
            }
            assertThat(all).noneMatch(f -> f.toString().contains("train-images") || f.toString().contains("dataset-store"));
        }
        assertThat(new ContentStore(providerHome).contains(ContentIds.of(trainImages))).isFalse();
    }

    /**
     * An owner who never releases the key: the job waits its bound (short here), telling the tenant's log, then fails
     * with the clear refusal, and the provider closes the lease so the tenant pays for no more idle time.
     */
    @Test
    void aJobWhoseKeyIsNeverReleasedFailsOnceItsWaitPasses() throws Exception {
        byte[] base;
        try (var in = ComputeToDataJobTest.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            base = in.readAllBytes();
        }
        byte[] data = "{\"messages\": [{\"role\": \"user\", \"content\": \"Never released.\"}]}\n"
                .getBytes(StandardCharsets.UTF_8);
        Path ownerHome = dir.resolve("owner");
        DataOwner owner = new DataOwner(ownerHome, as(ownerKey), ownerKey);
        long asset = owner.add(Files.write(dir.resolve("kept.jsonl"), data), Licence.unpriced("LicenseRef-Private",
                Terms.NON_COMMERCIAL), List.of(), DataOwner.Progress.NONE).assetId();
        byte[] spec = ("kind = \"lora-finetune\"\nname = \"never-released\"\nbase_model = \"" + ContentIds.of(base)
                + "\"\ndata = \"" + ContentIds.of(data) + "\"\ndata_asset = " + asset + "\ndata_format = \"jsonl\"\nrank = 2\n"
                + "steps = 2\nbatch = 1\nsequence_length = 16\nlearning_rate = 0.01\nseed = 5\ncheckpoint_every = 2\n")
                .getBytes(StandardCharsets.UTF_8);
        new JobDataKeys(as(ownerKey), owner).allow(asset, ContentIds.of(spec));
        ContentStore tenantStore = new ContentStore(dir.resolve("tenant"));
        tenantStore.put(base);
        PublishedContent tenantContent = new PublishedContent();
        Path providerHome = dir.resolve("provider");
        HttpClient http = HttpClient.newHttpClient();
        try (ApiServer tenantServer = new ApiServer("127.0.0.1", 0, List.of(tenantContent));
             ComputeProvider provider = new ComputeProvider(as(providerKey).compute(), Address.parse(providerKey.getAddress()),
                     new ComputeOffer(BigInteger.valueOf(1_800_000), new Resources(2, 512, 0), 1, JobLimits.DEFAULT),
                     new ContentStore(providerHome), JobBook.open(providerHome), new PublishedContent(), http,
                     CheckpointListener.NONE, ComputeToDataJobTest::chainTime, events::add, providerHome.resolve("work"),
                     new JobDataInputs(new JobData(as(providerKey), providerKey), new KeyWait(Duration.ofSeconds(2),
                             Duration.ofMillis(200))));
             ApiServer providerServer = new ApiServer("127.0.0.1", 0, List.of(new ComputeRoutes(provider,
                     as(providerKey).compute(), Address.parse(providerKey.getAddress()), deployment.chainId(), Clock.systemUTC())))) {
            tenantServer.start();
            providerServer.start();
            registerProvider("http://127.0.0.1:" + providerServer.port());
            TenantJobs tenant = new TenantJobs(as(tenantKey), tenantKey, tenantStore, dir.resolve("tenant"), http,
                    Clock.systemUTC(), ComputeToDataJobTest::chainTime);
            BigInteger id = tenant.submit("never.toml", spec, new TenantJobs.OrderTerms(BigInteger.valueOf(3_600_000),
                    BigInteger.valueOf(100_000_000), new Resources(1, 64, 0), 30), tenantContent).orderId();
            await(provider, "a bid on order " + id, () -> state(provider, id) == JobState.BID);
            tenant.lease(id, OptionalInt.of(0), Duration.ofSeconds(5));
            tenant.handOff(id, List.of("http://127.0.0.1:" + tenantServer.port()));
            await(provider, "the job to fail",
                    () -> state(provider, id) == JobState.FAILED && provider.book().get(id).orElseThrow().leaseClosed());
            assertThat(provider.book().get(id).orElseThrow().message())
                    .isEqualTo("the owner of asset #" + asset + " has not released its key for order " + id + " yet "
                            + "(`hypha data release " + asset + " --order " + id + " --key CARD`); gave up after waiting 2 s for it");
            assertThat(provider.book().logLines(id, 0, 1000))
                    .anyMatch(l -> l.startsWith("waiting for the owner of asset #" + asset) && l.endsWith("), 0 s of 2"))
                    .anyMatch(l -> l.startsWith("waiting for the owner of asset #" + asset) && l.endsWith("), 1 s of 2"));
            assertThat(as(tenantKey).compute().order(id).state()).isNotEqualTo(dev.hypha.chain.compute.OrderState.LEASED);
        }
    }

    /** {@code count} 28x28 IDX images: image i lights a band of rows for its class i % 10. */
    private static byte[] idxImages(int count, int seed) {
        byte[] b = new byte[16 + count * 784];
        SyntheticDatasets.idxHeader(b, 3, count, 28, 28);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < 784; p++) {
                b[16 + i * 784 + p] = (byte) ((p / 28) / 3 == i % 10 ? 180 + r.nextInt(70) : r.nextInt(30));
            }
        }
        return b;
    }

    private static byte[] idxLabels(int count) {
        byte[] b = new byte[8 + count];
        SyntheticDatasets.idxHeader(b, 1, count);
        for (int i = 0; i < count; i++) b[8 + i] = (byte) (i % 10);
        return b;
    }

    private static void registerProvider(String endpoint) {
        var registration = new ProviderRegistryClient.ProviderRegistration(endpoint, providerKey.getAddress(),
                List.of("compute"), "");
        if (as(providerKey).registry().provider(providerKey.getAddress()).isPresent()) {
            as(providerKey).registry().update(registration);
        } else {
            as(providerKey).registry().register(registration);
        }
    }

    private static JobState state(ComputeProvider provider, BigInteger id) {
        return provider.book().get(id).map(JobRecord::state).orElse(null);
    }

    private void await(ComputeProvider provider, String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + "; provider said: " + events);
            }
            provider.poll();
            Thread.sleep(100);
        }
    }
}

package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.DisputeOutcome;
import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.compute.VerifierDispute;
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
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.run.DiLoCo;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.Replayer;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.testing.SyntheticDatasets;
import dev.hypha.node.verify.AuditSampling;
import dev.hypha.node.verify.CheckpointIndex;
import dev.hypha.node.verify.DisputeResponder;
import dev.hypha.node.verify.LeaseJob;
import dev.hypha.node.verify.ProviderStates;
import dev.hypha.node.verify.VerificationRoutes;
import dev.hypha.node.verify.VerifierDaemon;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Training across providers (DiLoCo) on a real anvil chain with `hypha deploy`'s contracts and real HTTP between the
 * tenant, two in-process compute providers and a verifier: every round's leases go to different providers, each lease
 * commits its states from the round's global weights, a verifier replays them and finds them right, every outer step
 * is recomputed from the record, a run killed after a round resumes where it stopped, the model is published once every
 * lease is past its challenge window, and both providers are paid; a provider that cheats in its round is challenged by
 * replay after its result was used, loses the dispute like any single lease (slashed, lease closed for fault), and the
 * run fails naming the round without publishing a model.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the honest run first: the cheat's leases stay out of its audit counts
class TrainingRoundsTest {
    private static final BigInteger PRICE = BigInteger.valueOf(1_800_000);
    private static final BigInteger CHEAP = BigInteger.valueOf(900_000);
    private static final BigInteger MAX_PRICE = BigInteger.valueOf(3_600_000);
    private static final BigInteger DEPOSIT = BigInteger.valueOf(100_000_000);
    private static final TenantJobs.OrderTerms TERMS = new TenantJobs.OrderTerms(MAX_PRICE, DEPOSIT, new Resources(1, 64, 0), 2);

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials tenantKey;
    private static Credentials verifierKey;
    private static Credentials refereeKey;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final List<String> events = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;
    private static Provider honestA;
    private static Provider honestB;
    private static Provider cheater;

    private final List<AutoCloseable> running = new ArrayList<>();

    /** One compute provider as `hypha compute offer` wires it: job runner, commitments, published states, responder. */
    private record Provider(Credentials key, ComputeProvider compute, ApiServer server, DisputeResponder responder,
                            ProviderStates states) implements AutoCloseable {
        static Provider start(Credentials key, String name, BigInteger price, DevCheat cheat) {
            HyphaContracts c = as(key);
            Path home = dir.resolve(name);
            ContentStore store = new ContentStore(home);
            PublishedContent published = new PublishedContent();
            CheckpointIndex index = new CheckpointIndex(home.resolve("verify"), store, published);
            Address self = Address.parse(key.getAddress());
            ComputeProvider compute = new ComputeProvider(c.compute(), self, new ComputeOffer(price, new Resources(1, 512, 0), 2,
                    JobLimits.DEFAULT), store, JobBook.open(home), published, http, CheckpointListener.inOrder(index,
                    new StateCommitments(c.verifier(), c.compute(), store, events::add)), TrainingRoundsTest::chainTime,
                    line -> events.add(name + ": " + line), home.resolve("work"), SealedInputs.NONE, cheat);
            ApiServer server = new ApiServer("127.0.0.1", 0, List.of(published, new VerificationRoutes(index),
                    new ComputeRoutes(compute, c.compute(), self, deployment.chainId(), Clock.systemUTC())));
            server.start();
            c.registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:" + server.port(),
                    key.getAddress(), List.of("compute"), ""));
            ProviderStates states = new ProviderStates(index, store, c.compute(), c.verifier(), 1, cheat);
            DisputeResponder responder = new DisputeResponder(c.verifier(), self, states, TrainingRoundsTest::chainTime,
                    line -> events.add(name + ": " + line));
            return new Provider(key, compute, server, responder, states);
        }

        void poll() {
            compute.poll();
            responder.poll();
        }

        @Override
        public void close() {
            server.close();
            compute.close();
            states.close();
        }
    }

    @BeforeAll
    static void deployStakeAndRegister() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        Deployer deployer = new Deployer(sender(devnet.account(0)));
        deployment = deployer.deploy(DeployParams.devnet());
        travel(121); // the governance delay, after which TrainingVerifier may slash
        assertThat(deployer.completeVerifierGrant(deployment)).isTrue();
        tenantKey = devnet.account(1);
        verifierKey = devnet.account(4);
        refereeKey = devnet.account(5);
        as(devnet.account(0)).payment().mint(tenantKey.getAddress(), BigInteger.valueOf(10_000_000_000L));
        for (Credentials p : List.of(devnet.account(2), devnet.account(3), devnet.account(6))) {
            as(devnet.account(0)).hyp().transfer(p.getAddress(), Deployer.hyp(5_000));
            as(p).staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(5_000));
        }
        for (Credentials v : List.of(verifierKey, refereeKey)) {
            as(devnet.account(0)).hyp().transfer(v.getAddress(), Deployer.hyp(5_000));
            as(v).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        }
        honestA = Provider.start(devnet.account(2), "provider-a", PRICE, DevCheat.NONE);
        honestB = Provider.start(devnet.account(3), "provider-b", PRICE, DevCheat.NONE);
        cheater = Provider.start(devnet.account(6), "cheater", CHEAP, DevCheat.NOISE);
    }

    @AfterAll
    static void stop() {
        for (Provider p : new Provider[] {honestA, honestB, cheater}) {
            if (p != null) p.close();
        }
        chain.close();
        devnet.close();
    }

    @AfterEach
    void stopPolling() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
    }

    /** Polls these providers (bids, jobs, commitments, dispute answers) every 100 ms until the test ends. */
    private void polling(Provider... providers) {
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        loop.scheduleWithFixedDelay(() -> {
            for (Provider p : providers) {
                try {
                    p.poll();
                } catch (RuntimeException e) {
                    events.add("poll failed: " + e.getMessage());
                }
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        running.add(() -> {
            loop.shutdownNow();
            loop.awaitTermination(30, TimeUnit.SECONDS);
        });
    }

    private record Tenant(ContentStore store, TenantJobs jobs, TrainingRounds rounds, PublishedContent published,
                          ApiServer server, byte[] spec) {
        String url() {
            return "http://127.0.0.1:" + server.port();
        }
    }

    private Tenant tenant(String name, long steps) {
        Path home = dir.resolve("tenant-" + name);
        ContentStore store = new ContentStore(home);
        var dataset = SyntheticDatasets.threeClasses(store);
        byte[] spec = ("name = \"" + name + "\"\ndataset = \"" + dataset + "\"\nseed = 7\nsteps = " + steps + "\nbatch = 6\n"
                + "checkpoint_every = 2\nlayers = [\"flatten\", \"linear 64 16\", \"relu\", \"dropout 0.1\", \"linear 16 3\"]\n"
                + "[optimizer]\nkind = \"adamw\"\nlearning_rate = 0.01\nclip_norm = 1.0\n").getBytes(StandardCharsets.UTF_8);
        return tenantAt(home, spec);
    }

    /** The tenant's node started (again) on {@code home}: its own jobs, rounds and publishing server. */
    private Tenant tenantAt(Path home, byte[] spec) {
        ContentStore store = new ContentStore(home);
        PublishedContent published = new PublishedContent();
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(published));
        server.start();
        running.add(server::close);
        TenantJobs jobs = new TenantJobs(as(tenantKey), tenantKey, store, home, http, Clock.systemUTC(),
                TrainingRoundsTest::chainTime);
        return new Tenant(store, jobs, new TrainingRounds(jobs, as(tenantKey).compute(), as(tenantKey).verifier(), store, home,
                Clock.systemUTC(), Duration.ofSeconds(60)), published, server, spec);
    }

    @Test
    @Order(1)
    void twoProvidersTrainTwoRoundsAcrossACrashEachLeaseIsReplayedTheModelWaitsForTheWindowsAndBothArePaid() throws Exception {
        polling(honestA, honestB);
        Tenant t = tenant("diloco", 8);
        BigInteger aBefore = usd(honestA.key());
        BigInteger bBefore = usd(honestB.key());
        var verifier = as(tenantKey).verifier();
        long[] audit = {-1, -1};
        List<String> progress = new CopyOnWriteArrayList<>();
        java.util.function.Consumer<String> follow = line -> {
            progress.add(line);
            if (line.contains(" leased to ")) {
                travel(30); // the lease just handed off runs 30 chain seconds at least, so it pays (its job takes under one)
            }
            if (line.startsWith("all rounds done")) {
                // Before the windows close: the providers close their leases, the verifier daemon audits every segment
                // of every lease; then the chain moves past the windows.
                try {
                    await("every round lease closed", () -> orders(t).stream()
                            .allMatch(id -> as(tenantKey).compute().order(id).state() == OrderState.CLOSED));
                    try (VerifierDaemon daemon = daemon(verifierKey, 1000, "verifier")) {
                        for (int i = 0; i < 20 && daemon.stats().segmentsAudited() < 8; i++) {
                            daemon.poll();
                        }
                        audit[0] = daemon.stats().segmentsAudited();
                        audit[1] = daemon.stats().challenges();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                travel(verifier.challengeWindow() + 1);
            }
        };
        // The tenant's node dies after round 0's outer step (the record on disk names its outer state) and round 1's
        // first lease (paid for, running).
        assertThatThrownBy(() -> t.rounds().run("diloco.toml", t.spec(), DiLoCo.Settings.of(2, 4), TERMS, t.published(),
                List.of(t.url()), Duration.ofSeconds(30), line -> {
                    follow.accept(line);
                    if (line.startsWith("round 1/2 worker 0:")) {
                        throw new IllegalStateException("killed in round 1");
                    }
                })).hasMessage("killed in round 1");
        List<BigInteger> beforeCrash = orders(t);
        assertThat(beforeCrash).hasSize(3);
        // Another spec under the same name is refused before anything is ordered.
        byte[] longer = new String(t.spec(), StandardCharsets.UTF_8).replace("steps = 8", "steps = 12").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> t.rounds().run("diloco.toml", longer, DiLoCo.Settings.of(2, 4), TERMS, t.published(),
                List.of(t.url()), Duration.ofSeconds(30), progress::add))
                .isInstanceOf(HyphaException.class).hasMessageContaining("already started with spec");
        assertThat(orders(t)).isEqualTo(beforeCrash);

        // Started again, the same spec resumes at round 1, with round 1's lease of worker 0 as it was: no lease is
        // ordered (and paid for) twice.
        Tenant again = tenantAt(dir.resolve("tenant-diloco"), t.spec());
        int resumedAt = progress.size();
        TrainingRounds.Result result = again.rounds().run("diloco.toml", again.spec(), DiLoCo.Settings.of(2, 4), TERMS,
                again.published(), List.of(again.url()), Duration.ofSeconds(30), follow);
        List<String> resumed = progress.subList(resumedAt, progress.size());
        assertThat(resumed.getFirst()).startsWith("resuming diloco after round 0");
        assertThat(resumed).noneMatch(l -> l.startsWith("round 0")).anyMatch(l -> l.startsWith("round 1: 2 results fetched and checked"));
        assertThat(audit[0]).as("segments audited; events %s", events).isEqualTo(8);
        assertThat(audit[1]).as("challenges").isZero();

        // The final model is the one an uninterrupted run gives: every round run in one process.
        var base = TrainSpecParser.parse("diloco.toml", t.spec());
        var specId = dev.hypha.core.cid.ContentIds.of(t.spec());
        var data = new dev.hypha.ml.train.data.DatasetStore(t.store()).load(dev.hypha.core.cid.ContentId.parse(base.dataset()), base.split());
        try (Parallel parallel = new Parallel(2)) {
            DiLoCo.Result uninterrupted = DiLoCo.train(base, specId, DiLoCo.Settings.of(2, 4), data, new FloatMatMul(parallel),
                    DiLoCo.RoundListener.NONE);
            var weights = uninterrupted.network().parameters().stream().map(dev.hypha.ml.train.Tensor::data).toList();
            assertThat(result.model()).isEqualTo(dev.hypha.core.cid.ContentIds.of(DiLoCo.globalFile(base, specId,
                    uninterrupted.network().inputShape(), weights, 8)));
        }
        assertThat(result.rounds()).isEqualTo(2);
        assertThat(t.store().ref(dev.hypha.ml.train.run.Trainer.MODELS, "diloco")).contains(result.model());
        JsonNode record = t.rounds().record("diloco");
        assertThat(record.path("final").asText()).isEqualTo(result.model().toString());
        assertThat(TrainingRounds.check(record, t.store(), as(tenantKey).compute(), verifier))
                .as("every outer step recomputed from the record, every lease final").isEmpty();
        List<BigInteger> orders = orders(t);
        assertThat(orders.subList(0, 3)).isEqualTo(beforeCrash);
        for (JsonNode round : record.path("rounds")) {
            // each round's two leases went to two different providers
            assertThat(round.path("providers").get(0).asText()).isNotEqualTo(round.path("providers").get(1).asText());
        }
        assertThat(orders).hasSize(4);
        for (BigInteger id : orders) {
            ComputeOrder o = as(tenantKey).compute().order(id);
            assertThat(o.state()).isEqualTo(OrderState.CLOSED);
            assertThat(o.closeReason()).isEqualTo(CloseReason.PROVIDER);
            // steps 0 (the round's global weights), 2 and 4
            assertThat(verifier.commitmentCount(id)).as("commitments of lease %s", id).isEqualTo(3);
        }
        // A lease of round 1 is replayed from its spec alone (the init model is round 1's global) by a third party:
        // its committed roots are what re-execution gives.
        BigInteger lastLease = orders.get(3);
        LeaseJob job = LeaseJob.load(as(tenantKey).compute().order(lastLease).spec(), t.store(), Optional.empty(), JobLimits.DEFAULT);
        try (Parallel parallel = new Parallel(2)) {
            Replayer replayer = job.replayer(new FloatMatMul(parallel));
            RunState state = replayer.initial();
            for (int i = 0; i < 3; i++) {
                var c = verifier.commitment(lastLease, i);
                state = replayer.replay(state, c.step());
                assertThat(c.root()).as("root at step %d", c.step()).isEqualTo(replayer.root(state));
            }
        }
        // Both providers are paid for their leases once the challenge windows are over.
        BigInteger paidA = BigInteger.ZERO;
        BigInteger paidB = BigInteger.ZERO;
        for (BigInteger id : orders) {
            ComputeOrder o = as(tenantKey).compute().order(id);
            if (o.provider().equals(Address.parse(honestA.key().getAddress()))) paidA = paidA.add(o.paid());
            else paidB = paidB.add(o.paid());
        }
        assertThat(paidA).isPositive();
        assertThat(paidB).isPositive();
        BigInteger expectA = aBefore.add(paidA);
        BigInteger expectB = bBefore.add(paidB);
        await("both providers to collect their pay", () -> usd(honestA.key()).equals(expectA) && usd(honestB.key()).equals(expectB));

        // A record whose final model is not the last outer step is caught.
        ObjectNode forged = record.deepCopy();
        forged.put("final", record.path("rounds").get(0).path("global").asText());
        assertThat(TrainingRounds.check(forged, t.store(), as(tenantKey).compute(), verifier)).get().asString()
                .contains("the last outer step gives");
        // Submitted again once trained, it orders nothing and answers the same model.
        assertThat(again.rounds().run("diloco.toml", again.spec(), DiLoCo.Settings.of(2, 4), TERMS, again.published(),
                List.of(again.url()), Duration.ofSeconds(30), progress::add).model()).isEqualTo(result.model());
        assertThat(orders(t)).hasSize(4);
    }

    /** Every order the tenant's round record names, in round and worker order. */
    private static List<BigInteger> orders(Tenant t) {
        List<BigInteger> orders = new ArrayList<>();
        for (JsonNode round : t.rounds().record(nameOf(t)).path("rounds")) {
            round.path("orders").forEach(o -> orders.add(new BigInteger(o.asText())));
        }
        return orders;
    }

    private static String nameOf(Tenant t) {
        return TrainSpecParser.parse("spec", t.spec()).name();
    }

    @Test
    @Order(2)
    void aRoundResultProvenWrongAfterItsOuterStepFailsTheRunNamingTheRoundAndNoModelIsPublished() throws Exception {
        polling(honestA, cheater);
        Tenant t = tenant("cheated", 4);
        Address cheaterAddress = Address.parse(cheater.key().getAddress());
        BigInteger stakeBefore = as(tenantKey).staking().stakeOf(cheater.key().getAddress(), StakingClient.PROVIDER_ROLE);
        BigInteger firstDispute = as(tenantKey).verifier().nextDisputeId();
        try (VerifierDaemon daemon = daemon(verifierKey, 1000, "verifier");
             VerifierDaemon referee = daemon(refereeKey, 0, "referee")) {
            // The cheat's result passes the fetch checks (its model is its committed state) and moves the outer step;
            // while the tenant waits for the challenge windows, the verifier audits and plays its dispute to the end
            // (on the tenant's thread, so the order of events is fixed).
            assertThatThrownBy(() -> t.rounds().run("cheated.toml", t.spec(), DiLoCo.Settings.of(2, 4), TERMS, t.published(),
                    List.of(t.url()), Duration.ofSeconds(30), line -> {
                        if (line.startsWith("all rounds done")) {
                            play(daemon, referee, firstDispute);
                        }
                    }))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("cheated failed: round 0 worker")
                    .hasMessageContaining("lost a dispute");
        }
        VerifierDispute d = as(tenantKey).verifier().dispute(firstDispute);
        assertThat(d.phase()).as("events %s", events).isEqualTo(DisputePhase.RESOLVED);
        assertThat(d.outcome()).isEqualTo(DisputeOutcome.CHALLENGER_WON);
        assertThat(d.lo()).as("bisected to the cheat's first wrong step").isZero();
        ComputeOrder faulted = as(tenantKey).compute().order(d.orderId());
        assertThat(faulted.provider()).isEqualTo(cheaterAddress);
        assertThat(faulted.closeReason()).isEqualTo(CloseReason.FAULT);
        assertThat(as(tenantKey).staking().stakeOf(cheater.key().getAddress(), StakingClient.PROVIDER_ROLE))
                .isEqualTo(stakeBefore.subtract(Deployer.hyp(500)));
        assertThat(as(tenantKey).verifier().nextDisputeId()).as("only the cheater's lease was challenged")
                .isEqualTo(firstDispute.add(BigInteger.ONE));
        JsonNode record = t.rounds().record("cheated");
        assertThat(record.path("rounds").get(0).path("results")).as("the cheated result was used").hasSize(2);
        assertThat(record.path("failed").asText()).startsWith("round 0 worker").contains("order " + d.orderId());
        assertThat(record.has("final")).isFalse();
        assertThat(t.store().ref(dev.hypha.ml.train.run.Trainer.MODELS, "cheated")).as("no model published").isEmpty();
        var market = as(tenantKey).compute();
        var verifier = as(tenantKey).verifier();
        assertThat(TrainingRounds.check(record, t.store(), market, verifier)).get().asString()
                .contains("order " + d.orderId()).contains("lost a dispute");
        // A record that claims the model anyway is caught by the check (the lease's dispute state is read).
        ObjectNode forged = record.deepCopy();
        forged.remove("failed");
        forged.put("final", record.path("trained").asText());
        assertThat(TrainingRounds.check(forged, t.store(), market, verifier)).get().asString().contains("lost a dispute");
        // Submitted again, a failed run is not resumed.
        assertThatThrownBy(() -> t.rounds().run("cheated.toml", t.spec(), DiLoCo.Settings.of(2, 4), TERMS, t.published(),
                List.of(t.url()), Duration.ofSeconds(30), line -> {})).hasMessageContaining("failed and is not resumed");
    }

    /** The verifier audits, then verifier, referee and the providers' responders play until the dispute resolves. */
    private static void play(VerifierDaemon verifier, VerifierDaemon referee, BigInteger dispute) {
        for (int i = 0; i < 100; i++) {
            verifier.poll();
            referee.poll();
            VerifierDispute d = as(tenantKey).verifier().dispute(dispute);
            if (d.phase() == DisputePhase.RESOLVED) {
                return;
            }
            if (d.phase() == DisputePhase.VOTE && d.votesChallenger() + d.votesProvider() + d.votesOther() > 0) {
                travel(61); // past the vote window
            }
            try {
                Thread.sleep(100); // the providers' responders move on their polling thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static VerifierDaemon daemon(Credentials who, int rate, String name) {
        HyphaContracts c = as(who);
        byte[] secret = new byte[32];
        secret[31] = (byte) rate;
        return new VerifierDaemon(c.compute(), c.verifier(), c.registry(), Address.parse(who.getAddress()),
                new AuditSampling(secret, rate), new ContentStore(dir.resolve(name + "-" + System.nanoTime())), http, 1,
                TrainingRoundsTest::chainTime, line -> events.add(name + ": " + line));
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; events " + events);
            }
            Thread.sleep(100);
        }
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

package dev.hypha.node.verify;

import dev.hypha.node.testing.SyntheticDatasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.compute.CloseReason;
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
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.TrainingRun;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.StateLeaves;
import dev.hypha.node.compute.JobSpecs;
import dev.hypha.node.compute.PublishedContent;
import dev.hypha.node.http.ApiServer;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The verifier daemon against providers on a real anvil chain with `hypha deploy`'s contracts, real HTTP between them
 * and real re-execution: a provider publishes its checkpoints and commits every 4 steps of a 12-step job; the daemon
 * audits at its sampling rate, challenges a wrong commitment and plays the whole dispute against the provider's real
 * {@link DisputeResponder}, a second daemon referees, and resolution slashes the loser. The cheats (test code) skip a
 * step, train on other data, add noise or make up the final weights; each is caught exactly when its segment is
 * sampled, and an honest provider is never challenged whatever the seeds and thread counts.
 */
class VerifierDaemonTest {
    private static final BigInteger PRICE = BigInteger.valueOf(1_800_000);
    private static final BigInteger MAX_PRICE = BigInteger.valueOf(3_600_000);
    private static final BigInteger DEPOSIT = BigInteger.valueOf(100_000_000);
    private static final Resources NEEDS = new Resources(1, 64, 0);
    private static final long STEPS = 12;
    private static final long EVERY = 4;

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials tenantKey;
    private static Credentials providerKey;
    private static Credentials verifierKey;
    private static Credentials refereeKey;

    @TempDir
    static Path dir;
    private static ContentStore providerStore;
    private static ContentId dataset;
    private static ImageSplit data;
    private static ImageSplit otherData;
    private static PublishedContent published;
    private static CheckpointIndex index;
    private static ApiServer providerServer;
    private static DisputeResponder responder;
    private static VerifierDaemon referee;
    private static final Map<BigInteger, List<RunState>> claims = new ConcurrentHashMap<>();
    private static final Map<BigInteger, byte[]> digests = new ConcurrentHashMap<>();
    private static final List<String> events = new CopyOnWriteArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void deployAndStake() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        Deployer deployer = new Deployer(sender(devnet.account(0)));
        deployment = deployer.deploy(DeployParams.devnet());
        travel(121); // the governance delay, after which TrainingVerifier may slash
        assertThat(deployer.completeVerifierGrant(deployment)).isTrue();
        tenantKey = devnet.account(1);
        providerKey = devnet.account(2);
        verifierKey = devnet.account(4);
        refereeKey = devnet.account(5);
        as(devnet.account(0)).payment().mint(tenantKey.getAddress(), BigInteger.valueOf(100_000_000_000L));
        as(devnet.account(0)).hyp().transfer(providerKey.getAddress(), Deployer.hyp(50_000));
        as(providerKey).staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(50_000));
        for (Credentials v : new Credentials[] {verifierKey, refereeKey}) {
            as(devnet.account(0)).hyp().transfer(v.getAddress(), Deployer.hyp(5_000));
            as(v).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        }

        providerStore = new ContentStore(dir.resolve("provider"));
        dataset = SyntheticDatasets.threeClasses(providerStore, "synthetic-3", 3, 0);
        ContentId other = SyntheticDatasets.threeClasses(providerStore, "synthetic-5", 5, 1);
        data = new DatasetStore(providerStore).load(dataset, "train");
        otherData = new DatasetStore(providerStore).load(other, "train");
        published = new PublishedContent();
        index = new CheckpointIndex(dir.resolve("provider").resolve("verify"), providerStore, published);
        providerServer = new ApiServer("127.0.0.1", 0, List.of(published, new VerificationRoutes(index)));
        providerServer.start();
        as(providerKey).registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:"
                + providerServer.port(), providerKey.getAddress(), List.of("compute"), ""));
        // The provider's real responder, answering from the states it claimed (honest or not).
        responder = new DisputeResponder(as(providerKey).verifier(), address(providerKey), d -> {
            List<RunState> mine = claims.get(d.orderId());
            byte[] digest = digests.get(d.orderId());
            return step -> StateLeaves.tree(digest, mine.get((int) step));
        }, VerifierDaemonTest::chainTime, events::add);
        referee = daemon(refereeKey, new byte[32], 0, 1, "referee");
    }

    @AfterAll
    static void stop() {
        referee.close();
        providerServer.close();
        chain.close();
        devnet.close();
    }

    @AfterEach
    void expireChallengeWindows() {
        travel(601); // a later test's daemon finds nothing left to challenge in this test's leases
    }

    @Test
    void everyCheatIsCaughtAndSlashedWhenEverySegmentIsAudited() {
        try (VerifierDaemon verifier = daemon(verifierKey, secret(1), 1000, 2, "verifier")) {
            long seed = 100;
            for (Cheat cheat : List.of(Cheat.SKIP_STEP, Cheat.OTHER_DATA, Cheat.NOISE, Cheat.MADE_UP_WEIGHTS)) {
                Run run = run(verifier, cheat, seed++, 1);
                assertThat(run.dispute).as("%s is challenged", cheat).isNotNull();
                assertSlashed(run, cheat);
            }
            assertThat(verifier.stats().challenges()).isEqualTo(4);
        }
    }

    @Test
    void aCheatIsCaughtExactlyWhenItsSegmentIsSampled() {
        AuditSampling sampling = new AuditSampling(secret(2), 500);
        int caught = 0;
        int runs = 0;
        try (VerifierDaemon verifier = daemon(verifierKey, secret(2), 500, 1, "verifier")) {
            for (long seed = 200; seed < 202; seed++) {
                for (Cheat cheat : List.of(Cheat.SKIP_STEP, Cheat.OTHER_DATA, Cheat.NOISE, Cheat.MADE_UP_WEIGHTS)) {
                    Run run = run(verifier, cheat, seed, 1);
                    boolean sampled = sampling.audits(address(verifierKey), run.order, run.segment,
                            digestRoot(run.order, run.end));
                    assertThat(run.dispute != null).as("%s seed %d: challenged exactly when sampled (%s)", cheat, seed, sampled)
                            .isEqualTo(sampled);
                    if (sampled) {
                        assertSlashed(run, cheat);
                        caught++;
                    } else {
                        assertThat(as(tenantKey).compute().order(run.order).state()).isEqualTo(OrderState.LEASED);
                        as(tenantKey).compute().closeLease(run.order);
                    }
                    runs++;
                }
            }
            // Both branches are taken: some cheats sampled (and slashed), some not (and left leased). That the rate is
            // the share of segments picked is AuditSamplingTest's claim (4000 draws); here, only "exactly when sampled".
            assertThat(caught).as("caught of %d", runs).isBetween(1, runs - 1);
            assertThat(verifier.stats().segmentsAudited()).isLessThan(verifier.stats().commitmentsSeen());
        }
    }

    @Test
    void aRestartedVerifierResumesTheDisputeItWasInFromItsSavedCursor() throws Exception {
        Path state = dir.resolve("restart").resolve("state.json");
        VerifierDaemon[] current = {daemon(verifierKey, secret(9), 1000, 1, "restart", state)};
        try {
            Run run = run(current[0], Cheat.OTHER_DATA, 900, 1, first -> {
                VerifierCursor saved = VerifierCursor.load(state);
                assertThat(saved.watched()).isNotEmpty(); // the lease it audited, with its next commitment index
                first.close(); // as kill -9 right after a poll: the saved file is all that survives
                current[0] = daemon(verifierKey, secret(9), 1000, 1, "restart", state);
                return current[0];
            });
            assertThat(run.dispute).isNotNull();
            assertSlashed(run, Cheat.OTHER_DATA);
            // The restarted verifier played the dispute to the end without re-auditing anything it had audited.
            assertThat(current[0].stats().commitmentsSeen()).isZero();
            assertThat(current[0].stats().challenges()).isZero();
            assertThat(current[0].cursor().disputes()).doesNotContain(run.dispute);
        } finally {
            current[0].close();
        }
        // A damaged file is a clear error naming it; a missing one is a fresh start.
        Files.writeString(state, "{\"version\":1,\"nextOrder\":\"0\"}");
        assertThatThrownBy(() -> VerifierCursor.load(state)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("the verifier state " + state + " is damaged ('0' is not an id)");
        assertThat(VerifierCursor.load(dir.resolve("none.json"))).isEqualTo(VerifierCursor.start());
    }

    @Test
    void anHonestProviderIsNeverChallengedAcrossSeedsAndThreadCounts() {
        BigInteger stake = as(providerKey).staking().stakeOf(providerKey.getAddress(), StakingClient.PROVIDER_ROLE);
        for (int verifierThreads : new int[] {1, 3}) {
            try (VerifierDaemon verifier = daemon(verifierKey, secret(3 + verifierThreads), 1000, verifierThreads, "verifier")) {
                for (long seed = 300; seed < 303; seed++) {
                    for (int providerThreads : new int[] {1, 2}) {
                        Run run = run(verifier, Cheat.NONE, seed * 10 + providerThreads + 100L * verifierThreads, providerThreads);
                        assertThat(run.dispute).as("seed %d, threads %d/%d", seed, providerThreads, verifierThreads).isNull();
                        as(tenantKey).compute().closeLease(run.order);
                    }
                }
                VerifierDaemon.Stats s = verifier.stats();
                assertThat(s.challenges()).isZero();
                assertThat(s.segmentsAudited()).isGreaterThanOrEqualTo(6 * 3);
                assertThat(s.stepsReplayed()).isGreaterThanOrEqualTo(s.stepsCommitted());
            }
        }
        assertThat(as(providerKey).staking().stakeOf(providerKey.getAddress(), StakingClient.PROVIDER_ROLE)).isEqualTo(stake);
    }

    @Test
    void aServedStateWhoseNextStepDivergesIsChallengedAndTheOtherLeasesAreStillAudited() {
        BigInteger stake = as(providerKey).staking().stakeOf(providerKey.getAddress(), StakingClient.PROVIDER_ROLE);
        BigInteger first = as(tenantKey).verifier().nextDisputeId();
        BigInteger poisoned = lease(Cheat.DIVERGE, 950, 1, EVERY, 2 * EVERY);
        BigInteger other = lease(Cheat.OTHER_DATA, 951, 1, EVERY, 2 * EVERY);
        // The premise: the provider's own training from the state it committed and serves at step 4 diverges.
        RunState served = claims.get(poisoned).get((int) EVERY);
        try (Parallel p = new Parallel(1)) {
            TrainingRun fromServed = TrainingRun.resume(TrainSpecParser.parse("spec", spec(950)), data, new FloatMatMul(p),
                    served, "served");
            assertThatThrownBy(fromServed::step).isInstanceOf(HyphaException.class).hasMessageContaining("diverged at step 4");
        }
        // A verifier whose sampling skips the segment ending at that state (so it anchors on the served checkpoint)
        // and audits the next one, and the other lease's wrong segment.
        Address self = address(verifierKey);
        int n = 10;
        while (true) {
            AuditSampling s = new AuditSampling(secret(n), 500);
            if (!s.audits(self, poisoned, 1, digestRoot(poisoned, EVERY)) && s.audits(self, poisoned, 2, digestRoot(poisoned, 2 * EVERY))
                    && s.audits(self, other, 2, digestRoot(other, 2 * EVERY))) {
                break;
            }
            assertThat(++n).as("a secret sampling as needed").isLessThan(256);
        }
        try (VerifierDaemon verifier = daemon(verifierKey, secret(n), 500, 1, "diverge")) {
            verifier.poll();
            assertThat(as(tenantKey).verifier().nextDisputeId()).as("both leases challenged in one poll; events %s", events)
                    .isEqualTo(first.add(BigInteger.TWO));
            List<VerifierDispute> ds = play(verifier, List.of(first, first.add(BigInteger.ONE)));
            VerifierDispute d = ds.get(0);
            assertThat(d.orderId()).isEqualTo(poisoned);
            assertThat(d.phase()).as("events %s", events).isEqualTo(DisputePhase.RESOLVED);
            assertThat(d.commitmentIndex()).isEqualTo(2);
            // The referee re-executed step 4 -> 5 from the agreed (served) state, got the diverged state, voted for it.
            assertThat(d.lo()).isEqualTo(EVERY);
            assertThat(d.hi()).isEqualTo(EVERY + 1);
            assertThat(d.outcome()).isEqualTo(DisputeOutcome.CHALLENGER_WON);
            assertThat(ds.get(1).orderId()).isEqualTo(other);
            assertThat(ds.get(1).outcome()).isEqualTo(DisputeOutcome.CHALLENGER_WON);
            for (BigInteger order : List.of(poisoned, other)) {
                assertThat(as(tenantKey).compute().order(order).closeReason()).isEqualTo(CloseReason.FAULT);
            }
            assertThat(as(providerKey).staking().stakeOf(providerKey.getAddress(), StakingClient.PROVIDER_ROLE))
                    .isEqualTo(stake.subtract(Deployer.hyp(1_000)));
            assertThat(verifier.stats().challenges()).isEqualTo(2);
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** One lease: the provider claims {@code cheat}'s states, commits every 4 steps; the daemons audit and play. */
    private record Run(BigInteger order, Cheat cheat, long segment, long begin, long end, BigInteger dispute,
                       VerifierDispute atEnd, BigInteger stakeBefore, BigInteger heldBefore) {}

    private Run run(VerifierDaemon verifier, Cheat cheat, long seed, int providerThreads) {
        return run(verifier, cheat, seed, providerThreads, v -> v);
    }

    /** As above; after the first poll (the audit), the dispute is played on with {@code next.apply(verifier)}. */
    private Run run(VerifierDaemon verifier, Cheat cheat, long seed, int providerThreads, UnaryOperator<VerifierDaemon> next) {
        long segment = cheat == Cheat.MADE_UP_WEIGHTS ? 3 : 2;
        long begin = (segment - 1) * EVERY;
        long end = segment * EVERY;
        BigInteger order = lease(cheat, seed, providerThreads, begin, end);
        BigInteger stakeBefore = as(providerKey).staking().stakeOf(providerKey.getAddress(), StakingClient.PROVIDER_ROLE);
        BigInteger heldBefore = as(tenantKey).compute().order(order).held();
        BigInteger first = as(tenantKey).verifier().nextDisputeId();
        verifier.poll();
        if (as(tenantKey).verifier().nextDisputeId().equals(first)) {
            return new Run(order, cheat, segment, begin, end, null, null, stakeBefore, heldBefore);
        }
        verifier = next.apply(verifier);
        VerifierDispute d = play(verifier, List.of(first)).get(0);
        return new Run(order, cheat, segment, begin, end, first, d, stakeBefore, heldBefore);
    }

    /** Polls the provider's responder, {@code verifier} and the referee until {@code disputes} are resolved (or 100 rounds). */
    private List<VerifierDispute> play(VerifierDaemon verifier, List<BigInteger> disputes) {
        List<VerifierDispute> at = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            responder.poll();
            verifier.poll();
            referee.poll();
            at.clear();
            boolean voted = false;
            for (BigInteger id : disputes) {
                VerifierDispute d = as(tenantKey).verifier().dispute(id);
                at.add(d);
                voted |= d.phase() == DisputePhase.VOTE && d.votesChallenger() + d.votesProvider() + d.votesOther() > 0;
            }
            if (at.stream().allMatch(d -> d.phase() == DisputePhase.RESOLVED)) {
                break;
            }
            if (voted) {
                travel(61); // past the vote window
            }
        }
        return List.copyOf(at);
    }

    /** A lease won by the provider, which claims {@code cheat}'s states and serves and commits every 4th; its order. */
    private BigInteger lease(Cheat cheat, long seed, int providerThreads, long begin, long end) {
        byte[] specBytes = spec(seed);
        ContentId specId = providerStore.put(specBytes);
        byte[] digest = JobSpecs.digest(specId);
        TrainSpec spec = TrainSpecParser.parse("spec", specBytes);
        BigInteger order = as(tenantKey).compute().createOrder(digest, NEEDS, MAX_PRICE, DEPOSIT, 600, Address.ZERO);
        as(providerKey).compute().bid(order, PRICE, NEEDS, new byte[0], 0);
        as(tenantKey).compute().acceptBid(order, 0);
        List<RunState> states;
        try (Parallel p = new Parallel(providerThreads)) {
            FloatMatMul gemm = new FloatMatMul(p);
            states = cheat.states(spec, data, otherData, gemm, begin, end, seed);
            digests.put(order, digest);
            claims.put(order, states);
            index.started(order, specId, states.get(0));
            commit(order, digest, states.get(0));
            for (long step = EVERY; step <= STEPS; step += EVERY) {
                ContentId cp = providerStore.put(checkpoint(spec, specId, gemm, states.get((int) step)));
                index.checkpointed(order, specId, step, cp);
                commit(order, digest, states.get((int) step));
            }
        }
        return order;
    }

    private void assertSlashed(Run run, Cheat cheat) {
        VerifierDispute d = run.atEnd;
        assertThat(d.phase()).as("%s: dispute resolved; events %s", cheat, events).isEqualTo(DisputePhase.RESOLVED);
        assertThat(d.outcome()).isEqualTo(DisputeOutcome.CHALLENGER_WON);
        assertThat(d.commitmentIndex()).isEqualTo(run.segment);
        assertThat(d.lo()).as("%s: bisection ends on the first wrong step", cheat).isEqualTo(cheat.firstWrongStep(run.begin, run.end));
        assertThat(d.hi()).isEqualTo(d.lo() + 1);
        assertThat(d.challenger()).isEqualTo(address(verifierKey));
        assertThat(as(providerKey).staking().stakeOf(providerKey.getAddress(), StakingClient.PROVIDER_ROLE))
                .isEqualTo(run.stakeBefore.subtract(Deployer.hyp(500)));
        var closed = as(tenantKey).compute().order(run.order);
        assertThat(closed.state()).isEqualTo(OrderState.CLOSED);
        assertThat(closed.closeReason()).isEqualTo(CloseReason.FAULT);
        assertThat(closed.held()).isZero();
        assertThat(as(tenantKey).verifier().bondsHeld()).isZero();
        assertThat(as(verifierKey).staking().stakeOf(verifierKey.getAddress(), StakingClient.VALIDATOR_ROLE))
                .isEqualTo(Deployer.hyp(1_000));
    }

    private static void commit(BigInteger order, byte[] digest, RunState s) {
        var tree = StateLeaves.tree(digest, s);
        as(providerKey).verifier().commit(order, s.step(), tree.root(), tree.depth());
    }

    private static byte[] digestRoot(BigInteger order, long step) {
        return StateLeaves.tree(digests.get(order), claims.get(order).get((int) step)).root();
    }

    /** A checkpoint file of a claimed state, as the trainer writes one. */
    private static byte[] checkpoint(TrainSpec spec, ContentId specId, FloatMatMul gemm, RunState s) {
        TrainingRun r = TrainingRun.resume(spec, data, gemm, s.step() > spec.steps() ? s.withStep(spec.steps()) : s, "claim");
        return ModelFile.encode(r.network(), s.step(), specId.toString(), r.optimizer().stateNames(), r.optimizer().state());
    }

    private static VerifierDaemon daemon(Credentials who, byte[] secret, int rate, int threads, String name) {
        return daemon(who, secret, rate, threads, name, null);
    }

    private static VerifierDaemon daemon(Credentials who, byte[] secret, int rate, int threads, String name, Path state) {
        HyphaContracts c = as(who);
        return new VerifierDaemon(c.compute(), c.verifier(), c.registry(), address(who), new AuditSampling(secret, rate),
                new ContentStore(dir.resolve(name + "-" + rate + "-" + threads)), http, threads, VerifierDaemonTest::chainTime,
                line -> events.add(name + ": " + line), state);
    }

    private static byte[] secret(int n) {
        byte[] s = new byte[32];
        s[31] = (byte) n;
        return s;
    }

    private static byte[] spec(long seed) {
        return ("name = \"v" + seed + "\"\ndataset = \"" + dataset + "\"\nseed = " + seed + "\nsteps = " + STEPS + "\nbatch = 6\n"
                + "checkpoint_every = " + EVERY + "\nlayers = [\"flatten\", \"linear 64 16\", \"relu\", \"dropout 0.1\", "
                + "\"linear 16 3\"]\n[optimizer]\nkind = \"adamw\"\nlearning_rate = 0.01\nclip_norm = 1.0\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Address address(Credentials who) {
        return Address.parse(who.getAddress());
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
}

package dev.hypha.node.verify.opml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.opml.OpmlDispute;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.ml.opml.IntLmWeights;
import dev.hypha.ml.opml.Trace;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.web3j.crypto.Credentials;

/**
 * Optimistic verification on a real anvil chain with `hypha deploy`'s contracts (OpmlVerifier deployed and granted
 * FAULT_PROOF_ROLE through the timelock): a challenger re-runs each answer and plays the dispute through the client;
 * a provider that runs another model, truncates its computation or returns a cached answer loses and is slashed; an
 * honest provider is never caught and wins against a challenger that lies about any operation.
 */
class OpmlDisputeTest {
    private static final IntLm MODEL = new IntLm(IntLmWeights.random(11));
    private static Devnet devnet;
    private static ChainClient client;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials provider;
    private static Credentials signingKey;
    private static Credentials challenger;
    private static long requests;

    @BeforeContainer
    static void deploy() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        Deployer deployer = new Deployer(sender(devnet.account(0)));
        deployment = deployer.deploy(DeployParams.devnet());
        provider = devnet.account(2);
        signingKey = devnet.account(3);
        challenger = devnet.account(4);
        HyphaContracts admin = as(devnet.account(0));
        admin.hyp().transfer(provider.getAddress(), Deployer.hyp(20_000));
        admin.hyp().transfer(challenger.getAddress(), Deployer.hyp(2_000));
        HyphaContracts p = as(provider);
        p.staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(20_000));
        p.registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1",
                signingKey.getAddress(), List.of("inference"), ""), p.registry().signingKeyProof(signingKey));
        as(challenger).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        assertThat(deployer.completeOpmlGrant(deployment)).as("not before the governance delay").isFalse();
        travel(121);
        assertThat(deployer.completeOpmlGrant(deployment)).isTrue();
    }

    @AfterContainer
    static void stop() {
        client.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static void travel(long seconds) {
        client.request("evm_increaseTime", seconds);
        client.request("evm_mine");
    }

    private static OpmlProvider providerRunning(IntLm runs) {
        return new OpmlProvider(Address.parse(provider.getAddress()), signingKey, runs, MODEL.weights().root(),
                client.chainId(), as(provider).opml().address());
    }

    private static byte[] nextRequest() {
        return Hashes.keccak256(ByteBuffer.allocate(8).putLong(requests++).array());
    }

    private static BigInteger providerStake() {
        return as(provider).staking().stakeOf(provider.getAddress(), StakingClient.PROVIDER_ROLE);
    }

    /** Plays both sides until the dispute ends; returns its outcome. */
    private static OpmlDispute.Outcome play(OpmlPlayer providerSide, OpmlPlayer challengerSide) {
        OpmlVerifierClient view = as(challenger).opml();
        for (int round = 0; round < 64; round++) {
            OpmlDispute d = view.dispute(challengerSide.disputeId());
            if (d.phase() == OpmlDispute.Phase.RESOLVED) {
                return d.outcome();
            }
            boolean moved = providerSide.step();
            if (view.dispute(challengerSide.disputeId()).phase() != OpmlDispute.Phase.RESOLVED) {
                moved |= challengerSide.step();
            }
            if (!moved) {
                travel(view.moveTimeout() + 1); // a side that has nothing to say loses on time
                view.timeout(challengerSide.disputeId());
            }
        }
        throw new AssertionError("dispute did not end in 64 rounds");
    }

    private static OpmlDispute.Outcome challengeAndPlay(OpmlAnswer answer) {
        OpmlChallenger checker = new OpmlChallenger(as(challenger).opml(), MODEL);
        OpmlChallenger.Verdict v = checker.check(answer);
        assertThat(v).isInstanceOf(OpmlChallenger.Verdict.Disputed.class);
        OpmlPlayer challengerSide = ((OpmlChallenger.Verdict.Disputed) v).player();
        OpmlPlayer providerSide = new OpmlPlayer(as(provider).opml(), challengerSide.disputeId(),
                challengerSide.openedAt(), answer.trace(), MODEL.weights(), true);
        return play(providerSide, challengerSide);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Example
    void aProviderRunningAnotherModelLosesAndIsSlashed() {
        BigInteger before = providerStake();
        OpmlAnswer answer = providerRunning(new IntLm(IntLmWeights.random(12))).answer(text("what is"), 4, 5, nextRequest());
        assertThat(challengeAndPlay(answer)).isEqualTo(OpmlDispute.Outcome.CHALLENGER_WON);
        assertThat(providerStake()).isEqualTo(before.subtract(Deployer.hyp(500)));
        OpmlVerifierClient c = as(challenger).opml();
        assertThat(c.isFaulted(c.receiptDigest(answer.receipt()))).isTrue();
        assertThat(c.bondsHeld()).isZero();
    }

    @Example
    void aTruncatedComputationLoses() {
        OpmlAnswer answer = providerRunning(IntLm.truncated(MODEL.weights(), 1)).answer(text("abc"), 3, 0, nextRequest());
        assertThat(challengeAndPlay(answer)).isEqualTo(OpmlDispute.Outcome.CHALLENGER_WON);
    }

    @Example
    void aCachedAnswerLoses_whetherItsTraceIsHonestOrBorrowed() {
        OpmlProvider lazy = providerRunning(MODEL);
        byte[] cached = MODEL.generate(text("other question"), 4, 0);
        // traced honestly: the trace itself shows the model disagreeing, proven without a game
        OpmlAnswer honestTrace = lazy.answerWith(text("my question"), cached, 0, nextRequest());
        BigInteger before = providerStake();
        OpmlChallenger.Verdict v = new OpmlChallenger(as(challenger).opml(), MODEL).check(honestTrace);
        assertThat(v).isInstanceOf(OpmlChallenger.Verdict.MismatchProven.class);
        assertThat(providerStake()).isEqualTo(before.subtract(Deployer.hyp(500)));
        // the trace of the question the answer was cached from: the game finds the first wrong operation
        Trace borrowed = MODEL.trace(text("my questioN"), cached, 0); // same length, other tokens
        OpmlAnswer borrowedTrace = lazy.sign(text("my question"), cached, borrowed, nextRequest());
        assertThat(challengeAndPlay(borrowedTrace)).isEqualTo(OpmlDispute.Outcome.CHALLENGER_WON);
    }

    /**
     * A provider that lies about one operation of each kind (position 1, so MIX reads a previous position) loses at
     * that operation: the contract's recomputation of the element agrees with the Java engine for every kind.
     */
    @Example
    void everyOperationKindIsRecomputedOnChainAsTheEngineComputesIt() {
        byte[] prompt = text("ok");
        OpmlProvider cheat = providerRunning(MODEL);
        byte[] output = MODEL.generate(prompt, 2, 3);
        Trace honest = MODEL.trace(prompt, output, 3);
        long[] ops = {32, 40, 41, 42, 43, 44, 45, 46, 48, 56, 57, 58};
        for (long leaf : ops) {
            byte[] was = honest.outputAt(leaf);
            byte[] wrong = was.clone();
            wrong[wrong.length / 2] ^= 0x04;
            OpmlAnswer answer = cheat.sign(prompt, output, honest.withOutput(leaf, wrong), nextRequest());
            assertThat(challengeAndPlay(answer)).as("lie at leaf %d", leaf).isEqualTo(OpmlDispute.Outcome.CHALLENGER_WON);
            OpmlVerifierClient c = as(challenger).opml();
            assertThat(c.isFaulted(c.receiptDigest(answer.receipt()))).isTrue();
        }
    }

    private static long chainTime() {
        return client.latestBlock().getTimestamp().longValueExact();
    }

    /**
     * The served path's challenger: {@link OpmlWatch} reads a truncating provider's commitment from a gateway's receipts
     * file, challenges it and, the provider staying silent, wins when the round times out; reading the file again after
     * a restart does nothing more (the receipt is faulted).
     */
    @Example
    void theWatchChallengesABoughtAnswerAndASilentProviderLosesOnTime() throws Exception {
        java.nio.file.Path home = java.nio.file.Files.createTempDirectory("opml-watch");
        OpmlAnswer answer = providerRunning(IntLm.truncated(MODEL.weights(), 1)).answer(text("hi"), 2, 7, nextRequest());
        java.nio.file.Path file = home.resolve("gateway/receipts-31337-" + devnet.account(0).getAddress() + ".sqlite");
        try (var receipts = dev.hypha.node.payments.PayerReceipts.open(file)) {
            receipts.add(new dev.hypha.node.payments.PayerReceipts.Stored(java.time.Instant.now(), "intlm-11",
                    Address.parse(provider.getAddress()), new dev.hypha.chain.channels.Receipt("0x" + "11".repeat(32),
                    "0x" + "22".repeat(32), 2, 2, "0x" + "33".repeat(32), BigInteger.ONE, "0x" + "44".repeat(32),
                    BigInteger.ONE), java.util.Optional.empty()), "0x00", java.util.Optional.of(
                    dev.hypha.node.payments.ReceiptHeaders.opmlJson(new dev.hypha.chain.opml.OpmlCommitment(
                            answer.receipt(), answer.signature(), answer.prompt(), answer.output()))));
        }
        BigInteger before = providerStake();
        List<String> lines = new java.util.ArrayList<>();
        java.util.function.Supplier<OpmlWatch> start = () -> new OpmlWatch(as(challenger).opml(),
                Address.parse(challenger.getAddress()), List.of(MODEL), OpmlWatch.gatewayFiles(home),
                OpmlDisputeTest::chainTime, lines::add, home.resolve("verifier/opml-cursor.txt"));
        OpmlWatch watch = start.get();
        watch.poll();
        assertThat(watch.stats().challenged()).as(lines.toString()).isEqualTo(1);
        for (int round = 0; round < 4 && watch.stats().won() == 0; round++) {
            travel(as(challenger).opml().moveTimeout() + 1);
            watch.poll();
        }
        assertThat(watch.stats().won()).as(lines.toString()).isEqualTo(1);
        assertThat(String.join("\n", lines)).contains("timed out", "resolved: CHALLENGER_WON");
        assertThat(providerStake()).isEqualTo(before.subtract(Deployer.hyp(500)));
        java.nio.file.Files.delete(home.resolve("verifier/opml-cursor.txt")); // a crash before the cursor was saved
        OpmlWatch again = start.get();
        again.poll();
        assertThat(again.stats().challenged()).isZero();
        assertThat(lines.getLast()).contains("already proven wrong");
    }

    /**
     * The served path's provider side: {@link OpmlDefender} finds a dispute over a receipt it kept, recomputes the
     * committed trace from the kept answer, plays it (across a restart of the defender) and beats a lying challenger.
     */
    @Example
    void theDefenderPlaysFromItsKeptAnswersAcrossARestartAndBeatsALyingChallenger() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("opml-defender");
        OpmlAnswer answer = providerRunning(MODEL).answer(text("ok"), 2, 3, nextRequest());
        OpmlVerifierClient byProvider = as(provider).opml();
        new OpmlAnswerLog(dir.resolve("answers"), 10).keep(answer.receipt().digest(client.chainId(), byProvider.address()),
                new OpmlAnswerLog.Kept(answer.prompt(), answer.output(), 3, answer.receipt().requestId()));
        List<String> lines = new java.util.ArrayList<>();
        java.util.function.Supplier<OpmlDefender> start = () -> new OpmlDefender(byProvider,
                Address.parse(provider.getAddress()), new OpmlAnswerLog(dir.resolve("answers"), 10),
                root -> java.util.Arrays.equals(root, MODEL.weights().root()) ? java.util.Optional.of(MODEL)
                        : java.util.Optional.empty(), OpmlDisputeTest::chainTime, lines::add, dir.resolve("cursor"));
        OpmlDefender defender = start.get(); // started with the provider: follows disputes from the head on
        defender.poll();
        Trace lie = answer.trace().withOutput(45, flipLast(answer.trace().outputAt(45)));
        OpmlVerifierClient byChallenger = as(challenger).opml();
        OpmlVerifierClient.Challenged opened = byChallenger.challenge(answer.receipt(), answer.signature(),
                answer.prompt(), answer.output(), lie.root());
        BigInteger id = opened.disputeId();
        OpmlPlayer liar = new OpmlPlayer(byChallenger, id, opened.block(), lie, MODEL.weights(), false);
        defender.poll();
        assertThat(defender.open()).as(lines.toString()).isEqualTo(1);
        defender = start.get(); // restarted: takes the open dispute up again from its saved cursor
        BigInteger stakeBefore = providerStake();
        for (int round = 0; round < 64 && byChallenger.dispute(id).phase() != OpmlDispute.Phase.RESOLVED; round++) {
            defender.poll();
            if (byChallenger.dispute(id).phase() != OpmlDispute.Phase.RESOLVED) {
                liar.step();
            }
        }
        assertThat(byChallenger.dispute(id).outcome()).as(lines.toString()).isEqualTo(OpmlDispute.Outcome.PROVIDER_WON);
        defender.poll();
        assertThat(String.join("\n", lines)).contains("resolved: PROVIDER_WON");
        assertThat(providerStake()).isEqualTo(stakeBefore);
        HyphaContracts admin = as(devnet.account(0));
        admin.hyp().transfer(challenger.getAddress(), Deployer.hyp(600));
        as(challenger).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(500));
    }

    private static java.util.Optional<IntLm> runs(byte[] root) {
        return java.util.Arrays.equals(root, MODEL.weights().root()) ? java.util.Optional.of(MODEL)
                : java.util.Optional.empty();
    }

    /**
     * An answer the provider no longer keeps (its log keeps the newest, a challenge has no age limit) is read back from
     * the challenge transaction's input, and the defence still beats a lying challenger (review: it was lost).
     */
    @Example
    void aDefenderWithoutTheKeptAnswerReadsItFromTheChallengeAndBeatsALyingChallenger() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("opml-defender-empty");
        OpmlAnswer answer = providerRunning(MODEL).answer(text("gone"), 3, 4, nextRequest());
        List<String> lines = new java.util.ArrayList<>();
        OpmlAnswerLog empty = new OpmlAnswerLog(dir.resolve("answers"), 10);
        OpmlDefender defender = new OpmlDefender(as(provider).opml(), Address.parse(provider.getAddress()), empty,
                OpmlDisputeTest::runs, OpmlDisputeTest::chainTime, lines::add, dir.resolve("cursor"));
        Trace lie = answer.trace().withOutput(45, flipLast(answer.trace().outputAt(45)));
        OpmlVerifierClient byChallenger = as(challenger).opml();
        OpmlVerifierClient.Challenged opened = byChallenger.challenge(answer.receipt(), answer.signature(),
                answer.prompt(), answer.output(), lie.root());
        OpmlPlayer liar = new OpmlPlayer(byChallenger, opened.disputeId(), opened.block(), lie, MODEL.weights(), false);
        BigInteger stakeBefore = providerStake();
        for (int round = 0; round < 64 && byChallenger.dispute(opened.disputeId()).phase()
                != OpmlDispute.Phase.RESOLVED; round++) {
            defender.poll();
            if (byChallenger.dispute(opened.disputeId()).phase() != OpmlDispute.Phase.RESOLVED) {
                liar.step();
            }
        }
        assertThat(empty.size()).isZero();
        assertThat(byChallenger.dispute(opened.disputeId()).outcome()).as(lines.toString())
                .isEqualTo(OpmlDispute.Outcome.PROVIDER_WON);
        assertThat(String.join("\n", lines)).contains("read it back from the challenge transaction");
        assertThat(providerStake()).isEqualTo(stakeBefore);
        HyphaContracts admin = as(devnet.account(0));
        admin.hyp().transfer(challenger.getAddress(), Deployer.hyp(600));
        as(challenger).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(500));
    }

    /**
     * More challenges in one block than the defender reads per poll (here 3 against a bound of 2) are all taken up:
     * the block is read alone, so the cursor moves on (review: it stayed on that block, and the rest were lost).
     */
    @Example
    void challengesFillingOneBlockBeyondTheReadBoundAreAllDefended() throws Exception {
        Credentials flooder = devnet.account(5);
        HyphaContracts admin = as(devnet.account(0));
        admin.hyp().transfer(flooder.getAddress(), Deployer.hyp(1_300));
        as(flooder).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        OpmlVerifierClient byFlooder = as(flooder).opml();
        as(flooder).hyp().approve(byFlooder.address().lowercaseHex(), Deployer.hyp(300));
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("opml-defender-flood");
        List<String> lines = new java.util.ArrayList<>();
        OpmlAnswerLog kept = new OpmlAnswerLog(dir.resolve("answers"), 10);
        OpmlDefender defender = new OpmlDefender(as(provider).opml(), Address.parse(provider.getAddress()), kept,
                OpmlDisputeTest::runs, OpmlDisputeTest::chainTime, lines::add, dir.resolve("cursor"), 2);
        defender.poll();
        List<String> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            OpmlAnswer a = providerRunning(MODEL).answer(text("q" + i), 2, i, nextRequest());
            kept.keep(a.receipt().digest(client.chainId(), byFlooder.address()),
                    new OpmlAnswerLog.Kept(a.prompt(), a.output(), i, a.receipt().requestId()));
            Trace lie = a.trace().withOutput(40, flipLast(a.trace().outputAt(40)));
            calls.add(org.web3j.abi.FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("challenge", List.of(
                    a.receipt().abi(), new org.web3j.abi.datatypes.DynamicBytes(a.signature()),
                    new org.web3j.abi.datatypes.DynamicBytes(a.prompt()),
                    new org.web3j.abi.datatypes.DynamicBytes(a.output()),
                    new org.web3j.abi.datatypes.generated.Bytes32(lie.root())), List.of())));
        }
        client.request("evm_setAutomine", false);
        try {
            for (String data : calls) {
                sender(flooder).submit(dev.hypha.chain.tx.TxRequest.call(OpmlVerifierClient.NAME, "challenge",
                        byFlooder.address().lowercaseHex(), data));
            }
            client.request("evm_mine");
        } finally {
            client.request("evm_setAutomine", true);
        }
        defender.poll();
        assertThat(defender.open()).as(lines.toString()).isEqualTo(3);
        travel(byFlooder.moveTimeout() + 1); // the flooder never moves: each dispute ends on time for the provider
        defender.poll();
        assertThat(defender.open()).isZero();
        assertThat(lines.stream().filter(l -> l.contains("resolved: PROVIDER_WON"))).as(lines.toString()).hasSize(3);
    }

    @Example
    void theClientsReceiptDigestIsTheContracts() {
        OpmlAnswer answer = providerRunning(MODEL).answer(text("x"), 1, 9, nextRequest());
        OpmlVerifierClient c = as(challenger).opml();
        assertThat(answer.receipt().digest(client.chainId(), c.address())).isEqualTo(c.receiptDigest(answer.receipt()));
    }

    @Property(tries = 4)
    void anHonestProviderIsNeverCaughtAndBeatsALyingChallenger(@ForAll("prompts") byte[] prompt,
            @ForAll("seeds") long seed, @ForAll("leaves") int lieAt) {
        OpmlAnswer answer = providerRunning(MODEL).answer(prompt, 3, seed, nextRequest());
        OpmlVerifierClient byChallenger = as(challenger).opml();
        assertThat(new OpmlChallenger(byChallenger, MODEL).check(answer)).isInstanceOf(OpmlChallenger.Verdict.Honest.class);

        Trace honest = answer.trace();
        long index = lieAt % (honest.positions() * 32L);
        byte[] was = honest.outputAt(index);
        Trace lie = honest.withOutput(index, was == null ? new byte[] {1} : flipLast(was));
        BigInteger stakeBefore = providerStake();
        OpmlVerifierClient.Challenged opened = byChallenger.challenge(answer.receipt(), answer.signature(),
                answer.prompt(), answer.output(), lie.root());
        OpmlDispute.Outcome o = play(new OpmlPlayer(as(provider).opml(), opened.disputeId(), opened.block(), honest,
                MODEL.weights(), true), new OpmlPlayer(byChallenger, opened.disputeId(), opened.block(), lie,
                MODEL.weights(), false));
        assertThat(o).isEqualTo(OpmlDispute.Outcome.PROVIDER_WON);
        assertThat(providerStake()).isEqualTo(stakeBefore);
        // the lying challenger paid: restake what it lost so the next try can challenge again
        HyphaContracts admin = as(devnet.account(0));
        admin.hyp().transfer(challenger.getAddress(), Deployer.hyp(600));
        as(challenger).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(500));
    }

    private static byte[] flipLast(byte[] b) {
        byte[] c = b.clone();
        c[c.length - 1] ^= 1;
        return c;
    }

    @Provide
    Arbitrary<byte[]> prompts() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<Integer> leaves() {
        return Arbitraries.integers().between(0, 1 << 20);
    }
}

package dev.hypha.node.subnet;

import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.network.Router;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Scores the inference subnet's miners by the quality of paid answers (the first subnet). One {@link #score}
 * is one evaluation round:
 * <ol>
 *   <li>a fresh random seed is written to disk, then its hash committed on chain ({@code SubnetRegistry.commitSeed});</li>
 *   <li>each miner (UID order) with a live offer for the subnet's model is sent {@code prompts} paid requests whose
 *   prompts and sampling seeds derive from the seed and its UID ({@link EvaluationPrompts}), timed by the injected
 *   monotonic clock;</li>
 *   <li>every answer is replayed on the validator's own engine in deterministic mode (the reference) with the same
 *   call; an answer that differs, fails or never comes counts as wrong;</li>
 *   <li>the seed is revealed on chain ({@code revealSeed}), so anyone can re-derive the prompts and check the scores
 *   against the miners' signed receipts;</li>
 *   <li>{@link AnswerScore} turns the measurements into u16 scores: 0 for any wrong answer, else speed × price.</li>
 * </ol>
 * Miners must serve the model in deterministic mode to be replayable bit for bit (greedy sampling makes the text
 * depend only on the arg-max token, but fast-mode arithmetic may still flip a near tie). Known limit: requests come
 * from the validator's payment account, so a miner could still recognise validator traffic by payer (fresh payer
 * accounts per round would hide it; not built).
 */
public final class AnswerQualityScorer implements MinerScorer {
    /** One round as measured (for the log, tests and audits). */
    public record Round(byte[] seed, long commitBlock, List<AnswerScore.Measurement> measurements,
                        Map<Integer, Integer> scores) {}

    /** What to ask: the subnet's model, requests per miner, tokens per answer. */
    public record Settings(String model, int prompts, int maxTokens) {
        public Settings {
            if (model == null || model.isBlank()) throw new IllegalArgumentException("the subnet's model must be named");
            if (prompts < 1 || prompts > 64) throw new IllegalArgumentException("prompts per miner must be 1..64, was " + prompts);
            if (maxTokens < 1 || maxTokens > 4096) throw new IllegalArgumentException("max tokens must be 1..4096, was " + maxTokens);
        }
    }

    private final SubnetsClient subnets;
    private final long netuid;
    private final String self;
    private final OfferSource offers;
    private final Supplier<Instant> chainNow;
    private final AnswerProbe probe;
    private final InferenceBackend reference;
    private final Settings settings;
    private final Path seedFile;
    private final LongSupplier nanoTime;
    private final Consumer<String> log;
    private final SecureRandom random = new SecureRandom();
    private Round last;

    /**
     * @param reference the validator's own engine in deterministic mode, holding the subnet's model
     * @param seedFile where the round's seed waits between its commit and its reveal
     */
    public AnswerQualityScorer(SubnetsClient subnets, long netuid, String self, OfferSource offers,
                               Supplier<Instant> chainNow, AnswerProbe probe, InferenceBackend reference,
                               Settings settings, Path seedFile, LongSupplier nanoTime, Consumer<String> log) {
        this.subnets = subnets;
        this.netuid = netuid;
        this.self = self.toLowerCase(Locale.ROOT);
        this.offers = offers;
        this.chainNow = chainNow;
        this.probe = probe;
        this.reference = reference;
        this.settings = settings;
        this.seedFile = seedFile;
        this.nanoTime = nanoTime;
        this.log = log;
    }

    public synchronized Optional<Round> lastRound() {
        return Optional.ofNullable(last);
    }

    @Override
    public synchronized Map<Integer, Integer> score(List<Member> members) {
        int myUid = subnets.uidOf(netuid, self).orElseThrow(() -> new IllegalStateException(
                self + " holds no UID on subnet " + netuid + ": register before scoring"));
        revealInterrupted(myUid);
        String model = Router.canonical(settings.model());
        if (reference.models().stream().noneMatch(m -> Router.canonical(m.name()).equals(model))) {
            // checked before the commit: without the model no answer can be replayed, so the round would score nobody
            throw new IllegalStateException(settings.model() + " is not in the validator's model store, so its answers "
                    + "cannot be replayed: pull it first (hypha pull " + settings.model() + ")");
        }
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        writeSeed(seed); // on disk before the commit: a commit whose seed is lost could never be revealed
        long commitBlock = subnets.commitSeed(netuid, subnets.seedHash(netuid, self, seed)).getBlockNumber().longValueExact();
        List<AnswerScore.Measurement> round = new ArrayList<>();
        for (Member m : members.stream().sorted(Comparator.comparingInt(Member::uid)).toList()) {
            round.add(measure(seed, m));
        }
        subnets.revealSeed(netuid, seed); // only now may miners learn what was asked
        deleteSeed();
        Map<Integer, Integer> scores = AnswerScore.scores(round);
        for (AnswerScore.Measurement m : round) {
            log.accept("UID " + m.uid() + ": " + (m.price() == null ? "no live offer for " + settings.model()
                    : m.correct() + "/" + m.asked() + " answers match the replay, " + m.latencyMicros() / 1000 + " ms, price "
                    + m.price()) + " -> score " + scores.getOrDefault(m.uid(), 0));
        }
        last = new Round(seed.clone(), commitBlock, List.copyOf(round), Map.copyOf(scores));
        return scores;
    }

    private AnswerScore.Measurement measure(byte[] seed, Member m) {
        Optional<Offer> offer = offerOf(m.account());
        if (offer.isEmpty()) return new AnswerScore.Measurement(m.uid(), 0, 0, 0, null);
        BigInteger price = offer.get().inputPerMillion().add(offer.get().outputPerMillion());
        int correct = 0;
        long micros = 0;
        for (int k = 0; k < settings.prompts(); k++) {
            GenerateCall call = call(seed, m.uid(), k);
            long start = nanoTime.getAsLong();
            String answer;
            try {
                answer = probe.ask(offer.get(), call);
            } catch (RuntimeException e) {
                log.accept("UID " + m.uid() + " request " + k + " failed: " + e.getMessage());
                answer = null;
            }
            micros += Math.max(0, (nanoTime.getAsLong() - start) / 1000);
            if (answer != null && answer.equals(reference.generate(call, TextSink.DISCARD).text())) correct++;
        }
        return new AnswerScore.Measurement(m.uid(), settings.prompts(), correct, micros, price);
    }

    /** The evaluation request {@code k} for {@code uid}: greedy, with the derived prompt and sampling seed. */
    GenerateCall call(byte[] seed, int uid, int k) {
        SamplingOptions sampling = SamplingOptions.defaults().withTemperature(0)
                .withSeed(EvaluationPrompts.samplingSeed(seed, uid, k));
        return new GenerateCall(settings.model(), new Prompt.Chat(List.of(new Prompt.Message("user",
                EvaluationPrompts.prompt(seed, uid, k)))), sampling, settings.maxTokens(), List.of(), OptionalInt.empty(),
                KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }

    /** The miner's cheapest live offer for the subnet's model (ties: the first listed). */
    private Optional<Offer> offerOf(String account) {
        Instant now = chainNow.get();
        String model = Router.canonical(settings.model());
        return offers.offers().stream()
                .filter(o -> o.provider().lowercaseHex().equals(account.toLowerCase(Locale.ROOT)))
                .filter(o -> o.liveAt(now) && Router.canonical(o.model()).equals(model))
                .min(Comparator.comparing(o -> o.inputPerMillion().add(o.outputPerMillion())));
    }

    /** A seed left on disk by a crash between commit and reveal is revealed when it is still the pending one. */
    private void revealInterrupted(int myUid) {
        if (!Files.isRegularFile(seedFile)) return;
        byte[] seed = readSeed();
        byte[] pending = subnets.seedCommit(netuid, myUid).hash;
        if (Arrays.equals(pending, subnets.seedHash(netuid, self, seed))) {
            subnets.revealSeed(netuid, seed);
            log.accept("revealed the seed of an interrupted evaluation round");
        }
        deleteSeed();
    }

    private void writeSeed(byte[] seed) {
        try {
            Files.createDirectories(seedFile.toAbsolutePath().getParent());
            Path tmp = seedFile.resolveSibling(seedFile.getFileName() + ".tmp");
            Files.writeString(tmp, HexFormat.of().formatHex(seed) + "\n");
            Files.move(tmp, seedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + seedFile, e);
        }
    }

    private byte[] readSeed() {
        try {
            byte[] seed = HexFormat.of().parseHex(Files.readString(seedFile).strip());
            if (seed.length != 32) throw new IllegalStateException(seedFile + " holds " + seed.length + " bytes, not a 32-byte seed");
            return seed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + seedFile, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(seedFile + " is not a hex seed: " + e.getMessage(), e);
        }
    }

    private void deleteSeed() {
        try {
            Files.deleteIfExists(seedFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + seedFile, e);
        }
    }
}

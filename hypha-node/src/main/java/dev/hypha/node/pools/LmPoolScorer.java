package dev.hypha.node.pools;

import dev.hypha.chain.assets.PoolContribution;
import dev.hypha.chain.deploy.DataPoolsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.data.FinetuneData;
import dev.hypha.ml.train.run.LmContributionScores;
import dev.hypha.ml.train.run.LoraFinetune;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.web3j.crypto.Credentials;

/**
 * A language-model data pool's validator at work (issue 13): the pool's contributions are text (one sealed file each,
 * documents separated by blank lines, as a {@code data_format = "text"} LoRA job reads them); each is tokenized with the
 * base model's tokenizer, and a LoRA fine-tune of the base is trained on them all and without each one
 * ({@link LmContributionScores#leaveOneOut}); the held-out loss each saves becomes its on-chain score. The pool's kind
 * is the probe's: {@code hypha data pool score} takes this scorer for a {@code kind = "lora-finetune"} spec and
 * {@link PoolScorer} for a classifier spec, over the same pools, grants and phases ({@link PoolContributions}).
 *
 * <p>Bounded as the classifier scorer is ({@link PoolScorer.Limits}: contributions trained on, examined; its sample
 * limit counts tokens here, shared out by {@link PoolScorer#sampleCap}), and, as there, each contribution counts for at
 * most the median contribution's tokens (its first ones; {@link PoolContributions#cutToShares}), so a large one cannot
 * outweigh the others, and never less than one step's tokens ({@link #floor}), so tiny ones cannot cut the others down. Unreadable contributions are left out, unscored, with the reason, before any limit counts them.
 */
public final class LmPoolScorer {
    /** Tokens trained on per pool at most (the runs' cost is their steps; this bounds memory). */
    public static final int MAX_TOKENS = 4 << 20;
    /** The limits {@code hypha data pool score} runs an LM probe with. */
    public static final PoolScorer.Limits LIMITS = new PoolScorer.Limits(PoolScorer.MAX_CONTRIBUTIONS,
            PoolScorer.MAX_EXAMINED, MAX_TOKENS);
    /** On-chain score units per nat of held-out loss saved (1e-5 nats each; DataPools' maximum is 10 nats). */
    public static final long UNITS_PER_NAT = 100_000;

    /**
     * A contribution's result.
     *
     * @param lossWithout held-out loss (nats per token) of the fine-tune trained without it
     * @param lossSaved   what it saves: lossWithout − the loss with every contribution (negative: better without it)
     * @param score       what is posted on chain: {@link #onChainScore}
     */
    public record Scored(PoolScorer.Entry entry, double lossWithout, double lossSaved, long score) {}

    /** What one scoring pass found: the base's held-out loss, the fine-tune's with every contribution, each one's. */
    public record Report(long poolId, double baseLoss, double lossWithAll, List<Scored> scored,
                         List<PoolScorer.Skipped> skipped, int unexamined) {
        public Report {
            scored = List.copyOf(scored);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * The probe: the base model (frozen; its tokenizer and chat template read the text), the LoRA run's options, and the
     * held-out text's tokens with how many of its first windows the loss is measured on.
     */
    public record Probe(Decoder base, Tokenizer tokenizer, ChatTemplate template, LoraFinetune.Options options,
                        int[] heldOut, int evalWindows) {
        public Probe {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(tokenizer, "tokenizer");
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(options, "options");
            heldOut = heldOut.clone();
        }
    }

    /** Token streams as {@link PoolContributions} counts and cuts them: each stream's first tokens. */
    static final PoolContributions.Samples<int[]> TOKENS = new PoolContributions.Samples<>() {
        @Override
        public int count(int[] tokens) {
            return tokens.length;
        }

        @Override
        public int[] head(int[] tokens, int n) {
            return Arrays.copyOf(tokens, n);
        }
    };

    private final PoolContributions access;
    private final PoolScorer.Limits limits;

    public LmPoolScorer(Path home, HyphaContracts contracts, Credentials key, List<URI> from, LongSupplier chainTime,
                        PoolScorer.Limits limits) {
        this.access = new PoolContributions(home, contracts, key, from, chainTime);
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The score posted: held-out loss saved in {@link #UNITS_PER_NAT}ths of a nat, clamped; no saving scores 0. */
    public static long onChainScore(double lossSaved) {
        if (Double.isNaN(lossSaved) || lossSaved <= 0) {
            return 0;
        }
        return Math.min(DataPoolsClient.MAX_SCORE, Math.round(lossSaved * UNITS_PER_NAT));
    }

    /**
     * The floor of a text pool's median cap ({@link PoolScorer#medianCap}): what one step of the probe reads, its batch
     * of windows of {@code sequence_length + 1} tokens. The same rule as an image pool's one batch of images; one
     * window alone would be the least a run can train on at all, and would let one-window contributions pull every
     * honest one down to a single window.
     */
    public static int floor(LoraFinetune.Options options) {
        return (int) Math.min(Integer.MAX_VALUE, (long) options.batch() * (options.sequenceLength() + 1L));
    }

    public void requireMayScore(long poolId) {
        access.requireMayScore(poolId);
    }

    /** Reads the pool's text contributions and scores them (nothing is posted: see {@link #post}). */
    public Report score(long poolId, Probe probe, FloatMatMul gemm, Consumer<String> log) {
        Address me = access.me();
        requireMayScore(poolId);
        PoolContributions.Read<int[]> pass = access.read(poolId, limits, (asset, id) -> tokens(asset, id, probe), TOKENS,
                floor(probe.options()), log);
        List<PoolContribution> readable = pass.contributions();
        List<int[]> streams = pass.data();
        log.accept("fine-tuning " + (readable.size() + 1) + " LoRA adapters of " + probe.options().steps() + " steps ("
                + readable.size() + " contributions, leave one out)");
        LmContributionScores.Result r;
        try {
            r = LmContributionScores.leaveOneOut(probe.base(), probe.options(), streams, probe.heldOut(),
                    probe.evalWindows(), gemm);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("the probe cannot fine-tune on pool #" + poolId + ": " + e.getMessage());
        }
        List<Scored> scored = new ArrayList<>();
        for (LmContributionScores.Score s : r.scores()) {
            PoolContribution c = readable.get(s.contribution());
            PoolScorer.Entry entry = new PoolScorer.Entry(c.id(), c.contributor(), pass.assets().get(s.contribution()),
                    s.tokens(), c.contributor().equals(me));
            scored.add(new Scored(entry, s.lossWithout(), s.score(), onChainScore(s.score())));
        }
        return new Report(poolId, r.baseLoss(), r.lossWithAll(), scored, pass.skipped(), pass.unexamined());
    }

    /** Posts the scores as this validator (a rescore replaces its earlier one); its own contributions are not posted. */
    public List<Scored> post(Report report, Consumer<String> log) {
        List<Scored> posted = new ArrayList<>();
        for (Scored s : report.scored()) {
            if (s.entry().own()) {
                log.accept("contribution #" + s.entry().contributionId() + " is this validator's own: not scored by it");
                continue;
            }
            access.contracts().pools().score(s.entry().contributionId(), s.score());
            posted.add(s);
        }
        return List.copyOf(posted);
    }

    /** The contribution's text as the base's tokens: one file, read as a {@code data_format = "text"} job reads it. */
    private int[] tokens(long asset, long contributionId, Probe probe) {
        return access.read(asset, "contribution-" + contributionId + ".txt", file -> {
            if (!Files.isRegularFile(file)) {
                throw HyphaException.input("dataset #" + asset + " is a folder; a language-model pool's contribution is one "
                        + "text file (documents separated by blank lines), added with `hypha data add FILE`");
            }
            try {
                return FinetuneData.read(file, probe.tokenizer(), probe.template()).stream();
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw HyphaException.input("dataset #" + asset + ": " + e.getMessage());
            }
        });
    }
}

package dev.hypha.node.pools;

import dev.hypha.chain.assets.PoolContribution;
import dev.hypha.chain.deploy.DataPoolsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.ContributionScores;
import dev.hypha.ml.train.run.TrainSpec;
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
 * A data pool's validator at work (issue 13): reads every contribution of the pool that was granted to it (each a sealed
 * dataset folder of Fashion-MNIST-shaped IDX files), trains the spec on the whole pool and on the pool without each
 * contribution ({@link ContributionScores#leaveOneGroupOut}), and turns the held-out accuracy each contribution adds
 * into its on-chain score. The plaintext lives only in a scratch folder for the reading and is deleted after it.
 *
 * <p>A contribution the validator cannot read (no grant, not a dataset registered by its contributor, not image data
 * of the held-out set's shape) is left out of the training and left unscored, with the reason: withholding the data
 * earns nothing. Contributing is free, so no contribution may stop the others from being scored: unreadable ones are
 * left out before any limit counts them; of the readable ones the first {@link Limits#contributions} in contribution
 * order are trained on and the later ones left unscored with the reason; each contribution counts for at most the
 * median contribution's size, never cut below one batch ({@link #medianCap}), and the sample limit is shared by {@link #sampleCap} (each
 * contribution's first images), so one huge contribution can neither crowd out nor outweigh the others.
 *
 * <p>A language-model pool (text contributions, a LoRA probe) is scored by {@link LmPoolScorer}; both reach the
 * contributions through {@link PoolContributions}.
 */
public final class PoolScorer {
    /** Contributions trained on per pool at most (each costs a training per repeat). */
    public static final int MAX_CONTRIBUTIONS = 64;
    /**
     * Contributions examined per pool at most (a few chain reads each, a fetch for those that resolve to a granted
     * dataset): contributing is free, so a flooded pool must not make the scorer's work unbounded.
     */
    public static final int MAX_EXAMINED = 1_024;
    /** Plaintext bytes accepted per contribution. */
    public static final long MAX_CONTRIBUTION_BYTES = PoolContributions.MAX_CONTRIBUTION_BYTES;
    /** Samples in the whole pool at most (bounds memory and training time), shared by the contributions trained on. */
    public static final int MAX_SAMPLES = 60_000;

    /**
     * How much of a pool one scoring pass takes on.
     *
     * @param contributions readable contributions trained on at most (the first ones in contribution order)
     * @param examined      contributions examined at most (readable or not, in contribution order)
     * @param samples       images trained on at most, shared out by {@link #sampleCap}
     */
    public record Limits(int contributions, int examined, int samples) {
        /** The limits {@code hypha data pool score} runs with. */
        public static final Limits DEFAULT = new Limits(MAX_CONTRIBUTIONS, MAX_EXAMINED, MAX_SAMPLES);

        public Limits {
            if (contributions < 2 || examined < contributions || samples < contributions) {
                throw new IllegalArgumentException("limits need 2 <= contributions <= examined, samples >= contributions, were "
                        + contributions + ", " + examined + ", " + samples);
            }
        }
    }

    /** A contribution that was read: its dataset asset and how many of its images were trained on (its first ones). */
    public record Entry(long contributionId, Address contributor, long assetId, int samples, boolean own) {}

    /** A contribution left out, and why. */
    public record Skipped(long contributionId, Address contributor, String reason) {}

    /**
     * A contribution's result.
     *
     * @param accuracyLost held-out accuracy (0..1) the model loses without it, averaged over repeats (negative: the
     *     model is better without it)
     * @param score        what is posted on chain: {@link #onChainScore}
     */
    public record Scored(Entry entry, double accuracyWithout, double accuracyLost, long score) {}

    /**
     * What one scoring pass found.
     *
     * @param unexamined contributions past {@link Limits#examined} (not looked at, so not in {@code skipped})
     */
    public record Report(long poolId, double accuracyWithAll, List<Scored> scored, List<Skipped> skipped, int unexamined) {
        public Report {
            scored = List.copyOf(scored);
            skipped = List.copyOf(skipped);
        }
    }

    private final PoolContributions access;
    private final HyphaContracts contracts;
    private final Limits limits;

    /**
     * @param home      the validator's home (its content store holds ciphertext it already fetched; scratch space)
     * @param contracts the contracts as the validator's account
     * @param from      trustless gateways serving the contributions' ciphertext (tried in order), when not stored here
     * @param chainTime the latest block's timestamp (the pool's phases are in chain time)
     */
    public PoolScorer(Path home, HyphaContracts contracts, Credentials key, List<URI> from, LongSupplier chainTime) {
        this(home, contracts, key, from, chainTime, Limits.DEFAULT);
    }

    /** As above, with other limits (tests use small ones to exercise them with small pools). */
    public PoolScorer(Path home, HyphaContracts contracts, Credentials key, List<URI> from, LongSupplier chainTime,
                      Limits limits) {
        this.access = new PoolContributions(home, contracts, key, from, chainTime);
        this.contracts = contracts;
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * The score posted for a contribution: the held-out accuracy it adds in millionths (1.6 points = 16 000), clamped
     * to DataPools' range; data that makes the model worse scores 0, so it earns nothing.
     */
    public static long onChainScore(double accuracyLost) {
        if (Double.isNaN(accuracyLost) || accuracyLost <= 0) {
            return 0;
        }
        return Math.min(DataPoolsClient.MAX_SCORE, Math.round(accuracyLost * 1_000_000));
    }

    /**
     * Reads the pool's contributions and scores them (nothing is posted: see {@link #post}).
     *
     * @param spec       the model trained on the pool (its steps, batch, layers, optimizer and seed; its dataset is not
     *     used: the pool is the training data)
     * @param validation held-out images the accuracy is measured on
     * @param repeats    trainings per variant, 1 to 16 (averaged)
     * @param log        one line per step, for the user
     */
    public Report score(long poolId, TrainSpec spec, ImageSplit validation, int repeats, FloatMatMul gemm,
                        Consumer<String> log) {
        Address me = access.me();
        requireMayScore(poolId);
        if (repeats < 1 || repeats > 16) {
            throw HyphaException.input("--repeats must be 1 to 16, was " + repeats);
        }
        // Every contribution kept so far is cut to the share of the current set: the share only shrinks as contributions
        // are added, so what is kept always covers the final share, and at most the sample limit (plus the one just
        // read) is held in memory; at the end, to the median contribution's size too, never below one batch
        // (PoolContributions.cutToShares): so no contribution is cut below the batch, and the pool holds at least one
        // batch unless every contribution is smaller than a batch.
        PoolContributions.Read<ImageSplit> pass = access.read(poolId, limits, (asset, id) -> {
            ImageSplit split = read(asset, id);
            if (split.height() != validation.height() || split.width() != validation.width()
                    || split.classes() != validation.classes()) {
                throw HyphaException.input("its " + split.height() + "x" + split.width() + " images in "
                        + split.classes() + " classes are not the held-out set's " + validation.height() + "x"
                        + validation.width() + " in " + validation.classes());
            }
            return split;
        }, IMAGES, floor(spec), log);
        List<ImageSplit> splits = pass.data();
        List<Skipped> skipped = pass.skipped();
        int unexamined = pass.unexamined();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < splits.size(); i++) {
            PoolContribution c = pass.contributions().get(i);
            entries.add(new Entry(c.id(), c.contributor(), pass.assets().get(i), splits.get(i).count(),
                    c.contributor().equals(me)));
        }
        ImageSplit pool = concat("pool #" + poolId, splits);
        int[] groupOf = new int[pool.count()];
        int k = 0;
        for (int g = 0; g < splits.size(); g++) {
            for (int i = 0; i < splits.get(g).count(); i++) {
                groupOf[k++] = g;
            }
        }
        if (pool.count() < spec.batch()) {
            throw HyphaException.input("pool #" + poolId + " holds " + pool.count() + " images, fewer than the spec's batch of "
                    + spec.batch());
        }
        log.accept("training " + (entries.size() + 1) * repeats + " models of " + spec.steps() + " steps on "
                + pool.count() + " images (" + entries.size() + " contributions, leave one out, " + repeats + " repeat(s))");
        ContributionScores.Result r;
        try {
            r = ContributionScores.leaveOneGroupOut(spec, pool, groupOf, entries.size(), validation, repeats, gemm);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("spec '" + spec.name() + "' cannot train on pool #" + poolId + "'s "
                    + pool.height() + "x" + pool.width() + " images: " + e.getMessage());
        }
        List<Scored> scored = new ArrayList<>();
        for (ContributionScores.Score s : r.scores()) {
            scored.add(new Scored(entries.get(s.group()), s.accuracyWithout(), s.score(), onChainScore(s.score())));
        }
        return new Report(poolId, r.accuracyWithAll(), scored, skipped, unexamined);
    }

    /**
     * Posts the report's scores as this validator (a rescore replaces its earlier one, so running again after a crash
     * is safe); its own contributions are not posted (the contract refuses them). Returns what was posted.
     */
    public List<Scored> post(Report report, Consumer<String> log) {
        List<Scored> posted = new ArrayList<>();
        for (Scored s : report.scored()) {
            if (s.entry().own()) {
                log.accept("contribution #" + s.entry().contributionId() + " is this validator's own: not scored by it");
                continue;
            }
            contracts.pools().score(s.entry().contributionId(), s.score());
            posted.add(s);
        }
        return List.copyOf(posted);
    }

    /**
     * Refuses, naming why, unless this account is a validator of the pool and the pool is in its scoring phase (after
     * contributions closed: leaving one out needs the whole pool).
     */
    public void requireMayScore(long poolId) {
        access.requireMayScore(poolId);
    }

    /** Opens the contribution into a scratch folder and reads its images (the plaintext is deleted after). */
    private ImageSplit read(long asset, long contributionId) {
        return access.read(asset, "contribution-" + contributionId, folder -> {
            if (!Files.isDirectory(folder)) {
                throw HyphaException.input("dataset #" + asset + " is a single file; a pool contribution is a folder with "
                        + "train-images-idx3-ubyte and train-labels-idx1-ubyte (gzipped or not), added with `hypha data add DIR`");
            }
            try {
                return DatasetStore.readSplit(folder, "train");
            } catch (HyphaException e) {
                throw HyphaException.input("dataset #" + asset + ": " + e.getMessage());
            }
        });
    }

    /**
     * The most images each contribution may give so that all of them together give at most {@code budget}: the
     * largest integer cap with sum(min(count, cap)) <= budget (max-min fair: a contribution under the cap gives all it
     * has and leaves the rest of its share to the larger ones), or {@link Integer#MAX_VALUE} when everything fits.
     * Depends only on the counts, not on their order, so no contribution crowds out another by coming first.
     */
    public static int sampleCap(int[] counts, int budget) {
        int[] sorted = counts.clone();
        Arrays.sort(sorted);
        long remaining = budget;
        for (int i = 0; i < sorted.length; i++) {
            long share = remaining / (sorted.length - i);
            if (sorted[i] > share) {
                return (int) share;
            }
            remaining -= sorted[i];
        }
        return Integer.MAX_VALUE;
    }

    /**
     * The most samples each contribution may count for in a leave-one-out pass: the upper median of the sizes of the
     * contributions holding at least {@code floor} samples, and never less than {@code floor} ({@code floor} when none
     * holds that many). One large contribution cannot outweigh the others whatever the pool's size, no single small one
     * can shrink the rest, and contributions below the floor (each scored on all it has) do not take part: contributing
     * is free, so without the floor k honest contributions and k + 1 one-sample ones would cut every honest one to one
     * sample. Depends only on the counts, not on their order. Why the median and the floor:
     * {@link PoolContributions#cutToShares}.
     *
     * @param floor what one training step reads (at least 1): {@link #floor} for images, {@link LmPoolScorer#floor}
     *     for text
     */
    public static int medianCap(int[] counts, int floor) {
        if (floor < 1) {
            throw new IllegalArgumentException("the median cap's floor must be at least 1, was " + floor);
        }
        int[] sorted = Arrays.stream(counts).filter(n -> n >= floor).sorted().toArray();
        return sorted.length == 0 ? floor : sorted[sorted.length / 2];
    }

    /** The floor of an image pool's median cap: one training step's batch of images ({@link #medianCap}). */
    public static int floor(TrainSpec spec) {
        return spec.batch();
    }

    /** Images as {@link PoolContributions} counts and cuts them: each split's first images. */
    static final PoolContributions.Samples<ImageSplit> IMAGES = new PoolContributions.Samples<>() {
        @Override
        public int count(ImageSplit split) {
            return split.count();
        }

        @Override
        public ImageSplit head(ImageSplit split, int n) {
            return split.head(n);
        }
    };

    static ImageSplit concat(String name, List<ImageSplit> splits) {
        ImageSplit first = splits.getFirst();
        int count = 0;
        for (ImageSplit s : splits) {
            if (s.height() != first.height() || s.width() != first.width() || s.classes() != first.classes()) {
                throw HyphaException.input("contributions differ in shape: " + s.height() + "x" + s.width() + " and "
                        + first.height() + "x" + first.width());
            }
            count = Math.addExact(count, s.count());
        }
        int size = first.height() * first.width();
        byte[] pixels = new byte[Math.multiplyExact(count, size)];
        byte[] labels = new byte[count];
        int at = 0;
        for (ImageSplit s : splits) {
            System.arraycopy(s.pixels(), 0, pixels, at * size, s.count() * size);
            System.arraycopy(s.labels(), 0, labels, at, s.count());
            at += s.count();
        }
        return new ImageSplit(name, count, first.height(), first.width(), first.classes(), pixels, labels);
    }
}

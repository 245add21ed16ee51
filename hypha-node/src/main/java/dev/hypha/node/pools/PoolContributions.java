package dev.hypha.node.pools;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.assets.PoolContribution;
import dev.hypha.chain.deploy.DataPoolsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.DataKey;
import dev.hypha.core.seal.RecipientKey;
import dev.hypha.node.data.DataReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.web3j.crypto.Credentials;

/**
 * A validator's access to a pool's contributions, whatever the pool's data is (images for {@link PoolScorer}, text for
 * {@link LmPoolScorer}): whether it may score now, which registered dataset a contribution is, and its plaintext opened
 * into a scratch path for one parse and deleted after it, so the plaintext never outlives the reading.
 */
final class PoolContributions {
    /** Plaintext bytes accepted per contribution. */
    static final long MAX_CONTRIBUTION_BYTES = 64L << 20;

    private final Path scratch;
    private final HyphaContracts contracts;
    private final Credentials key;
    private final DataReader reader;
    private final List<URI> from;
    private final LongSupplier chainTime;

    PoolContributions(Path home, HyphaContracts contracts, Credentials key, List<URI> from, LongSupplier chainTime) {
        this.scratch = home.resolve("pools").resolve("scratch");
        this.contracts = Objects.requireNonNull(contracts, "contracts");
        this.key = Objects.requireNonNull(key, "key");
        this.reader = new DataReader(home, contracts);
        this.from = List.copyOf(from);
        this.chainTime = Objects.requireNonNull(chainTime, "chainTime");
    }

    Address me() {
        return Address.parse(key.getAddress());
    }

    HyphaContracts contracts() {
        return contracts;
    }

    /**
     * Refuses, naming why, unless this account is a validator of the pool and the pool is in its scoring phase (after
     * contributions closed: leaving one out needs the whole pool).
     */
    void requireMayScore(long poolId) {
        DataPoolsClient pools = contracts.pools();
        DataPool pool = pools.pool(poolId);
        Address me = me();
        if (!pools.isValidator(poolId, me)) {
            throw HyphaException.input("account " + me.toChecksumString() + " is not a validator of pool #" + poolId
                    + ": its owner " + pool.owner().toChecksumString() + " names validators with `hypha data pool "
                    + "validator " + poolId + " ACCOUNT`" + (pool.minValidatorStake().signum() > 0
                    ? ", or stake at least " + pool.minValidatorStake() + " as a VALIDATOR" : ""));
        }
        long now = chainTime.getAsLong();
        if (now <= pool.contributionsEnd()) {
            throw HyphaException.input("pool #" + poolId + " takes contributions until " + pool.contributionsEnd()
                    + " (chain time now " + now + "): score it after that, until " + pool.scoringEnd());
        }
        if (now > pool.scoringEnd()) {
            throw HyphaException.input("pool #" + poolId + "'s scoring ended at " + pool.scoringEnd() + " (chain time now "
                    + now + "): its contributors can claim now");
        }
    }

    /** What one scoring pass read: the readable contributions in order, their assets and data; the ones left out. */
    record Read<T>(List<PoolContribution> contributions, List<Long> assets, List<T> data, List<PoolScorer.Skipped> skipped,
                   int unexamined) {}

    /** Opens one contribution's data (asset {@code asset}) as a scorer needs it; a HyphaException leaves it out. */
    @FunctionalInterface
    interface Opener<T> {
        T open(long asset, long contributionId);
    }

    /** How a scorer's data is counted and cut: its samples (images, tokens), and a copy keeping its first {@code n}. */
    interface Samples<T> {
        int count(T data);

        T head(T data, int n);
    }

    /**
     * Reads pool {@code poolId}'s contributions for a scoring pass, whatever its data. Contributing is free and takes any
     * content id, so nothing a contributor adds may stop the others from being scored: what cannot be read is left out
     * (with the reason) before any limit counts it, the first {@code limits.examined()} are examined and the first
     * {@code limits.contributions()} readable ones read; past the limits the later ones are left out, never the pool.
     * After each read the data kept so far is cut to the current fair share of the sample limit (it only shrinks as
     * more are read, so memory stays bounded); after the last, to the median contribution's size too, never below
     * {@code floor} samples ({@link #cutToShares}). Refuses a pool with fewer than 2 readable contributions.
     */
    <T> Read<T> read(long poolId, PoolScorer.Limits limits, Opener<T> opener, Samples<T> samples, int floor,
                     Consumer<String> log) {
        DataPoolsClient pools = contracts.pools();
        List<Long> all = pools.contributionIds(poolId, limits.examined() + 1);
        List<Long> ids = all.subList(0, Math.min(all.size(), limits.examined()));
        int unexamined = all.size() - ids.size();
        if (unexamined > 0) {
            log.accept("pool #" + poolId + " holds more than " + limits.examined() + " contributions: the later ones are"
                    + " not examined");
        }
        List<PoolContribution> readable = new ArrayList<>();
        List<Long> assets = new ArrayList<>();
        List<T> data = new ArrayList<>();
        List<PoolScorer.Skipped> skipped = new ArrayList<>();
        for (long id : ids) {
            PoolContribution c = pools.contribution(id);
            if (readable.size() >= limits.contributions()) {
                skipped.add(new PoolScorer.Skipped(id, c.contributor(), "not read: this scorer trains on the first "
                        + limits.contributions() + " readable contributions in contribution order, and they came before it"));
                continue;
            }
            try {
                long asset = datasetOf(c);
                log.accept("reading contribution #" + id + " (dataset #" + asset + " of " + c.contributor().toChecksumString()
                        + ")");
                data.add(opener.open(asset, id));
                readable.add(c);
                assets.add(asset);
                cut(data, PoolScorer.sampleCap(counts(data, samples), limits.samples()), samples);
            } catch (HyphaException e) {
                log.accept("left out contribution #" + id + ": " + e.getMessage());
                skipped.add(new PoolScorer.Skipped(id, c.contributor(), e.getMessage()));
            }
        }
        if (readable.size() < 2) {
            throw HyphaException.input("pool #" + poolId + " has " + readable.size() + " contribution(s) this account can read"
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " left out: " + skipped.getFirst().reason() + ")")
                    + "; scoring by leaving one out needs at least 2");
        }
        cutToShares(data, limits.samples(), samples, floor);
        return new Read<>(List.copyOf(readable), List.copyOf(assets), data, List.copyOf(skipped), unexamined);
    }

    /**
     * Cuts every contribution to what it may count for in a leave-one-out pass: at most the median contribution's size
     * but never below {@code floor} ({@link PoolScorer#medianCap}), and at most its fair share of {@code budget}
     * ({@link PoolScorer#sampleCap}), keeping its first samples (so the cut is deterministic: every validator that read
     * the same contributions trains on the same data).
     *
     * <p>Why the median: the probe trains a fixed number of steps on windows drawn from all the data, so a contribution
     * weighs in proportion to its size. Without a cap one large contribution (noise, say) makes up most of every run,
     * and whether a small honest one is in or out then moves the held-out loss less than the run's own sampling does:
     * found by hand, 514 tokens of noise beside 183 and 182 of honest text scored the first honest one 0. Cut to the
     * median, each contribution weighs about the same and is scored on what its text is worth, not on its size. The
     * median (the upper one, of the sizes) and not the smallest size or the budget / count: a single tiny contribution
     * cannot shrink the others (it is never the upper median of 2 or more), a single huge one is cut to a typical size,
     * and a pool below the sample limit is capped too. Weighting the sampling instead would need a change to the
     * training run itself, and would repeat a small contribution's windows many times over.
     *
     * <p>Why the floor (one training step's samples: {@link PoolScorer#floor}, {@link LmPoolScorer#floor}):
     * contributing is free, so k honest contributions and k + 1 one-sample ones would otherwise set the median to 1,
     * cut every honest one to one sample and leave an image pool smaller than one batch, which cannot be trained on at
     * all. Contributions below the floor are scored on all they have but take no part in the median, so adding any
     * number of them never moves the cap, and no honest contribution is cut below one step's data.
     */
    static <T> void cutToShares(List<T> data, int budget, Samples<T> samples, int floor) {
        int[] counts = counts(data, samples);
        cut(data, Math.min(PoolScorer.medianCap(counts, floor), PoolScorer.sampleCap(counts, budget)), samples);
    }

    private static <T> int[] counts(List<T> data, Samples<T> samples) {
        return data.stream().mapToInt(samples::count).toArray();
    }

    private static <T> void cut(List<T> data, int cap, Samples<T> samples) {
        data.replaceAll(d -> samples.count(d) > cap ? samples.head(d, cap) : d);
    }

    /** The dataset asset the contributor registered with the contribution's content id. */
    long datasetOf(PoolContribution c) {
        long asset = contracts.assets().assetByContent(c.contentId(), c.contributor());
        if (asset == 0) {
            throw HyphaException.input("its contributor registered no asset with its content id (contribute with "
                    + "`hypha data pool contribute POOL DATASET`)");
        }
        AssetRecord record = contracts.assets().asset(asset);
        if (record.kind() != AssetKind.DATASET) {
            throw HyphaException.input("asset #" + asset + " is a " + record.kind() + ", not a dataset");
        }
        return asset;
    }

    /**
     * Opens the contribution's plaintext at a scratch path named {@code name} (a folder for a folder dataset, else a
     * file), hands it to {@code parse}, and deletes it whatever happens.
     */
    <T> T read(long asset, String name, Function<Path, T> parse) {
        Path opened = scratch.resolve(name);
        deleteTree(opened);
        try {
            DataKey dataKey = reader.accountKey(asset, me(), RecipientKey.ofAccount(key.getEcKeyPair().getPrivateKey()));
            open(asset, dataKey, opened);
            return parse.apply(opened);
        } finally {
            deleteTree(opened);
        }
    }

    /** Opens from the local store or the first gateway that serves it whole. */
    private void open(long asset, DataKey dataKey, Path out) {
        if (from.isEmpty()) {
            reader.open(asset, dataKey, Optional.empty(), out, (done, size) -> { }, MAX_CONTRIBUTION_BYTES);
            return;
        }
        HyphaException last = null;
        for (URI gateway : from) {
            try {
                reader.open(asset, dataKey, Optional.of(gateway), out, (done, size) -> { }, MAX_CONTRIBUTION_BYTES);
                return;
            } catch (HyphaException e) {
                last = e;
                deleteTree(out);
            }
        }
        throw last;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the scratch folder " + dir, e);
        }
    }
}

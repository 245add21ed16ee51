package dev.hypha.node.pools;

import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.assets.PoolContribution;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A pool's contributions as its contributors see them: each one's mean score, its share of the pool's rewards (score /
 * total score, the contract's rule) in basis points, what that share of the deposits comes to, and what it can claim now.
 */
public final class PoolShares {
    /** Contributions listed per pool at most. */
    public static final int MAX_LISTED = 1_000;

    /**
     * One contribution's standing.
     *
     * @param assetId   the dataset its contributor registered with its content id, or 0 when none
     * @param shareBps  its share of the rewards in basis points, rounded down (0 while the pool has no score)
     * @param entitled  floor(deposited × score / total score): what it earns of the deposits so far
     * @param claimable what a claim pays now (0 before scoring ends)
     */
    public record Share(PoolContribution contribution, long assetId, long shareBps, BigInteger entitled,
                        BigInteger claimable) {}

    /** The pool and its contributions (oldest first), and whether more exist than were listed. */
    public record View(DataPool pool, List<Share> shares, boolean truncated) {}

    private PoolShares() {}

    public static View of(HyphaContracts contracts, long poolId, long chainTime) {
        DataPool pool = contracts.pools().pool(poolId);
        List<Long> ids = contracts.pools().contributionIds(poolId, MAX_LISTED + 1);
        List<Share> shares = new ArrayList<>();
        for (long id : ids.subList(0, Math.min(ids.size(), MAX_LISTED))) {
            PoolContribution c = contracts.pools().contribution(id);
            BigInteger score = BigInteger.valueOf(c.score());
            long bps = pool.totalScore().signum() == 0 ? 0
                    : score.multiply(BigInteger.valueOf(10_000)).divide(pool.totalScore()).longValueExact();
            BigInteger entitled = pool.totalScore().signum() == 0 ? BigInteger.ZERO
                    : pool.deposited().multiply(score).divide(pool.totalScore());
            BigInteger claimable = chainTime > pool.scoringEnd() ? contracts.pools().claimable(id) : BigInteger.ZERO;
            shares.add(new Share(c, contracts.assets().assetByContent(c.contentId(), c.contributor()), bps, entitled,
                    claimable));
        }
        return new View(pool, List.copyOf(shares), ids.size() > MAX_LISTED);
    }

    /**
     * Lineage edges that give a pool's scored datasets {@code totalBps} of a model's revenue in all, split by their final
     * scores: each gets floor(totalBps × score / Σ scores) of the (at most {@code maxParents}) best scored, ties to the
     * older contribution; the rounding remainder stays with the model's owner. Only after scoring ended (lineage never
     * changes, scores could until then) and only datasets registered by their contributors.
     */
    public static List<LineageEdge> lineage(View view, long chainTime, int totalBps, int maxParents) {
        DataPool pool = view.pool();
        if (totalBps < 1 || totalBps > 10_000) {
            throw HyphaException.input("the pool's share must be 1 to 10000 basis points, was " + totalBps);
        }
        if (chainTime <= pool.scoringEnd()) {
            throw HyphaException.input("pool #" + pool.id() + " is scored until chain time " + pool.scoringEnd() + " (now "
                    + chainTime + "): its shares are final after that");
        }
        List<Share> scored = new ArrayList<>(view.shares().stream()
                .filter(s -> s.assetId() > 0 && s.contribution().score() > 0).toList());
        scored.sort(Comparator.comparingLong((Share s) -> -s.contribution().score())
                .thenComparingLong(s -> s.contribution().id()));
        List<Share> taken = scored.subList(0, Math.min(scored.size(), Math.max(0, maxParents)));
        long total = 0;
        for (Share s : taken) total = Math.addExact(total, s.contribution().score());
        if (total == 0) throw HyphaException.input("pool #" + pool.id() + " has no scored dataset to share revenue with");
        List<LineageEdge> edges = new ArrayList<>();
        for (Share s : taken) {
            long bps = BigInteger.valueOf(totalBps).multiply(BigInteger.valueOf(s.contribution().score()))
                    .divide(BigInteger.valueOf(total)).longValueExact();
            if (bps > 0) edges.add(new LineageEdge(s.assetId(), (int) bps));
        }
        return List.copyOf(edges);
    }
}

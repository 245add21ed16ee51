package dev.hypha.node.subnet;

import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.subnets.SubnetParams;
import dev.hypha.chain.subnets.WeightRow;
import dev.hypha.chain.subnets.YumaPost;
import dev.hypha.incentives.yuma.U16Rows;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The honest result of every closed epoch of one subnet, recomputed from the chain alone: the frozen inputs
 * (EpochInputs log), the revealed rows matching them (WeightsRevealed logs), the snapshot (block, pool) and the previous
 * epoch's bonds, which are this book's own result for that epoch (epochs are accepted in order, and a wrong post of
 * them is challenged, so the accepted bonds are these). Results are cached: a closed epoch never changes.
 */
public final class EpochBook {
    /** One recomputed epoch: what was frozen, the rows it read and the post it yields. */
    public record Computed(SubnetsClient.ClosedEpoch closed, List<WeightRow> rows, YumaPost post) {}

    private final SubnetsClient subnets;
    private final long netuid;
    private final TreeMap<Long, Computed> cache = new TreeMap<>();
    private SubnetParams params;

    public EpochBook(SubnetsClient subnets, long netuid) {
        this.subnets = subnets;
        this.netuid = netuid;
    }

    public long netuid() {
        return netuid;
    }

    /** The honest post of {@code epoch}, or empty while it is not closed. */
    public synchronized Optional<Computed> compute(long epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch " + epoch);
        Computed known = cache.get(epoch);
        if (known != null) return Optional.of(known);
        long closedCount = subnets.subnet(netuid).epoch.longValueExact();
        if (epoch >= closedCount) return Optional.empty();
        if (params == null) params = subnets.params(netuid);
        long from = cache.isEmpty() ? 0 : cache.lastKey() + 1;
        for (long e = Math.min(from, epoch); e <= epoch; e++) { // iteratively, so a long history never recurses deep
            if (cache.containsKey(e)) continue;
            U16Rows previous = e == 0 ? null : cache.get(e - 1).post().bonds();
            long id = e;
            SubnetsClient.ClosedEpoch closed = subnets.closedEpoch(netuid, e)
                    .orElseThrow(() -> new IllegalStateException("subnet " + netuid + " epoch " + id + " has no EpochInputs log"));
            var snap = subnets.snapshot(netuid, e);
            List<WeightRow> rows = subnets.revealedRows(netuid, closed.inputs(), closed.block());
            YumaPost post = YumaPost.compute(params, snap.block.longValueExact(), snap.lastStepBlock.longValueExact(),
                    snap.pool, closed.inputs(), rows, previous);
            cache.put(e, new Computed(closed, rows, post));
        }
        return Optional.of(cache.get(epoch));
    }
}

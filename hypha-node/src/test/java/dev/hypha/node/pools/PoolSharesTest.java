package dev.hypha.node.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.PoolContribution;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Pool scores become lineage shares: split by score, rounded down so they never add up to more than asked, best scored
 * first when there are more than fit, unscored and unregistered contributions left out, and only once scoring ended.
 */
class PoolSharesTest {
    private static final Address OWNER = Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private static final long SCORING_END = 1_000;

    private static PoolShares.View view(long... scoresAndAssets) {
        List<PoolShares.Share> shares = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < scoresAndAssets.length; i += 2) {
            long score = scoresAndAssets[i];
            total += score;
            shares.add(new PoolShares.Share(new PoolContribution(i / 2 + 1, 1, OWNER, new byte[] {1, (byte) i}, score,
                    score > 0 ? 1 : 0, BigInteger.ZERO), scoresAndAssets[i + 1], 0, BigInteger.ZERO, BigInteger.ZERO));
        }
        DataPool pool = new DataPool(1, OWNER, 500, SCORING_END, OWNER, BigInteger.ZERO, BigInteger.valueOf(5_000_000),
                BigInteger.ZERO, BigInteger.valueOf(total), shares.size());
        return new PoolShares.View(pool, shares, false);
    }

    @Test
    void sharesFollowTheScoresRoundedDown() {
        List<LineageEdge> edges = PoolShares.lineage(view(72_000, 4, 24_000, 5, 0, 6), SCORING_END + 1, 3_000, 8);
        assertThat(edges).containsExactly(new LineageEdge(4, 2_250), new LineageEdge(5, 750));
        edges = PoolShares.lineage(view(1, 4, 1, 5, 1, 6), SCORING_END + 1, 1_000, 8);
        assertThat(edges).containsExactly(new LineageEdge(4, 333), new LineageEdge(5, 333), new LineageEdge(6, 333));
    }

    @Test
    void theBestScoredTakeTheRoomAndTiesGoToTheOlderContribution() {
        List<LineageEdge> edges = PoolShares.lineage(view(10, 4, 30, 5, 30, 6, 20, 7), SCORING_END + 1, 1_000, 2);
        assertThat(edges).containsExactly(new LineageEdge(5, 500), new LineageEdge(6, 500));
    }

    @Test
    void unregisteredDatasetsAndAnUnscoredPoolAreLeftOutOrRefused() {
        assertThat(PoolShares.lineage(view(10, 0, 30, 5), SCORING_END + 1, 1_000, 8)).containsExactly(new LineageEdge(5, 1_000));
        assertThatThrownBy(() -> PoolShares.lineage(view(0, 4, 0, 5), SCORING_END + 1, 1_000, 8))
                .hasMessageContaining("has no scored dataset");
        assertThatThrownBy(() -> PoolShares.lineage(view(10, 4), SCORING_END, 1_000, 8))
                .hasMessageContaining("is scored until chain time " + SCORING_END);
        assertThatThrownBy(() -> PoolShares.lineage(view(10, 4), SCORING_END + 1, 10_001, 8))
                .hasMessageContaining("1 to 10000 basis points");
    }

    @Property(tries = 200)
    void sharesNeverAddUpToMoreThanAskedNorLoseMoreThanOneUnitEach(
            @ForAll @Size(min = 1, max = 8) List<@LongRange(min = 1, max = 1_000_000) Long> scores,
            @ForAll @IntRange(min = 1, max = 10_000) int bps) {
        long[] pairs = new long[scores.size() * 2];
        for (int i = 0; i < scores.size(); i++) {
            pairs[2 * i] = scores.get(i);
            pairs[2 * i + 1] = i + 10;
        }
        List<LineageEdge> edges = PoolShares.lineage(view(pairs), SCORING_END + 1, bps, 8);
        int sum = edges.stream().mapToInt(LineageEdge::shareBps).sum();
        assertThat(sum).isLessThanOrEqualTo(bps).isGreaterThan(bps - scores.size());
    }

    @Test
    void onChainScoresAreTheAccuracyAddedInMillionthsClampedToTheContractsRange() {
        assertThat(PoolScorer.onChainScore(0.016)).isEqualTo(16_000);
        assertThat(PoolScorer.onChainScore(-0.024)).isZero();
        assertThat(PoolScorer.onChainScore(0)).isZero();
        assertThat(PoolScorer.onChainScore(Double.NaN)).isZero();
        assertThat(PoolScorer.onChainScore(1.5)).isEqualTo(1_000_000);
    }
}

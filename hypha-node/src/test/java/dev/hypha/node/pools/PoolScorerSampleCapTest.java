package dev.hypha.node.pools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The pool's sample budget is shared max-min fairly: no contribution crowds out another by coming first or being large,
 * the budget is never exceeded, and no larger cap would fit. Below the budget too, each contribution counts for at most
 * the median one's size: one outlier, large or small, cannot set what the others count for.
 */
class PoolScorerSampleCapTest {
    @Test
    void aHugeFirstContributionLeavesTheLaterOnesTheirShare() {
        assertThat(PoolScorer.sampleCap(new int[] {60_000, 500, 800}, 60_000)).isEqualTo(58_700);
        assertThat(PoolScorer.sampleCap(new int[] {140, 60}, 150)).isEqualTo(90);
        assertThat(PoolScorer.sampleCap(new int[] {140, 60, 40}, 150)).isEqualTo(55);
        assertThat(PoolScorer.sampleCap(new int[] {100, 100}, 150)).isEqualTo(75);
        assertThat(PoolScorer.sampleCap(new int[] {10, 20}, 150)).isEqualTo(Integer.MAX_VALUE);
    }

    @Property(tries = 300)
    void theCapIsTheLargestThatFitsTheBudgetWhateverTheOrder(
            @ForAll @Size(min = 1, max = 64) List<@IntRange(min = 0, max = 100_000) Integer> counts,
            @ForAll @IntRange(min = 64, max = 60_000) int budget) {
        int cap = PoolScorer.sampleCap(counts.stream().mapToInt(Integer::intValue).toArray(), budget);
        long used = counts.stream().mapToLong(n -> Math.min(n, cap)).sum();
        assertThat(used).isLessThanOrEqualTo(budget);
        if (cap == Integer.MAX_VALUE) {
            assertThat(counts.stream().mapToLong(Integer::longValue).sum()).isLessThanOrEqualTo(budget);
        } else {
            assertThat(cap).isPositive();
            assertThat(counts.stream().mapToLong(n -> Math.min(n, (long) cap + 1)).sum()).isGreaterThan(budget);
        }
        List<Integer> reversed = new java.util.ArrayList<>(counts);
        Collections.reverse(reversed);
        assertThat(PoolScorer.sampleCap(reversed.stream().mapToInt(Integer::intValue).toArray(), budget)).isEqualTo(cap);
    }

    @Test
    void everyContributionCountsForAtMostTheMedianOne() {
        assertThat(PoolScorer.medianCap(new int[] {183, 182, 514}, 50)).isEqualTo(183);
        assertThat(PoolScorer.medianCap(new int[] {514, 100}, 50)).as("a small one of two cuts nothing").isEqualTo(514);
        assertThat(PoolScorer.medianCap(new int[] {200, 200, 200, 200}, 50)).isEqualTo(200);
        assertThat(PoolScorer.medianCap(new int[] {20, 10}, 32)).as("none reaches the floor: nothing is cut").isEqualTo(32);
        assertThat(PoolScorer.medianCap(new int[] {5, 5, 5, 100, 200, 3000}, 32)).as("those below the floor take no part")
                .isEqualTo(200);
        assertThat(PoolScorer.medianCap(new int[] {10, 20, 40}, 32)).as("the median of those at or above it").isEqualTo(40);
        List<int[]> streams = new java.util.ArrayList<>(List.of(new int[514], new int[183], new int[182]));
        PoolContributions.cutToShares(streams, 4 << 20, LmPoolScorer.TOKENS, 50);
        assertThat(streams).extracting(s -> s.length).containsExactly(183, 183, 182);
        streams = new java.util.ArrayList<>(List.of(new int[140], new int[60], new int[40]));
        PoolContributions.cutToShares(streams, 150, LmPoolScorer.TOKENS, 32);
        assertThat(streams).as("the budget's share where it is smaller").extracting(s -> s.length).containsExactly(55, 55, 40);
    }

    /**
     * The review's case: 5 honest contributions of 1,000 images and 6 of one image each. Without the floor the upper
     * median was 1, every honest one was cut to one image and the 11-image pool was below the probe's batch of 32, so
     * the pool could not be scored at all. Same for tokens.
     */
    @Test
    void freeTinyContributionsCannotCutTheHonestOnes() {
        List<int[]> pool = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) pool.add(new int[1000]);
        for (int i = 0; i < 6; i++) pool.add(new int[1]);
        PoolContributions.cutToShares(pool, PoolScorer.MAX_SAMPLES, LmPoolScorer.TOKENS, 32);
        assertThat(pool).extracting(s -> s.length).as("the honest ones whole, the tiny ones all they have")
                .containsExactly(1000, 1000, 1000, 1000, 1000, 1, 1, 1, 1, 1, 1);
        assertThat(pool.stream().mapToInt(s -> s.length).sum()).isGreaterThanOrEqualTo(32);

        List<int[]> text = new java.util.ArrayList<>(List.of(new int[183], new int[182], new int[514]));
        for (int i = 0; i < 4; i++) text.add(new int[3]);
        PoolContributions.cutToShares(text, LmPoolScorer.MAX_TOKENS, LmPoolScorer.TOKENS, 50);
        assertThat(text).extracting(s -> s.length).as("the noise still cut to the median of the real ones")
                .containsExactly(183, 182, 183, 3, 3, 3, 3);
    }

    @Property(tries = 300)
    void contributionsBelowTheFloorNeverMoveTheCap(
            @ForAll @Size(min = 1, max = 32) List<@IntRange(min = 0, max = 100_000) Integer> counts,
            @ForAll @Size(max = 64) List<@IntRange(min = 0, max = 99_999) Integer> tiny,
            @ForAll @IntRange(min = 1, max = 100_000) int floor) {
        int[] before = counts.stream().mapToInt(Integer::intValue).toArray();
        int cap = PoolScorer.medianCap(before, floor);
        assertThat(cap).as("never below the floor").isGreaterThanOrEqualTo(floor);
        int[] after = java.util.stream.IntStream.concat(java.util.Arrays.stream(before),
                tiny.stream().mapToInt(n -> n % floor)).toArray();
        assertThat(PoolScorer.medianCap(after, floor)).as("with " + tiny.size() + " more below the floor").isEqualTo(cap);
    }

    @Property(tries = 300)
    void noSingleOutlierSetsTheMedianCap(@ForAll @Size(min = 3, max = 64) List<@IntRange(min = 1, max = 100_000) Integer> counts) {
        int[] sorted = counts.stream().mapToInt(Integer::intValue).sorted().toArray();
        int cap = PoolScorer.medianCap(counts.stream().mapToInt(Integer::intValue).toArray(), 1);
        assertThat(cap).as("the largest is cut to at most the second largest").isLessThanOrEqualTo(sorted[sorted.length - 2]);
        assertThat(cap).as("the smallest cuts none below the second smallest").isGreaterThanOrEqualTo(sorted[1]);
        assertThat(counts.stream().filter(n -> n >= cap).count()).as("at least half keep all they have or are cut to it")
                .isGreaterThanOrEqualTo((counts.size() + 1) / 2);
    }
}

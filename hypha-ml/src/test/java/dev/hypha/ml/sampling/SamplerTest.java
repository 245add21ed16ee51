package dev.hypha.ml.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SamplerTest {

    static float[] logits(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    @Property(tries = 100)
    void greedyIsArgmax(@ForAll long seed, @ForAll @IntRange(min = 1, max = 500) int n) {
        float[] l = logits(seed, n);
        int best = 0;
        for (int i = 0; i < n; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        assertThat(new Sampler(SamplingOptions.greedy()).sample(l, new int[0], 0)).isEqualTo(best);
    }

    @Property(tries = 100)
    void topKOnlyEverPicksOneOfTheKBest(@ForAll long seed, @ForAll @IntRange(min = 1, max = 10) int k) {
        float[] l = logits(seed, 200);
        long[] order = Sampler.sortedCandidates(l);
        Set<Integer> allowed = new HashSet<>();
        for (int i = 0; i < k; i++) {
            allowed.add(Sampler.id(order[i]));
        }
        Sampler s = new Sampler(SamplingOptions.defaults().withTopK(k).withTopP(1f).withMinP(0f).withTemperature(5f).withSeed(seed));
        for (int i = 0; i < 50; i++) {
            assertThat(allowed).contains(s.sample(l, new int[0], 0));
        }
    }

    @Property(tries = 100)
    void heapSelectionEqualsThePrefixOfTheFullSort(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int n,
                                                   @ForAll @IntRange(min = 1, max = 50) int k) {
        float[] l = logits(seed, n);
        if (seed % 3 == 0) {
            for (int i = 0; i < n; i += 2) {
                l[i] = 1.5f; // many ties: broken by token id
            }
        }
        long[] full = Sampler.sortedCandidates(l);
        assertThat(Sampler.bestCandidates(l, Math.min(k, n))).isEqualTo(java.util.Arrays.copyOf(full, Math.min(k, n)));
    }

    @Property(tries = 50)
    void sameSeedSameTokens(@ForAll long seed, @ForAll @FloatRange(min = 0.1f, max = 2f) float temperature) {
        float[] l = logits(seed, 300);
        SamplingOptions o = SamplingOptions.defaults().withTemperature(temperature).withSeed(seed);
        Sampler a = new Sampler(o);
        Sampler b = new Sampler(o);
        for (int i = 0; i < 30; i++) {
            assertThat(a.sample(l, new int[0], 0)).isEqualTo(b.sample(l, new int[0], 0));
        }
    }

    @Property(tries = 50)
    void minPDropsUnlikelyTokens(@ForAll long seed) {
        float[] l = logits(seed, 100);
        int best = Sampler.argmax(l);
        Sampler s = new Sampler(SamplingOptions.defaults().withTopK(0).withTopP(1f).withMinP(0.5f).withSeed(seed));
        for (int i = 0; i < 30; i++) {
            int t = s.sample(l, new int[0], 0);
            // p(t)/p(best) >= 0.5  <=>  l[t] >= l[best] + ln 0.5
            assertThat((double) l[t]).isGreaterThanOrEqualTo(l[best] + Math.log(0.5) - 1e-6);
        }
    }

    @Test
    void samplingFrequenciesFollowTheProbabilities() {
        float[] l = {0f, (float) Math.log(3)}; // p = 1/4, 3/4
        Sampler s = new Sampler(SamplingOptions.defaults().withTopK(0).withTopP(1f).withMinP(0f).withTemperature(1f).withSeed(42));
        int ones = 0;
        for (int i = 0; i < 4000; i++) {
            ones += s.sample(l, new int[0], 0);
        }
        assertThat(ones / 4000.0).isBetween(0.72, 0.78);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] l = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        Sampler s = new Sampler(SamplingOptions.defaults().withTopK(0).withTopP(0.7f).withMinP(0f).withTemperature(1f).withSeed(1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            seen.add(s.sample(l, new int[0], 0));
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void penaltiesFollowLlamaCpp() {
        float[] l = {2f, -2f, 1.9f, 0.5f};
        int[] history = {0, 1, 0, 3};
        // repeat 2: token 0: 2/2 = 1, token 1: -2*2 = -4; frequency 0.1 per occurrence, presence 0.5 once
        SamplingOptions o = SamplingOptions.greedy().withPenalties(2f, 0.5f, 0.1f, 64);
        // token 0 -> 1 - 0.2 - 0.5 = 0.3 ; token 2 unpenalized 1.9 wins
        assertThat(new Sampler(o).sample(l, history, history.length)).isEqualTo(2);
        // only the last token counts with repeat_last_n 1: token 0 keeps 2.0 and wins
        assertThat(new Sampler(SamplingOptions.greedy().withPenalties(2f, 0.5f, 0.1f, 1)).sample(l, history, history.length)).isEqualTo(0);
    }

    @Test
    void invalidOptionsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> SamplingOptions.defaults().withTopP(1.5f)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> SamplingOptions.defaults().withMinP(-0.1f)).hasMessageContaining("min_p");
        assertThatThrownBy(() -> SamplingOptions.defaults().withPenalties(0f, 0, 0, 64)).hasMessageContaining("repeat_penalty");
        assertThatThrownBy(() -> SamplingOptions.defaults().withPenalties(1f, 0, 0, -2)).hasMessageContaining("repeat_last_n");
        assertThatThrownBy(() -> new Sampler(SamplingOptions.greedy()).sample(new float[0], new int[0], 0)).hasMessageContaining("no logits");
    }
}

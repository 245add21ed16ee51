package dev.hypha.zk.poly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MultilinearTest {
    static Ext2 randomExt(SplittableRandom rng) {
        return new Ext2(Goldilocks.fromUnsigned(rng.nextLong()), Goldilocks.fromUnsigned(rng.nextLong()));
    }

    static Ext2[] randomPoint(SplittableRandom rng, int n) {
        Ext2[] r = new Ext2[n];
        for (int i = 0; i < n; i++) {
            r[i] = randomExt(rng);
        }
        return r;
    }

    static long[] randomBase(SplittableRandom rng, int size) {
        long[] v = new long[size];
        for (int i = 0; i < size; i++) {
            v[i] = Goldilocks.fromUnsigned(rng.nextLong());
        }
        return v;
    }

    /** Variable 0 is the most significant index bit: at hypercube points the polynomial returns its table. */
    @Property(tries = 50)
    void evaluatesToTheTableOnTheHypercube(@ForAll @IntRange(min = 0, max = 6) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] values = randomBase(rng, 1 << n);
        Multilinear f = Multilinear.ofBase(values);
        int x = rng.nextInt(1 << n);
        Ext2[] point = new Ext2[n];
        for (int i = 0; i < n; i++) {
            point[i] = Ext2.of((x >>> (n - 1 - i)) & 1);
        }
        assertThat(f.evaluate(point)).isEqualTo(Ext2.of(values[x]));
    }

    /** f(r) = Σ_x eq(r, x) f(x), and the eq table agrees with eq evaluated pointwise. */
    @Property(tries = 30)
    void evaluationIsTheEqWeightedSum(@ForAll @IntRange(min = 0, max = 7) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Multilinear f = Multilinear.ofBase(randomBase(rng, 1 << n));
        Ext2[] r = randomPoint(rng, n);
        long[] eq = Eq.table(r);
        Ext2 sum = Ext2.ZERO;
        for (int x = 0; x < (1 << n); x++) {
            sum = sum.add(ExtTable.get(eq, x).mul(f.at(x)));
            Ext2[] bits = new Ext2[n];
            for (int i = 0; i < n; i++) {
                bits[i] = Ext2.of((x >>> (n - 1 - i)) & 1);
            }
            assertThat(ExtTable.get(eq, x)).isEqualTo(Eq.evaluate(r, bits));
        }
        assertThat(f.evaluate(r)).isEqualTo(sum);
    }

    @Property(tries = 30)
    void fixingTheFirstVariableThenEvaluatingIsEvaluating(@ForAll @IntRange(min = 1, max = 7) int n,
            @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Multilinear f = Multilinear.ofBase(randomBase(rng, 1 << n));
        Ext2[] r = randomPoint(rng, n);
        Ext2[] rest = java.util.Arrays.copyOfRange(r, 1, n);
        assertThat(f.fixFirst(r[0]).evaluate(rest)).isEqualTo(f.evaluate(r));
    }

    /** Multilinear in each variable: along any line in one coordinate, the value is affine. */
    @Property(tries = 30)
    void isAffineInEachVariable(@ForAll @IntRange(min = 1, max = 6) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Multilinear f = Multilinear.ofBase(randomBase(rng, 1 << n));
        Ext2[] r = randomPoint(rng, n);
        int i = rng.nextInt(n);
        Ext2[] p0 = r.clone();
        Ext2[] p1 = r.clone();
        Ext2[] p2 = r.clone();
        p0[i] = Ext2.ZERO;
        p1[i] = Ext2.ONE;
        p2[i] = Ext2.of(2);
        // f(2) = 2 f(1) − f(0) for an affine function
        assertThat(f.evaluate(p2)).isEqualTo(f.evaluate(p1).add(f.evaluate(p1)).sub(f.evaluate(p0)));
    }

    @Test
    void rejectsBadShapes() {
        assertThatThrownBy(() -> Multilinear.ofBase(new long[3])).hasMessageContaining("2^n");
        assertThatThrownBy(() -> Multilinear.ofBase(new long[] {Goldilocks.P, 0})).hasMessageContaining("below p");
        assertThatThrownBy(() -> Multilinear.ofBase(new long[4]).evaluate(new Ext2[1]))
                .hasMessageContaining("2-variable");
    }
}

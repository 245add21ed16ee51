package dev.hypha.zk.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * LogUp range lookups: an honest proof verifies and leaves claims equal to the column's and the multiplicities'
 * multilinear extensions; a value outside the table, a wrong multiplicity, a tampered fraction sum (alone or rescaled
 * so the roots still agree), any other changed proof value, or another transcript is rejected.
 */
class RangeLookupTest {

    /** The transcript after "committing" (absorbing) the column and the multiplicities, as a circuit would. */
    private static Transcript committed(long[] column, long[] m) {
        Transcript t = new Transcript("test.logup");
        t.absorbFields("column", column);
        t.absorbFields("multiplicities", m);
        return t;
    }

    private static long[] randomColumn(SplittableRandom rng, int n, int bits) {
        long[] w = new long[1 << n];
        for (int i = 0; i < w.length; i++) {
            // skewed, so some values repeat many times and others never occur
            w[i] = rng.nextBoolean() ? rng.nextLong(1L << bits) : rng.nextLong(Math.min(4, 1L << bits));
        }
        return w;
    }

    private static RangeLookup.Claims verify(long[] column, long[] m, int bits, LogUpProof proof) throws Rejected {
        int n = Integer.numberOfTrailingZeros(column.length);
        return RangeLookup.verify(n, bits, proof, committed(column, m), "lookup");
    }

    /** The check a commitment opening makes: the claims are the committed polynomials' values. */
    private static void assertClaimsHold(RangeLookup.Claims c, long[] column, long[] m) {
        assertThat(c.columnValue()).isEqualTo(Multilinear.ofBase(column).evaluate(c.columnPoint()));
        assertThat(c.multiplicityValue()).isEqualTo(Multilinear.ofBase(m).evaluate(c.multiplicityPoint()));
    }

    @Property(tries = 40)
    void honestLookupsVerify(@ForAll @IntRange(min = 0, max = 9) int n, @ForAll @IntRange(min = 1, max = 10) int bits,
            @ForAll long seed) throws Exception {
        long[] column = randomColumn(new SplittableRandom(seed), n, bits);
        long[] m = RangeLookup.multiplicities(column, bits);
        RangeLookup.Output out = RangeLookup.prove(column, bits, m, committed(column, m));
        RangeLookup.Claims claims = verify(column, m, bits, out.proof());
        assertThat(claims).usingRecursiveComparison().isEqualTo(out.claims());
        assertClaimsHold(claims, column, m);
    }

    @Test
    void theProverRefusesAValueOutsideTheTable() {
        assertThatThrownBy(() -> RangeLookup.multiplicities(new long[] {3, 256}, 8))
                .hasMessageContaining("entry 1").hasMessageContaining("256").hasMessageContaining("2^8");
    }

    @Test
    void aValueOutsideTheTableIsRejected() {
        SplittableRandom rng = new SplittableRandom(1);
        // just above the table, far above it, and −1 (which wraps to p − 1)
        for (long bad : new long[] {256, 1L << 40, Goldilocks.P - 1}) {
            long[] column = randomColumn(rng, 6, 8);
            column[17] = bad;
            // the cheater counts the bad entry as 255 (the nearest table value) or as 0: both sums are off
            for (int as : new int[] {255, 0}) {
                long[] m = countAs(column, 8, 17, as);
                LogUpProof proof = RangeLookup.prove(column, 8, m, committed(column, m)).proof();
                assertThatThrownBy(() -> verify(column, m, 8, proof)).isInstanceOf(Rejected.class)
                        .hasMessageContaining("fraction sum differs");
            }
        }
    }

    @Test
    void aWrongMultiplicityIsRejected() {
        long[] column = randomColumn(new SplittableRandom(2), 7, 8);
        long[] honest = RangeLookup.multiplicities(column, 8);
        List<long[]> wrong = new ArrayList<>();
        long[] moved = honest.clone(); // same total, one count moved to a neighbour
        moved[column[0] == 0 ? 1 : (int) column[0] - 1]++;
        moved[(int) column[0]]--;
        wrong.add(moved);
        long[] extra = honest.clone();
        extra[200]++;
        wrong.add(extra);
        long[] negative = honest.clone();
        negative[9] = Goldilocks.sub(negative[9], 1);
        wrong.add(negative);
        for (long[] m : wrong) {
            LogUpProof proof = RangeLookup.prove(column, 8, m, committed(column, m)).proof();
            assertThatThrownBy(() -> verify(column, m, 8, proof)).isInstanceOf(Rejected.class)
                    .hasMessageContaining("fraction sum differs");
        }
    }

    @Test
    void aTamperedFractionSumIsRejected() throws Exception {
        long[] column = randomColumn(new SplittableRandom(3), 6, 8);
        long[] m = RangeLookup.multiplicities(column, 8);
        LogUpProof honest = RangeLookup.prove(column, 8, m, committed(column, m)).proof();
        verify(column, m, 8, honest);
        Ext2 c = new Ext2(5, 9);
        FractionSumProof l = honest.column(), r = honest.table();
        // one root changed: the cross-multiplication fails
        LogUpProof oneRoot = new LogUpProof(new FractionSumProof(l.rootP().add(Ext2.ONE), l.rootQ(), l.layers()), r);
        assertThatThrownBy(() -> verify(column, m, 8, oneRoot)).hasMessageContaining("fraction sum differs");
        // both fractions rescaled, so the roots still agree: the first layer's check fails
        LogUpProof rescaled = new LogUpProof(new FractionSumProof(l.rootP().mul(c), l.rootQ().mul(c), l.layers()),
                new FractionSumProof(r.rootP().mul(c), r.rootQ().mul(c), r.layers()));
        assertThatThrownBy(() -> verify(column, m, 8, rescaled)).hasMessageContaining("layer 0");
        // a cheater with a value outside the table claims the table's root that matches its column: caught in the tree
        long[] bad = column.clone();
        bad[5] = 300;
        long[] mb = countAs(bad, 8, 5, 255);
        LogUpProof cheat = RangeLookup.prove(bad, 8, mb, committed(bad, mb)).proof();
        FractionSumProof cl = cheat.column(), cr = cheat.table();
        Ext2 forged = cl.rootP().mul(cr.rootQ()).mul(cl.rootQ().inverse());
        LogUpProof forgedRoot = new LogUpProof(cl, new FractionSumProof(forged, cr.rootQ(), cr.layers()));
        assertThatThrownBy(() -> verify(bad, mb, 8, forgedRoot)).isInstanceOf(Rejected.class)
                .hasMessageContaining("table");
        // a zero denominator is refused outright
        LogUpProof zero = new LogUpProof(new FractionSumProof(Ext2.ZERO, Ext2.ZERO, l.layers()), r);
        assertThatThrownBy(() -> verify(column, m, 8, zero)).hasMessageContaining("zero denominator");
    }

    @Test
    void everyChangedProofValueIsRejected() throws Exception {
        long[] column = randomColumn(new SplittableRandom(4), 4, 3);
        long[] m = RangeLookup.multiplicities(column, 3);
        LogUpProof honest = RangeLookup.prove(column, 3, m, committed(column, m)).proof();
        int count = countValues(honest);
        assertThat(count).isGreaterThan(40);
        for (int i = 0; i < count; i++) {
            int target = i;
            int[] seen = {0};
            LogUpProof changed = map(honest, v -> seen[0]++ == target ? v.add(new Ext2(1, 0)) : v);
            RangeLookup.Claims claims;
            try {
                claims = verify(column, m, 3, changed);
            } catch (Rejected e) {
                continue;
            }
            // the last layers' values only move the claims, which the commitment opening then refuses
            RangeLookup.Claims c = claims;
            assertThatThrownBy(() -> assertClaimsHold(c, column, m)).as("value %d", i).isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void theClaimsBindTheCommittedColumn() throws Exception {
        long[] column = randomColumn(new SplittableRandom(5), 5, 8);
        long[] m = RangeLookup.multiplicities(column, 8);
        LogUpProof proof = RangeLookup.prove(column, 8, m, committed(column, m)).proof();
        // another transcript (another commitment) gives other challenges: the proof no longer fits
        long[] other = column.clone();
        other[0] ^= 1;
        assertThatThrownBy(() -> RangeLookup.verify(5, 8, proof, committed(other, m), "lookup"))
                .isInstanceOf(Rejected.class);
        // claims from the honest transcript hold for the column proved, not for another
        RangeLookup.Claims claims = verify(column, m, 8, proof);
        assertThat(claims.columnValue()).isNotEqualTo(Multilinear.ofBase(other).evaluate(claims.columnPoint()));
        // a proof for another shape is refused
        assertThatThrownBy(() -> RangeLookup.verify(6, 8, proof, committed(column, m), "lookup"))
                .hasMessageContaining("layers");
        assertThatThrownBy(() -> RangeLookup.verify(5, 21, proof, committed(column, m), "lookup"))
                .hasMessageContaining("outside the limits");
    }

    private static long[] countAs(long[] column, int bits, int index, int as) {
        long[] m = new long[1 << bits];
        for (int x = 0; x < column.length; x++) {
            m[x == index ? as : (int) column[x]]++;
        }
        return m;
    }

    private static int countValues(LogUpProof p) {
        int[] n = {0};
        map(p, v -> {
            n[0]++;
            return v;
        });
        return n[0];
    }

    /** The proof with every extension value passed through f, in a fixed order. */
    private static LogUpProof map(LogUpProof p, UnaryOperator<Ext2> f) {
        return new LogUpProof(map(p.column(), f), map(p.table(), f));
    }

    private static FractionSumProof map(FractionSumProof p, UnaryOperator<Ext2> f) {
        Ext2 rp = f.apply(p.rootP());
        Ext2 rq = f.apply(p.rootQ());
        List<FractionSumProof.Layer> layers = new ArrayList<>();
        for (FractionSumProof.Layer l : p.layers()) {
            List<Ext2[]> rounds = new ArrayList<>();
            for (Ext2[] h : l.sumcheck().rounds()) {
                Ext2[] out = new Ext2[h.length];
                for (int i = 0; i < h.length; i++) {
                    out[i] = f.apply(h[i]);
                }
                rounds.add(out);
            }
            Ext2[] c = l.children();
            Ext2[] out = new Ext2[c.length];
            for (int i = 0; i < c.length; i++) {
                out[i] = f.apply(c[i]);
            }
            layers.add(new FractionSumProof.Layer(new SumcheckProof(rounds), out));
        }
        return new FractionSumProof(rp, rq, layers);
    }
}

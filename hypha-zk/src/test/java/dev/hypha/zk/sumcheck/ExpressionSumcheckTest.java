package dev.hypha.zk.sumcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The expression sumcheck against the ordinary verifier: a sum of products of degree 4. */
class ExpressionSumcheckTest {
    /** F(a, b, c, d) = a·b·c·d − 3·a·c + d: degree 4, not a single product. */
    static final ExpressionSumcheck.Expression F = new ExpressionSumcheck.Expression() {
        @Override
        public int degree() {
            return 4;
        }

        @Override
        public Ext2 evaluate(Ext2[] v) {
            return v[0].mul(v[1]).mul(v[2]).mul(v[3]).sub(v[0].mul(v[2]).mulBase(3)).add(v[3]);
        }
    };

    @Property(tries = 20)
    void honestProofsVerifyAndAnyChangedRoundValueIsRejected(@ForAll @IntRange(min = 0, max = 8) int n,
            @ForAll long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Multilinear> tables = new ArrayList<>();
        long[][] raw = new long[4][1 << n];
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 1 << n; i++) {
                raw[j][i] = Goldilocks.fromUnsigned(rng.nextLong());
            }
            tables.add(Multilinear.ofBase(raw[j]));
        }
        Ext2 total = Ext2.ZERO;
        for (int i = 0; i < 1 << n; i++) {
            total = total.add(F.evaluate(new Ext2[] {Ext2.of(raw[0][i]), Ext2.of(raw[1][i]), Ext2.of(raw[2][i]),
                    Ext2.of(raw[3][i])}));
        }
        final Ext2 sum = total;
        ExpressionSumcheck.Output out = ExpressionSumcheck.prove(F, tables, new Transcript("t"));
        assertThat(out.claim()).isEqualTo(sum);
        Subclaim sub = SumcheckVerifier.verify(n, 4, sum, out.proof(), new Transcript("t"));
        assertThat(sub.point()).containsExactly(out.point());
        assertThat(F.evaluate(out.evaluations())).isEqualTo(sub.expected());
        for (int j = 0; j < 4; j++) {
            assertThat(tables.get(j).evaluate(out.point())).isEqualTo(out.evaluations()[j]);
        }
        if (n == 0) {
            // no rounds: a wrong sum is left to the final check, which it fails
            assertThat(SumcheckVerifier.verify(0, 4, sum.add(Ext2.ONE), out.proof(), new Transcript("t")).expected())
                    .isNotEqualTo(F.evaluate(out.evaluations()));
        } else {
            assertThatThrownBy(() -> SumcheckVerifier.verify(n, 4, sum.add(Ext2.ONE), out.proof(), new Transcript("t")))
                    .isInstanceOf(SumcheckVerifier.Rejected.class);
        }
        if (n > 0) {
            List<Ext2[]> rounds = new ArrayList<>(out.proof().rounds());
            int round = rng.nextInt(n);
            rounds.get(round)[rng.nextInt(5)] = rounds.get(round)[0].add(Ext2.ONE);
            Subclaim forged;
            try {
                forged = SumcheckVerifier.verify(n, 4, sum, new SumcheckProof(rounds), new Transcript("t"));
            } catch (SumcheckVerifier.Rejected e) {
                return;
            }
            // a changed value that still passes the round checks moves the point or the final claim off the truth
            Ext2[] at = new Ext2[4];
            for (int j = 0; j < 4; j++) {
                at[j] = tables.get(j).evaluate(forged.point());
            }
            assertThat(F.evaluate(at)).isNotEqualTo(forged.expected());
        }
    }
}

package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;

/**
 * Sumcheck for Σ_{x∈{0,1}^n} F(f_1(x), …, f_m(x)) where F is any polynomial of total degree ≤ {@link
 * SumcheckVerifier#MAX_DEGREE} in the values of multilinear f_j (a constraint such as eq·(q − y)(y − lo)(hi − y), which
 * is a sum of products and so outside {@link SumcheckProver}'s single product). Round i sends h_i at 0..deg F, exactly
 * the messages and transcript order {@link SumcheckVerifier} checks, so the verifier is the ordinary one; its subclaim
 * is then discharged by evaluating F at the f_j's claimed values.
 *
 * <p>Written here rather than generalising SumcheckProver's hand-unrolled product loops: the tables it runs on (a
 * layer's neurons, a layer's bits) are small, so clarity wins over the last factor of speed.
 */
public final class ExpressionSumcheck {
    private ExpressionSumcheck() {}

    /** F: its degree and its value at one point of the f_j values. */
    public interface Expression {
        int degree();

        Ext2 evaluate(Ext2[] values);
    }

    /** The proof, the claimed sum, the challenge point and each f_j at the point. */
    public record Output(SumcheckProof proof, Ext2 claim, Ext2[] point, Ext2[] evaluations) {}

    public static Output prove(Expression f, List<Multilinear> tables, Transcript transcript) {
        int d = f.degree();
        if (d < 1 || d > SumcheckVerifier.MAX_DEGREE) {
            throw new IllegalArgumentException("expression degree must be 1 to " + SumcheckVerifier.MAX_DEGREE + ", got " + d);
        }
        int m = tables.size();
        int n = tables.getFirst().numVars();
        long[][] t = new long[m][];
        for (int j = 0; j < m; j++) {
            if (tables.get(j).numVars() != n) {
                throw new IllegalArgumentException("expression tables must share their variables: " + n + " and "
                        + tables.get(j).numVars());
            }
            t[j] = tables.get(j).table();
        }
        int size = 1 << n;
        Ext2[] first = n == 0 ? null : roundPolynomial(f, t, size / 2);
        Ext2 claim = n == 0 ? f.evaluate(values(t, 0)) : first[0].add(first[1]);
        SumcheckVerifier.absorbStatement(transcript, n, d, claim);
        List<Ext2[]> rounds = new ArrayList<>(n);
        Ext2[] point = new Ext2[n];
        for (int round = 0; round < n; round++) {
            int half = size / 2;
            Ext2[] h = round == 0 ? first : roundPolynomial(f, t, half);
            rounds.add(h);
            transcript.absorbExt("sumcheck.round", h);
            Ext2 r = transcript.challengeExt("sumcheck.challenge");
            point[round] = r;
            for (long[] table : t) {
                Multilinear.fold(table, table, half, r);
            }
            size = half;
        }
        return new Output(new SumcheckProof(rounds), claim, point, values(t, 0));
    }

    private static Ext2[] values(long[][] t, int i) {
        Ext2[] v = new Ext2[t.length];
        for (int j = 0; j < t.length; j++) {
            v[j] = ExtTable.get(t[j], i);
        }
        return v;
    }

    /** h(0..d): each f_j on the line through its pair (i, i + half), F evaluated at t = 0..d, summed over i. */
    private static Ext2[] roundPolynomial(Expression f, long[][] t, int half) {
        int d = f.degree();
        Ext2[] h = new Ext2[d + 1];
        java.util.Arrays.fill(h, Ext2.ZERO);
        int m = t.length;
        Ext2[] lo = new Ext2[m];
        Ext2[] step = new Ext2[m];
        Ext2[] at = new Ext2[m];
        for (int i = 0; i < half; i++) {
            for (int j = 0; j < m; j++) {
                lo[j] = ExtTable.get(t[j], i);
                step[j] = ExtTable.get(t[j], i + half).sub(lo[j]);
                at[j] = lo[j];
            }
            for (int s = 0; s <= d; s++) {
                h[s] = h[s].add(f.evaluate(at.clone()));
                for (int j = 0; j < m; j++) {
                    at[j] = at[j].add(step[j]);
                }
            }
        }
        return h;
    }
}

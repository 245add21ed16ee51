package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The sumcheck prover for Σ_{x∈{0,1}^n} f_1(x)·…·f_d(x), d ∈ {1, 2, 3}, over multilinear f_j.
 *
 * <p>Round i sends h_i(t) = Σ_{x'} Π_j f_j(r_1..r_{i−1}, t, x') at t = 0..d, then binds variable i to the transcript's
 * challenge r_i by folding every table in half. The work is O(d·2^n) extension operations. Large rounds are split into
 * fixed chunks summed on the common fork-join pool; field addition is exact, so the result does not depend on how the
 * chunks are scheduled.
 */
public final class SumcheckProver {
    /** Rounds with fewer pairs than this run on the calling thread (parallel overhead would dominate). */
    private static final int PARALLEL_THRESHOLD = 1 << 13;

    private SumcheckProver() {}

    /** The proof, the challenge point, and each factor's value there (what the verifier's subclaim will ask for). */
    public record Output(SumcheckProof proof, Ext2 claim, Ext2[] point, Ext2[] factorEvaluations) {}

    /**
     * Proves the sum of the product of {@code factors}, absorbing the claim, the shape and every round into the
     * transcript (the verifier absorbs the same).
     */
    public static Output prove(List<Multilinear> factors, Transcript transcript) {
        int d = factors.size();
        if (d < 1 || d > 3) {
            throw new IllegalArgumentException("sumcheck supports products of 1 to 3 multilinears, got " + d);
        }
        int n = factors.getFirst().numVars();
        for (Multilinear f : factors) {
            if (f.numVars() != n) {
                throw new IllegalArgumentException("sumcheck factors must share their variables: " + n + " and "
                        + f.numVars());
            }
        }
        long[][] tables = new long[d][];
        long[][] base = new long[d][];
        boolean allBase = true;
        for (int j = 0; j < d && allBase; j++) {
            base[j] = factors.get(j).baseTableOrNull();
            allBase = base[j] != null;
        }
        for (int j = 0; j < d; j++) {
            tables[j] = factors.get(j).table();
        }
        List<Ext2[]> rounds = new ArrayList<>(n);
        Ext2[] point = new Ext2[n];
        int size = 1 << n;
        // The claim is h_1(0) + h_1(1), so the first round's polynomial (which needs no challenge) gives it without a
        // separate pass over the tables; it is absorbed before that polynomial, as the verifier does.
        Ext2[] first = n == 0 ? null
                : allBase ? BaseRound.roundPolynomial(base, size / 2, d) : roundPolynomial(tables, size / 2, d);
        Ext2 claim = n == 0 ? sumOfProduct(tables, 1) : first[0].add(first[1]);
        SumcheckVerifier.absorbStatement(transcript, n, d, claim);
        for (int round = 0; round < n; round++) {
            int half = size / 2;
            // Witness tables usually start in the base field: the first round then multiplies base elements (one
            // product instead of an extension product's three) and folds base pairs into extension values.
            boolean baseRound = round == 0 && allBase;
            Ext2[] h = round == 0 ? first : roundPolynomial(tables, half, d);
            rounds.add(h);
            transcript.absorbExt("sumcheck.round", h);
            Ext2 r = transcript.challengeExt("sumcheck.challenge");
            point[round] = r;
            for (int j = 0; j < d; j++) {
                if (baseRound) {
                    tables[j] = BaseRound.fold(base[j], half, r);
                } else {
                    foldInPlace(tables[j], half, r);
                }
            }
            size = half;
        }
        Ext2[] evaluations = new Ext2[d];
        for (int j = 0; j < d; j++) {
            evaluations[j] = new Ext2(tables[j][0], tables[j][1]);
        }
        return new Output(new SumcheckProof(rounds), claim, point, evaluations);
    }

    private static Ext2 sumOfProduct(long[][] tables, int size) {
        long c0 = 0;
        long c1 = 0;
        for (int i = 0; i < size; i++) {
            Ext2 p = new Ext2(tables[0][2 * i], tables[0][2 * i + 1]);
            for (int j = 1; j < tables.length; j++) {
                p = p.mul(new Ext2(tables[j][2 * i], tables[j][2 * i + 1]));
            }
            c0 = Goldilocks.add(c0, p.c0());
            c1 = Goldilocks.add(c1, p.c1());
        }
        return new Ext2(c0, c1);
    }

    /** h(0..d) for this round, the pair loop split into chunks when large. */
    private static Ext2[] roundPolynomial(long[][] tables, int half, int d) {
        long[] sums;
        if (half < PARALLEL_THRESHOLD) {
            sums = new long[2 * (d + 1)];
            accumulate(tables, 0, half, half, d, sums);
        } else {
            int chunks = 64;
            int chunk = half / chunks;
            long[][] partial = new long[chunks][2 * (d + 1)];
            IntStream.range(0, chunks).parallel().forEach(c ->
                    accumulate(tables, c * chunk, (c + 1) * chunk, half, d, partial[c]));
            sums = new long[2 * (d + 1)];
            for (long[] p : partial) {
                for (int k = 0; k < sums.length; k++) {
                    sums[k] = Goldilocks.add(sums[k], p[k]);
                }
            }
        }
        Ext2[] h = new Ext2[d + 1];
        for (int t = 0; t <= d; t++) {
            h[t] = new Ext2(sums[2 * t], sums[2 * t + 1]);
        }
        return h;
    }

    /**
     * Adds Σ_{from≤i<to} Π_j f_j(t) into sums (pairs c0, c1 per t), where f_j(t) = lo + t·(hi − lo) for the pair
     * (table[i], table[i + half]). One specialised loop per degree keeps the values in registers.
     */
    static void accumulate(long[][] tables, int from, int to, int half, int d, long[] sums) {
        switch (d) {
            case 1 -> accumulate1(tables[0], from, to, half, sums);
            case 2 -> accumulate2(tables[0], tables[1], from, to, half, sums);
            default -> accumulate3(tables[0], tables[1], tables[2], from, to, half, sums);
        }
    }

    private static void accumulate1(long[] f, int from, int to, int half, long[] sums) {
        long s00 = sums[0], s01 = sums[1], s10 = sums[2], s11 = sums[3];
        for (int i = from; i < to; i++) {
            s00 = Goldilocks.add(s00, f[2 * i]);
            s01 = Goldilocks.add(s01, f[2 * i + 1]);
            s10 = Goldilocks.add(s10, f[2 * (i + half)]);
            s11 = Goldilocks.add(s11, f[2 * (i + half) + 1]);
        }
        sums[0] = s00;
        sums[1] = s01;
        sums[2] = s10;
        sums[3] = s11;
    }

    private static void accumulate2(long[] f, long[] g, int from, int to, int half, long[] sums) {
        long a0 = sums[0], a1 = sums[1], b0 = sums[2], b1 = sums[3], c0 = sums[4], c1 = sums[5];
        for (int i = from; i < to; i++) {
            Ext2 f0 = new Ext2(f[2 * i], f[2 * i + 1]);
            Ext2 f1 = new Ext2(f[2 * (i + half)], f[2 * (i + half) + 1]);
            Ext2 g0 = new Ext2(g[2 * i], g[2 * i + 1]);
            Ext2 g1 = new Ext2(g[2 * (i + half)], g[2 * (i + half) + 1]);
            Ext2 f2 = f1.add(f1).sub(f0);
            Ext2 g2 = g1.add(g1).sub(g0);
            Ext2 p0 = f0.mul(g0);
            Ext2 p1 = f1.mul(g1);
            Ext2 p2 = f2.mul(g2);
            a0 = Goldilocks.add(a0, p0.c0());
            a1 = Goldilocks.add(a1, p0.c1());
            b0 = Goldilocks.add(b0, p1.c0());
            b1 = Goldilocks.add(b1, p1.c1());
            c0 = Goldilocks.add(c0, p2.c0());
            c1 = Goldilocks.add(c1, p2.c1());
        }
        sums[0] = a0;
        sums[1] = a1;
        sums[2] = b0;
        sums[3] = b1;
        sums[4] = c0;
        sums[5] = c1;
    }

    private static void accumulate3(long[] f, long[] g, long[] k, int from, int to, int half, long[] sums) {
        long a0 = sums[0], a1 = sums[1], b0 = sums[2], b1 = sums[3];
        long c0 = sums[4], c1 = sums[5], e0 = sums[6], e1 = sums[7];
        for (int i = from; i < to; i++) {
            Ext2 f0 = new Ext2(f[2 * i], f[2 * i + 1]);
            Ext2 f1 = new Ext2(f[2 * (i + half)], f[2 * (i + half) + 1]);
            Ext2 g0 = new Ext2(g[2 * i], g[2 * i + 1]);
            Ext2 g1 = new Ext2(g[2 * (i + half)], g[2 * (i + half) + 1]);
            Ext2 k0 = new Ext2(k[2 * i], k[2 * i + 1]);
            Ext2 k1 = new Ext2(k[2 * (i + half)], k[2 * (i + half) + 1]);
            Ext2 fd = f1.sub(f0);
            Ext2 gd = g1.sub(g0);
            Ext2 kd = k1.sub(k0);
            Ext2 f2 = f1.add(fd);
            Ext2 g2 = g1.add(gd);
            Ext2 k2 = k1.add(kd);
            Ext2 p0 = f0.mul(g0).mul(k0);
            Ext2 p1 = f1.mul(g1).mul(k1);
            Ext2 p2 = f2.mul(g2).mul(k2);
            Ext2 p3 = f2.add(fd).mul(g2.add(gd)).mul(k2.add(kd));
            a0 = Goldilocks.add(a0, p0.c0());
            a1 = Goldilocks.add(a1, p0.c1());
            b0 = Goldilocks.add(b0, p1.c0());
            b1 = Goldilocks.add(b1, p1.c1());
            c0 = Goldilocks.add(c0, p2.c0());
            c1 = Goldilocks.add(c1, p2.c1());
            e0 = Goldilocks.add(e0, p3.c0());
            e1 = Goldilocks.add(e1, p3.c1());
        }
        sums[0] = a0;
        sums[1] = a1;
        sums[2] = b0;
        sums[3] = b1;
        sums[4] = c0;
        sums[5] = c1;
        sums[6] = e0;
        sums[7] = e1;
    }

    /** table[j] = table[j] + r·(table[j + half] − table[j]), in parallel chunks when large (each j independent). */
    private static void foldInPlace(long[] table, int half, Ext2 r) {
        if (half < PARALLEL_THRESHOLD) {
            Multilinear.fold(table, table, half, r);
            return;
        }
        int chunks = 64;
        int chunk = half / chunks;
        IntStream.range(0, chunks).parallel().forEach(c -> foldRange(table, c * chunk, (c + 1) * chunk, half, r));
    }

    private static void foldRange(long[] t, int from, int to, int half, Ext2 r) {
        for (int j = from; j < to; j++) {
            Ext2 lo = new Ext2(t[2 * j], t[2 * j + 1]);
            Ext2 hi = new Ext2(t[2 * (j + half)], t[2 * (j + half) + 1]);
            Ext2 v = lo.add(r.mul(hi.sub(lo)));
            t[2 * j] = v.c0();
            t[2 * j + 1] = v.c1();
        }
    }
}

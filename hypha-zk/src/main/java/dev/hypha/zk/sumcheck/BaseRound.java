package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import java.util.stream.IntStream;

/**
 * The first sumcheck round when every factor's table is in the base field: h(t) = Σ Π_j (lo_j + t·(hi_j − lo_j)) needs
 * only base products, and folding with the extension challenge r turns each base pair into one extension value with
 * two base products. Same chunking as the extension rounds; field addition is exact, so chunking does not change h.
 */
final class BaseRound {
    private static final int PARALLEL_THRESHOLD = 1 << 13;
    private static final int CHUNKS = 64;

    private BaseRound() {}

    static Ext2[] roundPolynomial(long[][] base, int half, int d) {
        long[] sums = new long[d + 1];
        if (half < PARALLEL_THRESHOLD) {
            accumulate(base, 0, half, half, d, sums);
        } else {
            int chunk = half / CHUNKS;
            long[][] partial = new long[CHUNKS][d + 1];
            IntStream.range(0, CHUNKS).parallel().forEach(c ->
                    accumulate(base, c * chunk, (c + 1) * chunk, half, d, partial[c]));
            for (long[] p : partial) {
                for (int t = 0; t <= d; t++) {
                    sums[t] = Goldilocks.add(sums[t], p[t]);
                }
            }
        }
        Ext2[] h = new Ext2[d + 1];
        for (int t = 0; t <= d; t++) {
            h[t] = Ext2.of(sums[t]);
        }
        return h;
    }

    private static void accumulate(long[][] base, int from, int to, int half, int d, long[] sums) {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        long[] f = base[0];
        long[] g = d > 1 ? base[1] : null;
        long[] k = d > 2 ? base[2] : null;
        for (int i = from; i < to; i++) {
            long f0 = f[i];
            long f1 = f[i + half];
            if (d == 1) {
                s0 = Goldilocks.add(s0, f0);
                s1 = Goldilocks.add(s1, f1);
                continue;
            }
            long fd = Goldilocks.sub(f1, f0);
            long f2 = Goldilocks.add(f1, fd);
            long g0 = g[i];
            long g1 = g[i + half];
            long gd = Goldilocks.sub(g1, g0);
            long g2 = Goldilocks.add(g1, gd);
            long p0 = Goldilocks.mul(f0, g0);
            long p1 = Goldilocks.mul(f1, g1);
            long p2 = Goldilocks.mul(f2, g2);
            if (d == 2) {
                s0 = Goldilocks.add(s0, p0);
                s1 = Goldilocks.add(s1, p1);
                s2 = Goldilocks.add(s2, p2);
                continue;
            }
            long k0 = k[i];
            long k1 = k[i + half];
            long kd = Goldilocks.sub(k1, k0);
            long k2 = Goldilocks.add(k1, kd);
            s0 = Goldilocks.add(s0, Goldilocks.mul(p0, k0));
            s1 = Goldilocks.add(s1, Goldilocks.mul(p1, k1));
            s2 = Goldilocks.add(s2, Goldilocks.mul(p2, k2));
            long p3 = Goldilocks.mul(Goldilocks.add(f2, fd), Goldilocks.add(g2, gd));
            s3 = Goldilocks.add(s3, Goldilocks.mul(p3, Goldilocks.add(k2, kd)));
        }
        long[] s = {s0, s1, s2, s3};
        for (int t = 0; t <= d; t++) {
            sums[t] = Goldilocks.add(sums[t], s[t]);
        }
    }

    /** The extension table of lo + r·(hi − lo) for the base table's pairs (j, j + half). */
    static long[] fold(long[] base, int half, Ext2 r) {
        long[] out = new long[2 * half];
        long r0 = r.c0();
        long r1 = r.c1();
        int chunks = half < PARALLEL_THRESHOLD ? 1 : CHUNKS; // half is a power of two, so chunks divide it
        int chunk = half / chunks;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            for (int j = c * chunk; j < (c + 1) * chunk; j++) {
                long lo = base[j];
                long diff = Goldilocks.sub(base[j + half], lo);
                out[2 * j] = Goldilocks.add(lo, Goldilocks.mul(r0, diff));
                out[2 * j + 1] = Goldilocks.mul(r1, diff);
            }
        });
        return out;
    }
}

package dev.hypha.zk.mlp;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.sumcheck.ExpressionSumcheck;

/**
 * The polynomials the prover and verifier share for one hidden layer's requantization y = clamp(⌊(acc·M + 2^(k−1)) /
 * 2^k⌋, lo, hi). With committed q, rem, e and range checks rem ∈ [0, 2^k), y − lo ∈ [0, hi − lo], e ∈ [0, 2^E):
 *
 * <pre>
 *   C1: acc·M + 2^(k−1) − rem − 2^k·q = 0                 (q, rem: the integer quotient and remainder)
 *   C2: (q − y)(y − lo)(hi − y) = 0                       (y strictly inside the range ⇒ y = q)
 *   C3: e·(hi − lo) − (q − y)(2y − lo − hi) = 0           (y = hi ⇒ q = hi + e ≥ hi; y = lo ⇒ q = lo − e ≤ lo)
 * </pre>
 *
 * The argument that these force y to be exactly the engine's value (every quantity stays below p/2, so field equality
 * is integer equality) is in docs/ZK.md, "Whole MLP".
 */
public final class Constraints {
    private Constraints() {}

    /** eq(τ, o)·(γ0·C1 + γ1·C2 + γ2·C3) over the values [eq, acc, y, rem, q, e]: degree 4. */
    static ExpressionSumcheck.Expression requant(Int8Mlp.Requant rq, Ext2[] gamma) {
        Ext2 m = Ext2.of(rq.multiplier());
        Ext2 c = Ext2.of(Goldilocks.fromSigned(rq.rounding()));
        Ext2 pow = Ext2.of(1L << rq.shift());
        Ext2 lo = Ext2.of(Goldilocks.fromSigned(rq.lo()));
        Ext2 hi = Ext2.of(Goldilocks.fromSigned(rq.hi()));
        Ext2 range = hi.sub(lo);
        Ext2 mid = lo.add(hi);
        return new ExpressionSumcheck.Expression() {
            @Override
            public int degree() {
                return 4;
            }

            @Override
            public Ext2 evaluate(Ext2[] v) {
                Ext2 acc = v[1], y = v[2], rem = v[3], q = v[4], e = v[5];
                Ext2 c1 = acc.mul(m).add(c).sub(rem).sub(pow.mul(q));
                Ext2 d = q.sub(y);
                Ext2 c2 = d.mul(y.sub(lo)).mul(hi.sub(y));
                Ext2 c3 = e.mul(range).sub(d.mul(y.add(y).sub(mid)));
                return v[0].mul(gamma[0].mul(c1).add(gamma[1].mul(c2)).add(gamma[2].mul(c3)));
            }
        };
    }

    /** eq(τ, x)·b·(b − 1) over [eq, b]: zero on the whole cube iff every b is a bit. */
    public static final ExpressionSumcheck.Expression BOOLEAN = new ExpressionSumcheck.Expression() {
        @Override
        public int degree() {
            return 3;
        }

        @Override
        public Ext2 evaluate(Ext2[] v) {
            return v[0].mul(v[1]).mul(v[1].sub(Ext2.ONE));
        }
    };

    /**
     * Where rem, y − lo and e sit in a neuron's packed 64-bit word: {offset, width} for each, rem at bit 0, y − lo after
     * it, e after that; k + w + (56 − k) ≤ 64, and each value's recomposition reads only its own bits, so a prover cannot
     * move weight from one value to another (the β-combination below keeps the three checks apart).
     */
    static int[][] segments(Int8Mlp.Requant rq) {
        int k = rq.shift();
        int w = rq.outputBits();
        return new int[][] {{0, k}, {k, w}, {k + w, rq.excessBits()}};
    }

    /**
     * Q(j) = β_s·2^(j − offset_s) for j in value s's segment, 0 on the bits above all three: the recomposition weights of
     * the 64 bits of a packed word, so Σ_j Q(j)·bit_j = Σ_s β_s·value_s.
     */
    static long[] recompositionWeights(Int8Mlp.Requant rq, Ext2[] beta) {
        int[][] seg = segments(rq);
        long[] q = new long[2 << MlpShape.BIT_VARS];
        for (int s = 0; s < 3; s++) {
            for (int j = 0; j < seg[s][1]; j++) {
                ExtTable.set(q, seg[s][0] + j, beta[s].mulBase(1L << j));
            }
        }
        return q;
    }

    /** Q̃(ζ), computed by the verifier from its 64 entries. */
    static Ext2 recompositionWeightsAt(Int8Mlp.Requant rq, Ext2[] beta, Ext2[] point) {
        long[] q = recompositionWeights(rq, beta);
        long[] eq = Eq.table(point);
        Ext2 sum = Ext2.ZERO;
        for (int i = 0; i < 1 << MlpShape.BIT_VARS; i++) {
            sum = sum.add(ExtTable.get(q, i).mul(ExtTable.get(eq, i)));
        }
        return sum;
    }

    /**
     * The packed word of one neuron: rem, y − lo and e, each cut to its segment's width, at the segments' offsets (a
     * value out of its range, which only a cheating prover has, then fails the recomposition).
     */
    static long pack(Int8Mlp.Requant rq, long rem, long outMinusLo, long excess) {
        int[][] seg = segments(rq);
        long[] values = {rem, outMinusLo, excess};
        long word = 0;
        for (int s = 0; s < 3; s++) {
            long mask = (1L << seg[s][1]) - 1; // widths are at most 56 bits
            word |= (values[s] & mask) << seg[s][0];
        }
        return word;
    }

    /** The 0/1 coordinates of slot index {@code slot} in {@code vars} variables, most significant first. */
    public static Ext2[] slot(int slot, int vars) {
        Ext2[] p = new Ext2[vars];
        for (int i = 0; i < vars; i++) {
            p[i] = ((slot >>> (vars - 1 - i)) & 1) == 1 ? Ext2.ONE : Ext2.ZERO;
        }
        return p;
    }

    public static Ext2[] concat(Ext2[]... parts) {
        int n = 0;
        for (Ext2[] p : parts) {
            n += p.length;
        }
        Ext2[] out = new Ext2[n];
        int at = 0;
        for (Ext2[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}

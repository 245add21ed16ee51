package dev.hypha.zk.lookup;

import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.ExpressionSumcheck;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckVerifier;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GKR for a sum of fractions Σ_x p(x)/q(x) over 2^n leaves (Papini–Haböck 2023, "Improving logarithmic derivative
 * lookups using GKR", section 3): a binary tree whose node x of layer k is the fraction of its children 2x and 2x+1
 * in layer k+1, added without dividing,
 *
 * <pre>
 *   p_k(x) = p_{k+1}(x,0)·q_{k+1}(x,1) + p_{k+1}(x,1)·q_{k+1}(x,0),   q_k(x) = q_{k+1}(x,0)·q_{k+1}(x,1),
 * </pre>
 *
 * so the root p_0/q_0 is the sum and nothing is inverted or committed in between. Layer k's claims p_k(r), q_k(r) are
 * reduced by one degree-3 sumcheck of eq(r,x)·(p0·q1 + p1·q0 + λ·q0·q1) over k variables to the four children values
 * at its point ρ, and those to claims about layer k+1 at (ρ, μ) by the line through them. At the leaves the caller is
 * left with p(r), q(r) for one random r, which it checks against its own polynomials (a commitment opening, or a public
 * table the verifier evaluates). The child bit is the least significant index bit, so layer k+1's point is layer k's
 * point with μ appended (variable 0 is the most significant bit, as everywhere in hypha-zk).
 *
 * <p>Soundness: layer k costs (3k + 3)/|F| (k rounds of degree 3, the λ batch, the line), so n layers cost at most
 * (1.5·n² + 1.5·n)/2^128 over the quadratic extension (docs/ZK.md, "LogUp lookups").
 */
public final class FractionSum {
    private FractionSum() {}

    /** The leaves' values at the final point, for the caller to check: p(point) and q(point). */
    public record Leaves(Ext2[] point, Ext2 p, Ext2 q) {
        public Leaves {
            point = point.clone();
        }

        @Override
        public Ext2[] point() {
            return point.clone();
        }
    }

    /** The proof and the leaves' point and values (the same {@link Leaves} the verifier arrives at). */
    public record Output(FractionSumProof proof, Leaves leaves) {}

    /** eq·(p0·q1 + p1·q0 + λ·q0·q1) over [eq, p0, p1, q0, q1]. */
    private static ExpressionSumcheck.Expression layer(Ext2 lambda) {
        return new ExpressionSumcheck.Expression() {
            @Override
            public int degree() {
                return 3;
            }

            @Override
            public Ext2 evaluate(Ext2[] v) {
                return v[0].mul(combine(v[1], v[2], v[3], v[4], lambda));
            }
        };
    }

    private static Ext2 combine(Ext2 p0, Ext2 p1, Ext2 q0, Ext2 q1, Ext2 lambda) {
        return p0.mul(q1).add(p1.mul(q0)).add(lambda.mul(q0).mul(q1));
    }

    /**
     * Proves Σ p/q for leaves given as {@link ExtTable}s of 2^n entries each. The transcript must already hold
     * everything p and q depend on (the committed columns and the challenges drawn after them).
     */
    public static Output prove(long[] p, long[] q, Transcript t) {
        int size = ExtTable.size(p);
        if (ExtTable.size(q) != size || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("fraction leaves need 2^n numerators and denominators, got "
                    + ExtTable.size(p) + " and " + ExtTable.size(q));
        }
        int n = Integer.numberOfTrailingZeros(size);
        // layers[k] = {p_k, q_k}, 2^k entries each; layers[n] are the leaves
        long[][][] layers = new long[n + 1][][];
        layers[n] = new long[][] {p, q};
        for (int k = n - 1; k >= 0; k--) {
            long[] cp = layers[k + 1][0];
            long[] cq = layers[k + 1][1];
            long[] np = new long[2 << k];
            long[] nq = new long[2 << k];
            for (int x = 0; x < 1 << k; x++) {
                Ext2 p0 = ExtTable.get(cp, 2 * x), p1 = ExtTable.get(cp, 2 * x + 1);
                Ext2 q0 = ExtTable.get(cq, 2 * x), q1 = ExtTable.get(cq, 2 * x + 1);
                ExtTable.set(np, x, p0.mul(q1).add(p1.mul(q0)));
                ExtTable.set(nq, x, q0.mul(q1));
            }
            layers[k] = new long[][] {np, nq};
        }
        Ext2 rootP = ExtTable.get(layers[0][0], 0);
        Ext2 rootQ = ExtTable.get(layers[0][1], 0);
        t.absorbFields("fraction-sum.vars", n);
        t.absorbExt("fraction-sum.root", rootP, rootQ);
        List<FractionSumProof.Layer> proofLayers = new ArrayList<>(n);
        Ext2[] r = new Ext2[0];
        Ext2 claimP = rootP, claimQ = rootQ;
        for (int k = 0; k < n; k++) {
            Ext2 lambda = t.challengeExt("fraction-sum.lambda");
            long[][] child = layers[k + 1];
            List<Multilinear> tables = List.of(Multilinear.ofTable(Eq.table(r)), half(child[0], 0), half(child[0], 1),
                    half(child[1], 0), half(child[1], 1));
            ExpressionSumcheck.Output sc = ExpressionSumcheck.prove(layer(lambda), tables, t);
            Ext2[] children = Arrays.copyOfRange(sc.evaluations(), 1, 5);
            t.absorbExt("fraction-sum.children", children);
            proofLayers.add(new FractionSumProof.Layer(sc.proof(), children));
            Ext2 mu = t.challengeExt("fraction-sum.mu");
            r = append(sc.point(), mu);
            claimP = line(children[0], children[1], mu);
            claimQ = line(children[2], children[3], mu);
        }
        return new Output(new FractionSumProof(rootP, rootQ, proofLayers), new Leaves(r, claimP, claimQ));
    }

    /**
     * Replays {@link #prove} for 2^n leaves and returns the leaves' point and claimed values, which the caller must check.
     *
     * @throws Rejected naming the layer whose check failed
     */
    public static Leaves verify(int n, FractionSumProof proof, Transcript t, String what) throws Rejected {
        if (proof.layers().size() != n) {
            throw new Rejected(what + ": the fraction sum has " + proof.layers().size() + " layers, expected " + n);
        }
        t.absorbFields("fraction-sum.vars", n);
        t.absorbExt("fraction-sum.root", proof.rootP(), proof.rootQ());
        Ext2[] r = new Ext2[0];
        Ext2 claimP = proof.rootP(), claimQ = proof.rootQ();
        for (int k = 0; k < n; k++) {
            FractionSumProof.Layer layer = proof.layers().get(k);
            Ext2[] c = layer.children();
            if (c.length != 4) {
                throw new Rejected(what + ": layer " + k + " sends " + c.length + " children values, expected 4");
            }
            Ext2 lambda = t.challengeExt("fraction-sum.lambda");
            Subclaim sc;
            try {
                sc = SumcheckVerifier.verify(k, 3, claimP.add(lambda.mul(claimQ)), layer.sumcheck(), t);
            } catch (SumcheckVerifier.Rejected e) {
                throw new Rejected(what + ": layer " + k + ": " + e.getMessage(), e);
            }
            for (Ext2 v : c) {
                if (!Goldilocks.isCanonical(v.c0()) || !Goldilocks.isCanonical(v.c1())) {
                    throw new Rejected(what + ": layer " + k + " sends a value that is not a canonical field element");
                }
            }
            if (!Eq.evaluate(r, sc.point()).mul(combine(c[0], c[1], c[2], c[3], lambda)).equals(sc.expected())) {
                throw new Rejected(what + ": layer " + k + ": the children do not add up to the parent fraction");
            }
            t.absorbExt("fraction-sum.children", c);
            Ext2 mu = t.challengeExt("fraction-sum.mu");
            r = append(sc.point(), mu);
            claimP = line(c[0], c[1], mu);
            claimQ = line(c[2], c[3], mu);
        }
        return new Leaves(r, claimP, claimQ);
    }

    /** The entries of {@code table} whose least significant index bit is {@code bit}, as a multilinear. */
    private static Multilinear half(long[] table, int bit) {
        int size = ExtTable.size(table) / 2;
        long[] out = new long[2 * size];
        for (int x = 0; x < size; x++) {
            out[2 * x] = table[2 * (2 * x + bit)];
            out[2 * x + 1] = table[2 * (2 * x + bit) + 1];
        }
        return Multilinear.ofTable(out);
    }

    private static Ext2 line(Ext2 at0, Ext2 at1, Ext2 mu) {
        return at0.add(mu.mul(at1.sub(at0)));
    }

    private static Ext2[] append(Ext2[] point, Ext2 last) {
        Ext2[] out = Arrays.copyOf(point, point.length + 1);
        out[point.length] = last;
        return out;
    }
}

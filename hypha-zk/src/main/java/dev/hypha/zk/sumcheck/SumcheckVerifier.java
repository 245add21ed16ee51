package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.transcript.Transcript;
import java.util.List;

/**
 * The sumcheck verifier: checks h_i(0) + h_i(1) against the running claim each round, moves the claim to h_i(r_i) by
 * Lagrange interpolation through 0..d, and returns the {@link Subclaim} about the factors at the challenge point. A
 * round whose polynomial differs from the honest one survives with probability at most d/p² per round (Schwartz–Zippel
 * over the extension); docs/ZK.md sums it up.
 */
public final class SumcheckVerifier {
    /** The highest round degree accepted: products of up to 3 factors, or an {@link ExpressionSumcheck} of degree 4. */
    public static final int MAX_DEGREE = 4;

    private SumcheckVerifier() {}

    /** Thrown when a proof is rejected; the message names the round and the check that failed. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        public Rejected(String message) {
            super(message);
        }
    }

    /** The statement both sides absorb before the first round, so a proof cannot be replayed for another shape. */
    static void absorbStatement(Transcript transcript, int numVars, int degree, Ext2 claim) {
        transcript.absorbFields("sumcheck.shape", numVars, degree);
        transcript.absorbExt("sumcheck.claim", claim);
    }

    /**
     * Verifies that Σ_x Π_{j<degree} f_j(x) = claim for n-variable multilinear f_j, given only the proof.
     *
     * @throws Rejected naming the first failed check
     */
    public static Subclaim verify(int numVars, int degree, Ext2 claim, SumcheckProof proof, Transcript transcript)
            throws Rejected {
        if (degree < 1 || degree > MAX_DEGREE) {
            throw new IllegalArgumentException("sumcheck degree must be 1 to " + MAX_DEGREE + ", got " + degree);
        }
        List<Ext2[]> rounds = proof.rounds();
        if (rounds.size() != numVars) {
            throw new Rejected("sumcheck proof has " + rounds.size() + " rounds, expected " + numVars);
        }
        absorbStatement(transcript, numVars, degree, claim);
        Ext2 current = claim;
        Ext2[] point = new Ext2[numVars];
        for (int i = 0; i < numVars; i++) {
            Ext2[] h = rounds.get(i);
            if (h.length != degree + 1) {
                throw new Rejected("sumcheck round " + i + " sends " + h.length + " values, expected " + (degree + 1));
            }
            for (Ext2 value : h) {
                if (!Goldilocks.isCanonical(value.c0()) || !Goldilocks.isCanonical(value.c1())) {
                    throw new Rejected("sumcheck round " + i + " sends a value that is not a canonical field element");
                }
            }
            if (!h[0].add(h[1]).equals(current)) {
                throw new Rejected("sumcheck round " + i + ": h(0) + h(1) does not equal the claim");
            }
            transcript.absorbExt("sumcheck.round", h);
            Ext2 r = transcript.challengeExt("sumcheck.challenge");
            point[i] = r;
            current = interpolate(h, r);
        }
        return new Subclaim(point, current);
    }

    /** The degree-(len−1) polynomial through (0, v[0]), …, (len−1, v[len−1]) evaluated at r. */
    static Ext2 interpolate(Ext2[] v, Ext2 r) {
        int len = v.length;
        Ext2 result = Ext2.ZERO;
        for (int i = 0; i < len; i++) {
            Ext2 term = v[i];
            long denominator = 1;
            for (int j = 0; j < len; j++) {
                if (j != i) {
                    term = term.mul(r.sub(Ext2.of(j)));
                    denominator = Goldilocks.mul(denominator, Goldilocks.fromSigned(i - j));
                }
            }
            result = result.add(term.mulBase(Goldilocks.inverse(denominator)));
        }
        return result;
    }
}

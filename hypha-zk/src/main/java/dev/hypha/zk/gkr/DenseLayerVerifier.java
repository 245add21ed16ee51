package dev.hypha.zk.gkr;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.pcs.Commitment;
import dev.hypha.zk.pcs.LigeroVerifier;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.sumcheck.SumcheckVerifier;
import dev.hypha.zk.transcript.Transcript;

/**
 * Verifies a {@link DenseLayerProof}: y = W·x + b for the W behind {@code weights}, given the public x, b and y.
 * If y ≠ W·x + b, the multilinear ỹ − b̃ − (Wx)~ is non-zero, so it vanishes at the random r with probability at most
 * log(out)/p²; otherwise the sumcheck and the opening must both be broken (docs/ZK.md).
 */
public final class DenseLayerVerifier {
    private DenseLayerVerifier() {}

    /** Thrown when the proof is rejected; the message names the failed check. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        public Rejected(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The statement both sides absorb, then the output challenge r. */
    static Ext2[] absorbStatement(Transcript t, DenseLayer layer, Commitment weights, long[] x, long[] b, long[] y) {
        t.absorbFields("dense.shape", layer.in(), layer.out());
        t.absorbDigest("dense.weights", weights.root());
        t.absorbFields("dense.input", x);
        t.absorbFields("dense.bias", b);
        t.absorbFields("dense.output", y);
        return t.challengeExts("dense.r", layer.outVars());
    }

    /**
     * @throws Rejected naming the failed check (output claim, sumcheck, final product, or weight opening)
     */
    public static void verify(DenseLayer layer, Commitment weights, long[] input, long[] bias, long[] output,
            DenseLayerProof proof, Transcript transcript) throws Rejected {
        if (!weights.params().equals(layer.weightParams())) {
            throw new Rejected("the weight commitment's shape " + weights.params() + " is not this layer's "
                    + layer.weightParams(), null);
        }
        long[] x = DenseLayer.padded(input, layer.in(), layer.inVars(), "the input");
        long[] b = DenseLayer.padded(bias, layer.out(), layer.outVars(), "the bias");
        long[] y = DenseLayer.padded(output, layer.out(), layer.outVars(), "the output");
        Ext2[] r = absorbStatement(transcript, layer, weights, x, b, y);
        Ext2 claim = Multilinear.ofBase(y).evaluate(r).sub(Multilinear.ofBase(b).evaluate(r));
        Subclaim sub;
        try {
            sub = SumcheckVerifier.verify(layer.inVars(), 2, claim, proof.sumcheck(), transcript);
        } catch (SumcheckVerifier.Rejected e) {
            throw new Rejected("dense layer: " + e.getMessage(), e);
        }
        Ext2 w = proof.weightEvaluation();
        if (!Goldilocks.isCanonical(w.c0()) || !Goldilocks.isCanonical(w.c1())) {
            throw new Rejected("dense layer: the weight evaluation is not a canonical field element", null);
        }
        Ext2 xAtS = Multilinear.ofBase(x).evaluate(sub.point());
        if (!w.mul(xAtS).equals(sub.expected())) {
            throw new Rejected("dense layer: W(r, s)·x(s) does not match the sumcheck's final claim", null);
        }
        transcript.absorbExt("dense.weight-evaluation", w);
        try {
            LigeroVerifier.verify(weights, DenseLayerProver.concat(r, sub.point()), w, proof.weightOpening(), transcript);
        } catch (LigeroVerifier.Rejected e) {
            throw new Rejected("dense layer: weight opening: " + e.getMessage(), e);
        }
    }
}

package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.pcs.Commitment;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckVerifier;
import dev.hypha.zk.transcript.Transcript;
import java.util.Arrays;

/**
 * Verifies an {@link MlpProof} against its {@link MlpStatement}, replaying {@link MlpProver}'s transcript: the matrix
 * products from the logits back to the input, the requantization zero-checks, range checks and booleanity, and the two
 * batched openings. It trusts nothing in the proof but what it checks; whether the statement's model root belongs to the
 * model the caller means is the caller's check ({@link MlpTables#modelCommitment}).
 */
public final class MlpVerifier {
    private MlpVerifier() {}

    public static void verify(MlpStatement st, MlpProof proof) throws Rejected {
        MlpShape shape = st.shape();
        int layers = shape.layers().size();
        if (proof.layers().size() != layers || proof.requants().size() != shape.hiddenCount()) {
            throw new Rejected("the proof has " + proof.layers().size() + " layers and " + proof.requants().size()
                    + " requantizations; the model has " + layers + " and " + shape.hiddenCount());
        }
        Transcript t = st.transcript();
        t.absorbDigest("mlp.witness-root", proof.witnessRoot());
        BlockLayout modelLayout = shape.modelLayout();
        BlockLayout witnessLayout = shape.witnessLayout();
        ClaimBatch modelClaims = new ClaimBatch(modelLayout);
        ClaimBatch witnessClaims = new ClaimBatch(witnessLayout);

        for (int l = layers - 1; l >= 0; l--) {
            MlpShape.LayerShape s = shape.layers().get(l);
            MlpProof.Layer p = proof.layers().get(layers - 1 - l);
            if ((p.accumulator() != null) != s.hidden() || (p.input() != null) != (l > 0)) {
                throw new Rejected("layer " + l + ": the proof's messages do not fit the layer");
            }
            Ext2[] r = t.challengeExts("mlp.r", s.outVars());
            t.absorbExt("mlp.bias", p.bias());
            modelClaims.add(2 * l + 1, r, p.bias());
            Ext2 output;
            if (s.hidden()) {
                output = p.accumulator();
                t.absorbExt("mlp.acc", output);
                witnessClaims.add(2 * l, Constraints.concat(Constraints.slot(MlpShape.ACC, MlpShape.VALUE_SLOT_VARS), r),
                        output);
            } else {
                output = Multilinear.ofBase(MlpTables.padded(st.logits(), s.outVars())).evaluate(r);
            }
            Subclaim sub = sumcheck(s.inVars(), 2, output.sub(p.bias()), p.matmul(), t, "layer " + l + " matrix product");
            Ext2 input = l == 0 ? Multilinear.ofBase(MlpTables.padded(Int8Mlp.quantizeInput(st.pixels()), s.inVars()))
                    .evaluate(sub.point()) : p.input();
            if (!p.weight().mul(input).equals(sub.expected())) {
                throw new Rejected("layer " + l + ": W(r, s)·x(s) does not match the matrix product's sumcheck");
            }
            t.absorbExt("mlp.weight", p.weight());
            modelClaims.add(2 * l, Constraints.concat(r, sub.point()), p.weight());
            if (l > 0) {
                t.absorbExt("mlp.input", input);
                witnessClaims.add(2 * (l - 1), Constraints.concat(
                        Constraints.slot(MlpShape.OUT, MlpShape.VALUE_SLOT_VARS), sub.point()), input);
            }
        }

        for (int h = 0; h < shape.hiddenCount(); h++) {
            RequantArgument.verify(shape.layers().get(h).requant(), shape.layers().get(h).outVars(), proof.requants().get(h),
                    witnessLayout, 2 * h, 2 * h + 1, witnessClaims, t, "layer " + h + " requantization");
        }

        modelClaims.verify(new Commitment(st.modelRoot(), shape.modelParams()), proof.model(), t, "model");
        witnessClaims.verify(new Commitment(proof.witnessRoot(), shape.witnessParams()), proof.witness(), t, "witness");
    }

    private static Subclaim sumcheck(int vars, int degree, Ext2 claim, SumcheckProof proof, Transcript t, String what)
            throws Rejected {
        return RequantArgument.sumcheck(vars, degree, claim, proof, t, what);
    }
}

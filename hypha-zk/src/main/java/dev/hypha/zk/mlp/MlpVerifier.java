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
            verifyRequant(shape, h, proof.requants().get(h), witnessLayout, witnessClaims, t);
        }

        modelClaims.verify(new Commitment(st.modelRoot(), shape.modelParams()), proof.model(), t, "model");
        witnessClaims.verify(new Commitment(proof.witnessRoot(), shape.witnessParams()), proof.witness(), t, "witness");
    }

    private static void verifyRequant(MlpShape shape, int h, MlpProof.Requant p, BlockLayout layout, ClaimBatch claims,
            Transcript t) throws Rejected {
        MlpShape.LayerShape s = shape.layers().get(h);
        Int8Mlp.Requant rq = s.requant();
        String where = "layer " + h + " requantization";
        if (p.values().length != 5 || p.rangeValues().length != 3) {
            throw new Rejected(where + ": the proof's messages do not fit the layer");
        }
        Ext2[] tau = t.challengeExts("mlp.tau", s.outVars());
        Ext2[] gamma = t.challengeExts("mlp.gamma", 3);
        Subclaim zc = sumcheck(s.outVars(), 4, Ext2.ZERO, p.zerocheck(), t, where + " zero-check");
        Ext2[] values = p.values();
        Ext2[] args = new Ext2[6];
        args[0] = Eq.evaluate(tau, zc.point());
        System.arraycopy(values, 0, args, 1, 5);
        if (!Constraints.requant(rq, gamma).evaluate(args).equals(zc.expected())) {
            throw new Rejected(where + ": the constraints do not hold at the zero-check's point");
        }
        t.absorbExt("mlp.requant-values", values);
        for (int slot = MlpShape.ACC; slot <= MlpShape.EXCESS; slot++) {
            claims.add(2 * h, Constraints.concat(Constraints.slot(slot, MlpShape.VALUE_SLOT_VARS), zc.point()), values[slot]);
        }

        int[] ranged = {MlpShape.REM, MlpShape.OUT, MlpShape.EXCESS};
        Ext2[] rangeValues = p.rangeValues();
        for (int i = 0; i < 3; i++) {
            claims.add(2 * h, Constraints.concat(Constraints.slot(ranged[i], MlpShape.VALUE_SLOT_VARS), tau), rangeValues[i]);
        }
        t.absorbExt("mlp.range-values", rangeValues);
        Ext2[] beta = t.challengeExts("mlp.beta", 3);
        Ext2 claim = beta[0].mul(rangeValues[0])
                .add(beta[1].mul(rangeValues[1].sub(Ext2.of(Goldilocks.fromSigned(rq.lo())))))
                .add(beta[2].mul(rangeValues[2]));
        Subclaim rc = sumcheck(MlpShape.BIT_VARS, 2, claim, p.recomposition(), t,
                where + " range check");
        if (!Constraints.recompositionWeightsAt(rq, beta, rc.point()).mul(p.recomposedBit()).equals(rc.expected())) {
            throw new Rejected(where + ": the bits do not recompose to the range-checked values");
        }
        t.absorbExt("mlp.recomposed-bit", p.recomposedBit());
        claims.add(2 * h + 1, Constraints.concat(tau, rc.point()), p.recomposedBit());

        Ext2[] tauBits = t.challengeExts("mlp.tau-bits", layout.blockVars(2 * h + 1));
        Subclaim bc = sumcheck(layout.blockVars(2 * h + 1), 3, Ext2.ZERO, p.booleanity(), t, where + " bit check");
        Ext2 b = p.booleanBit();
        if (!Eq.evaluate(tauBits, bc.point()).mul(b).mul(b.sub(Ext2.ONE)).equals(bc.expected())) {
            throw new Rejected(where + ": a committed bit is not 0 or 1");
        }
        t.absorbExt("mlp.boolean-bit", b);
        claims.add(2 * h + 1, bc.point(), b);
    }

    private static Subclaim sumcheck(int vars, int degree, Ext2 claim, SumcheckProof proof, Transcript t, String what)
            throws Rejected {
        try {
            return SumcheckVerifier.verify(vars, degree, claim, proof, t);
        } catch (SumcheckVerifier.Rejected e) {
            throw new Rejected(what + ": " + e.getMessage(), e);
        }
    }
}

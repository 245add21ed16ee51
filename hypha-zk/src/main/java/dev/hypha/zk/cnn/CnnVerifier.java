package dev.hypha.zk.cnn;

import static dev.hypha.zk.mlp.Constraints.concat;
import static dev.hypha.zk.mlp.Constraints.slot;
import static dev.hypha.zk.mlp.RequantArgument.sumcheck;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.lookup.RangeLookup;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpProof;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.MlpTables;
import dev.hypha.zk.mlp.RequantByteArgument;
import dev.hypha.zk.pcs.Commitment;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.transcript.Transcript;
import java.util.Arrays;

/**
 * Verifies a {@link CnnProof} against its {@link CnnStatement}, replaying {@link CnnProver}'s transcript. The verifier
 * evaluates the public wiring (im2col positions, pooling windows) itself with {@link CnnWiring}; it trusts nothing in the
 * proof but what it checks. Whether the statement's model root belongs to the model the caller means is the caller's
 * check ({@link CnnTables#modelCommitment}).
 */
public final class CnnVerifier {
    private CnnVerifier() {}

    public static void verify(CnnStatement st, CnnProof proof) throws Rejected {
        CnnShape shape = st.shape();
        int convCount = shape.convs().size();
        int denseCount = shape.dense().size();
        if (proof.dense().size() != denseCount || proof.denseRequants().size() != denseCount - 1
                || proof.convs().size() != convCount) {
            throw new Rejected("the proof's layers do not fit the model: " + proof.convs().size() + " conv blocks and "
                    + proof.dense().size() + " dense layers, the model has " + convCount + " and " + denseCount);
        }
        Transcript t = st.transcript();
        t.absorbDigest("cnn.witness-root", proof.witnessRoot());
        BlockLayout modelLayout = shape.modelLayout();
        BlockLayout witnessLayout = shape.witnessLayout();
        ClaimBatch modelClaims = new ClaimBatch(modelLayout);
        ClaimBatch witnessClaims = new ClaimBatch(witnessLayout);

        for (int d = denseCount - 1; d >= 0; d--) {
            MlpShape.LayerShape s = shape.dense().get(d);
            MlpProof.Layer p = proof.dense().get(denseCount - 1 - d);
            String where = "dense layer " + d;
            if ((p.accumulator() != null) != s.hidden() || p.input() == null) {
                throw new Rejected(where + ": the proof's messages do not fit the layer");
            }
            int mb = shape.denseModelBlock(d);
            Ext2[] r = t.challengeExts("mlp.r", s.outVars());
            t.absorbExt("mlp.bias", p.bias());
            modelClaims.add(mb + 1, r, p.bias());
            Ext2 output;
            if (s.hidden()) {
                output = p.accumulator();
                t.absorbExt("mlp.acc", output);
                witnessClaims.add(shape.denseWitnessBlock(d), concat(slot(MlpShape.ACC, MlpShape.VALUE_SLOT_VARS), r), output);
            } else {
                output = Multilinear.ofBase(MlpTables.padded(st.logits(), s.outVars())).evaluate(r);
            }
            Subclaim sub = sumcheck(s.inVars(), 2, output.sub(p.bias()), p.matmul(), t, where + " matrix product");
            if (!p.weight().mul(p.input()).equals(sub.expected())) {
                throw new Rejected(where + ": W(r, s)·x(s) does not match the matrix product's sumcheck");
            }
            t.absorbExt("mlp.weight", p.weight());
            modelClaims.add(mb, concat(r, sub.point()), p.weight());
            t.absorbExt("mlp.input", p.input());
            if (d == 0) {
                witnessClaims.add(shape.convBlock(convCount - 1, CnnShape.POOLED), sub.point(), p.input());
            } else {
                witnessClaims.add(shape.denseWitnessBlock(d - 1), concat(slot(MlpShape.OUT, MlpShape.VALUE_SLOT_VARS),
                        sub.point()), p.input());
            }
        }
        for (int h = 0; h < denseCount - 1; h++) {
            MlpShape.LayerShape s = shape.dense().get(h);
            int vb = shape.denseWitnessBlock(h);
            RequantByteArgument.verify(s.requant(), s.outVars(), proof.denseRequants().get(h), vb, vb + 1, vb + 2,
                    witnessClaims, t, "dense layer " + h + " requantization");
        }

        long[] pixels = CnnTables.field(Int8Mlp.quantizeInput(st.pixels()));
        for (int l = convCount - 1; l >= 0; l--) {
            CnnShape.ConvShape s = shape.convs().get(l);
            CnnProof.Conv p = proof.convs().get(convCount - 1 - l);
            String where = "conv block " + l;
            if ((p.wiring() == null) != (l == 0) || (p.input() == null) != (l == 0)) {
                throw new Rejected(where + ": the proof's messages do not fit the block");
            }
            int vb = shape.convBlock(l, CnnShape.VALUE);
            Ext2[] r = t.challengeExts("cnn.r", s.nv());
            Ext2[] rc = Arrays.copyOfRange(r, 0, s.cv());
            Ext2[] rp = Arrays.copyOfRange(r, s.cv(), s.nv());
            t.absorbExt("cnn.acc-bias", p.accumulator(), p.bias());
            witnessClaims.add(vb, concat(slot(MlpShape.ACC, MlpShape.VALUE_SLOT_VARS), r), p.accumulator());
            modelClaims.add(2 * l + 1, rc, p.bias());
            long[] eqRp = Eq.table(rp);
            Ext2 claim = p.accumulator().sub(p.bias().mul(CnnWiring.positions(s, eqRp)));
            Subclaim sub = sumcheck(s.ev(), 2, claim, p.conv(), t, where + " convolution");
            if (!p.kernel().mul(p.patch()).equals(sub.expected())) {
                throw new Rejected(where + ": K(r, s)·X(r, s) does not match the convolution's sumcheck");
            }
            t.absorbExt("cnn.kernel-patch", p.kernel(), p.patch());
            modelClaims.add(2 * l, concat(rc, sub.point()), p.kernel());
            long[] eqS = Eq.table(sub.point());
            if (l == 0) {
                if (!CnnWiring.dot(CnnWiring.patchTable(s, pixels, eqRp), eqS).equals(p.patch())) {
                    throw new Rejected(where + ": the im2col value is not the input's");
                }
            } else {
                int pooled = shape.convBlock(l - 1, CnnShape.POOLED);
                int inputVars = witnessLayout.blockVars(pooled);
                Subclaim wiring = sumcheck(inputVars, 2, p.patch(), p.wiring(), t, where + " input wiring");
                Ext2 wire = CnnWiring.dot(CnnWiring.inputWiring(s, inputVars, eqRp, eqS), Eq.table(wiring.point()));
                if (!wire.mul(p.input()).equals(wiring.expected())) {
                    throw new Rejected(where + ": the im2col value is not the previous block's pooled output");
                }
                t.absorbExt("cnn.input", p.input());
                witnessClaims.add(pooled, wiring.point(), p.input());
            }
            RequantByteArgument.verify(s.requant(), s.nv(), p.requant(), vb, shape.convBlock(l, CnnShape.BYTES),
                    shape.convBlock(l, CnnShape.BYTE_COUNTS), witnessClaims, t, where + " requantization");
            verifyPool(shape, l, p.pool(), witnessLayout, witnessClaims, t, where + " max-pool");
        }

        modelClaims.verify(new Commitment(st.modelRoot(), shape.modelParams()), proof.model(), t, "model");
        witnessClaims.verify(new Commitment(proof.witnessRoot(), shape.witnessParams()), proof.witness(), t, "witness");
    }

    private static void verifyPool(CnnShape shape, int l, CnnProof.Pool p, BlockLayout layout, ClaimBatch claims,
            Transcript t, String where) throws Rejected {
        CnnShape.ConvShape s = shape.convs().get(l);
        int zv = s.zv();
        int jv = s.jv();
        int windows = 1 << jv;
        if (p.differences().length != windows || p.selectorSums().length != windows) {
            throw new Rejected(where + ": the proof's messages do not fit the pooling");
        }
        Ext2[] rho = t.challengeExts("cnn.rho", zv);
        Ext2[] alpha = t.challengeExts("cnn.alpha", windows);
        Ext2[] dAt = p.differences();
        t.absorbExt("cnn.pooled", p.pooled());
        t.absorbExt("cnn.differences", dAt);
        claims.add(shape.convBlock(l, CnnShape.POOLED), rho, p.pooled());
        Ext2 claim = Ext2.ZERO;
        for (int j = 0; j < windows; j++) {
            claims.add(shape.convBlock(l, CnnShape.DIFF), concat(slot(j, jv), rho), dAt[j]);
            claim = claim.add(alpha[j].mul(p.pooled().sub(dAt[j])));
        }
        Subclaim gather = sumcheck(s.nv(), 2, claim, p.gather(), t, where + " gather");
        Ext2 weights = CnnWiring.dot(CnnWiring.gatherWeights(s, Eq.table(rho), alpha), Eq.table(gather.point()));
        if (!weights.mul(p.gathered()).equals(gather.expected())) {
            throw new Rejected(where + ": z − d is not the conv output under the window");
        }
        t.absorbExt("cnn.gathered", p.gathered());
        claims.add(shape.convBlock(l, CnnShape.VALUE), concat(slot(MlpShape.OUT, MlpShape.VALUE_SLOT_VARS), gather.point()),
                p.gathered());

        Ext2[] tauS = t.challengeExts("cnn.tau-select", jv + zv);
        Subclaim sb = sumcheck(jv + zv, 3, Ext2.ZERO, p.selectorBits(), t, where + " selector bits");
        Ext2 b = p.selectorBit();
        if (!Eq.evaluate(tauS, sb.point()).mul(b).mul(b.sub(Ext2.ONE)).equals(sb.expected())) {
            throw new Rejected(where + ": a selector is not 0 or 1");
        }
        t.absorbExt("cnn.select-bit", b);
        claims.add(shape.convBlock(l, CnnShape.SELECT), sb.point(), b);
        Ext2[] rhoSum = t.challengeExts("cnn.rho-sum", zv);
        Ext2 total = Ext2.ZERO;
        for (int j = 0; j < windows; j++) {
            claims.add(shape.convBlock(l, CnnShape.SELECT), concat(slot(j, jv), rhoSum), p.selectorSums()[j]);
            total = total.add(p.selectorSums()[j]);
        }
        if (!total.equals(Ext2.ONE)) {
            throw new Rejected(where + ": the selectors of a window do not sum to one");
        }
        t.absorbExt("cnn.select-sums", p.selectorSums());

        Ext2[] tauSel = t.challengeExts("cnn.tau-selected", zv);
        Subclaim selected = sumcheck(jv + zv, 3, Ext2.ZERO, p.selected(), t, where + " selected difference");
        Ext2[] oPart = Arrays.copyOfRange(selected.point(), jv, jv + zv);
        if (!Eq.evaluate(tauSel, oPart).mul(p.selectedS()).mul(p.selectedD()).equals(selected.expected())) {
            throw new Rejected(where + ": the selected element is not the window's maximum");
        }
        t.absorbExt("cnn.selected", p.selectedS(), p.selectedD());
        claims.add(shape.convBlock(l, CnnShape.SELECT), selected.point(), p.selectedS());
        claims.add(shape.convBlock(l, CnnShape.DIFF), selected.point(), p.selectedD());

        RangeLookup.Claims lookup = RangeLookup.verify(jv + zv, CnnShape.DIFF_TABLE_BITS, p.differenceLookup(), t,
                where + " difference range (a window difference outside [0, 256)?)");
        claims.add(shape.convBlock(l, CnnShape.DIFF), lookup.columnPoint(), lookup.columnValue());
        claims.add(shape.convBlock(l, CnnShape.DIFF_COUNTS), lookup.multiplicityPoint(), lookup.multiplicityValue());
    }
}

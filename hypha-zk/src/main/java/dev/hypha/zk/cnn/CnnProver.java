package dev.hypha.zk.cnn;

import static dev.hypha.zk.mlp.Constraints.concat;
import static dev.hypha.zk.mlp.Constraints.slot;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.lookup.RangeLookup;
import dev.hypha.zk.mlp.Constraints;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpProof;
import dev.hypha.zk.mlp.MlpProver;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.RequantByteArgument;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.ExpressionSumcheck;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Proves a whole int8 CNN inference (docs/ZK.md, "CNN"): commits to the model table and the witness, then, in the
 * order {@link CnnVerifier} replays: the dense head exactly as {@code MlpProver} does (its first layer's input a claim
 * on the last pooled output); per conv block, last first, the convolution as a sumcheck over the patch index against
 * the kernel and the im2col of its input (the public pixels, or a wiring sumcheck down to the previous pooled output),
 * the requantization ({@link RequantByteArgument}), and the max-pool (gather sumcheck from the conv outputs, one-hot
 * selectors, the selected difference zero, every difference an 8-bit value); then one batched opening per table.
 */
public final class CnnProver {
    private CnnProver() {}

    public record Result(CnnStatement statement, CnnProof proof) {}

    public static Result prove(Int8Cnn model, String modelId, byte[] pixels, Consumer<String> progress) {
        CnnShape shape = CnnShape.of(model);
        CnnTrace trace = CnnTrace.of(model, pixels);
        return prove(model, modelId, pixels, trace.logits(shape.classes()), CnnTables.witness(shape, trace), progress);
    }

    /** Proves with a given witness table and claimed logits (tests pass a cheating prover's, which must be rejected). */
    static Result prove(Int8Cnn model, String modelId, byte[] pixels, long[] logits, long[] witness,
            Consumer<String> progress) {
        CnnShape shape = CnnShape.of(model);
        BlockLayout modelLayout = shape.modelLayout();
        BlockLayout witnessLayout = shape.witnessLayout();
        progress.accept("committing to the model (" + modelLayout.size() + " entries)");
        long[] modelTable = CnnTables.model(model);
        CommittedPolynomial committedModel = CommittedPolynomial.commit(modelTable, shape.modelParams());
        CnnStatement statement = new CnnStatement(modelId, committedModel.commitment().root(), shape, pixels, logits);
        progress.accept("committing to the witness (" + witnessLayout.size() + " entries)");
        CommittedPolynomial committedWitness = CommittedPolynomial.commit(witness, shape.witnessParams());
        byte[] witnessRoot = committedWitness.commitment().root();
        Transcript t = statement.transcript();
        t.absorbDigest("cnn.witness-root", witnessRoot);
        ClaimBatch modelClaims = new ClaimBatch(modelLayout);
        ClaimBatch witnessClaims = new ClaimBatch(witnessLayout);
        int convCount = shape.convs().size();
        int denseCount = shape.dense().size();

        progress.accept("proving " + denseCount + " dense layers");
        List<MlpProof.Layer> dense = new ArrayList<>();
        for (int d = denseCount - 1; d >= 0; d--) {
            MlpShape.LayerShape s = shape.dense().get(d);
            int mb = shape.denseModelBlock(d);
            Ext2[] r = t.challengeExts("mlp.r", s.outVars());
            Ext2 bias = Multilinear.ofBase(MlpProver.block(modelTable, modelLayout, mb + 1)).evaluate(r);
            t.absorbExt("mlp.bias", bias);
            modelClaims.add(mb + 1, r, bias);
            Ext2 acc = null;
            if (s.hidden()) {
                int wb = shape.denseWitnessBlock(d);
                acc = Multilinear.ofBase(slotValues(witness, witnessLayout, wb, MlpShape.ACC)).evaluate(r);
                t.absorbExt("mlp.acc", acc);
                witnessClaims.add(wb, concat(slot(MlpShape.ACC, MlpShape.VALUE_SLOT_VARS), r), acc);
            }
            long[] input = d == 0 ? MlpProver.block(witness, witnessLayout, shape.convBlock(convCount - 1, CnnShape.POOLED))
                    : slotValues(witness, witnessLayout, shape.denseWitnessBlock(d - 1), MlpShape.OUT);
            long[] rows = MlpProver.rowCombination(MlpProver.block(modelTable, modelLayout, mb), s, Eq.table(r));
            SumcheckProver.Output sc = SumcheckProver.prove(List.of(Multilinear.ofTable(rows), Multilinear.ofBase(input)), t);
            Ext2 weight = sc.factorEvaluations()[0];
            t.absorbExt("mlp.weight", weight);
            modelClaims.add(mb, concat(r, sc.point()), weight);
            Ext2 in = sc.factorEvaluations()[1];
            t.absorbExt("mlp.input", in);
            if (d == 0) {
                witnessClaims.add(shape.convBlock(convCount - 1, CnnShape.POOLED), sc.point(), in);
            } else {
                witnessClaims.add(shape.denseWitnessBlock(d - 1), concat(slot(MlpShape.OUT, MlpShape.VALUE_SLOT_VARS),
                        sc.point()), in);
            }
            dense.add(new MlpProof.Layer(bias, acc, sc.proof(), weight, in));
        }
        List<RequantByteArgument.Proof> denseRequants = new ArrayList<>();
        for (int h = 0; h < denseCount - 1; h++) {
            MlpShape.LayerShape s = shape.dense().get(h);
            int vb = shape.denseWitnessBlock(h);
            denseRequants.add(RequantByteArgument.prove(s.requant(), s.outVars(), witness, witnessLayout, vb, vb + 1, vb + 2,
                    witnessClaims, t));
        }

        List<CnnProof.Conv> convs = new ArrayList<>();
        long[] pixelsField = CnnTables.field(Int8Mlp.quantizeInput(pixels));
        for (int l = convCount - 1; l >= 0; l--) {
            progress.accept("proving conv block " + l + " (convolution, requantization, max-pool)");
            CnnShape.ConvShape s = shape.convs().get(l);
            int vb = shape.convBlock(l, CnnShape.VALUE);
            Ext2[] r = t.challengeExts("cnn.r", s.nv());
            Ext2[] rc = Arrays.copyOfRange(r, 0, s.cv());
            Ext2[] rp = Arrays.copyOfRange(r, s.cv(), s.nv());
            Ext2 acc = Multilinear.ofBase(slotValues(witness, witnessLayout, vb, MlpShape.ACC)).evaluate(r);
            Ext2 bias = Multilinear.ofBase(MlpProver.block(modelTable, modelLayout, 2 * l + 1)).evaluate(rc);
            t.absorbExt("cnn.acc-bias", acc, bias);
            witnessClaims.add(vb, concat(slot(MlpShape.ACC, MlpShape.VALUE_SLOT_VARS), r), acc);
            modelClaims.add(2 * l + 1, rc, bias);
            long[] kernelRows = MlpProver.rowCombination(MlpProver.block(modelTable, modelLayout, 2 * l),
                    new MlpShape.LayerShape(s.patch(), s.out(), null), Eq.table(rc));
            long[] input = l == 0 ? pixelsField : MlpProver.block(witness, witnessLayout, shape.convBlock(l - 1, CnnShape.POOLED));
            long[] eqRp = Eq.table(rp);
            SumcheckProver.Output sc = SumcheckProver.prove(List.of(Multilinear.ofTable(kernelRows),
                    Multilinear.ofTable(CnnWiring.patchTable(s, input, eqRp))), t);
            Ext2 kernel = sc.factorEvaluations()[0];
            Ext2 patch = sc.factorEvaluations()[1];
            t.absorbExt("cnn.kernel-patch", kernel, patch);
            modelClaims.add(2 * l, concat(rc, sc.point()), kernel);
            SumcheckProver.Output wiring = null;
            Ext2 in = null;
            if (l > 0) {
                int inputVars = witnessLayout.blockVars(shape.convBlock(l - 1, CnnShape.POOLED));
                wiring = SumcheckProver.prove(List.of(
                        Multilinear.ofTable(CnnWiring.inputWiring(s, inputVars, eqRp, Eq.table(sc.point()))),
                        Multilinear.ofBase(input)), t);
                in = wiring.factorEvaluations()[1];
                t.absorbExt("cnn.input", in);
                witnessClaims.add(shape.convBlock(l - 1, CnnShape.POOLED), wiring.point(), in);
            }
            RequantByteArgument.Proof requant = RequantByteArgument.prove(s.requant(), s.nv(), witness, witnessLayout, vb,
                    shape.convBlock(l, CnnShape.BYTES), shape.convBlock(l, CnnShape.BYTE_COUNTS), witnessClaims, t);
            CnnProof.Pool pool = provePool(shape, l, witness, witnessLayout, witnessClaims, t);
            convs.add(new CnnProof.Conv(acc, bias, sc.proof(), kernel, patch, wiring == null ? null : wiring.proof(), in,
                    requant, pool));
        }

        progress.accept("opening the model and the witness");
        ClaimBatch.Proof modelOpening = modelClaims.prove(modelTable, committedModel, t);
        ClaimBatch.Proof witnessOpening = witnessClaims.prove(witness, committedWitness, t);
        return new Result(statement, new CnnProof(witnessRoot, dense, denseRequants, convs, modelOpening, witnessOpening));
    }

    private static CnnProof.Pool provePool(CnnShape shape, int l, long[] witness, BlockLayout layout, ClaimBatch claims,
            Transcript t) {
        CnnShape.ConvShape s = shape.convs().get(l);
        int zv = s.zv();
        int jv = s.jv();
        int windows = 1 << jv;
        int outputs = 1 << zv;
        long[] z = MlpProver.block(witness, layout, shape.convBlock(l, CnnShape.POOLED));
        long[] d = MlpProver.block(witness, layout, shape.convBlock(l, CnnShape.DIFF));
        long[] sel = MlpProver.block(witness, layout, shape.convBlock(l, CnnShape.SELECT));
        long[] counts = MlpProver.block(witness, layout, shape.convBlock(l, CnnShape.DIFF_COUNTS));

        // z − d_j is window element j of y, for every j, at a random pooled output ρ
        Ext2[] rho = t.challengeExts("cnn.rho", zv);
        Ext2[] alpha = t.challengeExts("cnn.alpha", windows);
        Ext2 zAt = Multilinear.ofBase(z).evaluate(rho);
        Ext2[] dAt = new Ext2[windows];
        Multilinear dTable = Multilinear.ofBase(d);
        for (int j = 0; j < windows; j++) {
            dAt[j] = dTable.evaluate(concat(slot(j, jv), rho));
        }
        t.absorbExt("cnn.pooled", zAt);
        t.absorbExt("cnn.differences", dAt);
        claims.add(shape.convBlock(l, CnnShape.POOLED), rho, zAt);
        for (int j = 0; j < windows; j++) {
            claims.add(shape.convBlock(l, CnnShape.DIFF), concat(slot(j, jv), rho), dAt[j]);
        }
        long[] y = slotValues(witness, layout, shape.convBlock(l, CnnShape.VALUE), MlpShape.OUT);
        SumcheckProver.Output gather = SumcheckProver.prove(List.of(
                Multilinear.ofTable(CnnWiring.gatherWeights(s, Eq.table(rho), alpha)), Multilinear.ofBase(y)), t);
        Ext2 gathered = gather.factorEvaluations()[1];
        t.absorbExt("cnn.gathered", gathered);
        claims.add(shape.convBlock(l, CnnShape.VALUE), concat(slot(MlpShape.OUT, MlpShape.VALUE_SLOT_VARS), gather.point()),
                gathered);

        // selectors are bits, one per window
        Ext2[] tauS = t.challengeExts("cnn.tau-select", jv + zv);
        ExpressionSumcheck.Output sb = ExpressionSumcheck.prove(Constraints.BOOLEAN,
                List.of(Multilinear.ofTable(Eq.table(tauS)), Multilinear.ofBase(sel)), t);
        Ext2 selectorBit = sb.evaluations()[1];
        t.absorbExt("cnn.select-bit", selectorBit);
        claims.add(shape.convBlock(l, CnnShape.SELECT), sb.point(), selectorBit);
        Ext2[] rhoSum = t.challengeExts("cnn.rho-sum", zv);
        Ext2[] sums = new Ext2[windows];
        Multilinear selTable = Multilinear.ofBase(sel);
        for (int j = 0; j < windows; j++) {
            sums[j] = selTable.evaluate(concat(slot(j, jv), rhoSum));
            claims.add(shape.convBlock(l, CnnShape.SELECT), concat(slot(j, jv), rhoSum), sums[j]);
        }
        t.absorbExt("cnn.select-sums", sums);

        // the selected difference is zero: Σ_o eq(τ, o)·Σ_j S_j(o)·D_j(o) = 0
        Ext2[] tauSel = t.challengeExts("cnn.tau-selected", zv);
        long[] eqSel = Eq.table(tauSel);
        long[] spread = new long[2 * windows * outputs];
        for (int j = 0; j < windows; j++) {
            System.arraycopy(eqSel, 0, spread, 2 * j * outputs, 2 * outputs);
        }
        SumcheckProver.Output selected = SumcheckProver.prove(List.of(Multilinear.ofTable(spread), Multilinear.ofBase(sel),
                Multilinear.ofBase(d)), t);
        Ext2 selectedS = selected.factorEvaluations()[1];
        Ext2 selectedD = selected.factorEvaluations()[2];
        t.absorbExt("cnn.selected", selectedS, selectedD);
        claims.add(shape.convBlock(l, CnnShape.SELECT), selected.point(), selectedS);
        claims.add(shape.convBlock(l, CnnShape.DIFF), selected.point(), selectedD);

        // every difference is an 8-bit value: D's entries looked up in [0, 256) with the committed counts (LogUp)
        RangeLookup.Output lookup = RangeLookup.prove(d, CnnShape.DIFF_TABLE_BITS, counts, t);
        claims.add(shape.convBlock(l, CnnShape.DIFF), lookup.claims().columnPoint(), lookup.claims().columnValue());
        claims.add(shape.convBlock(l, CnnShape.DIFF_COUNTS), lookup.claims().multiplicityPoint(),
                lookup.claims().multiplicityValue());
        return new CnnProof.Pool(zAt, dAt, gather.proof(), gathered, sb.proof(), selectorBit, sums, selected.proof(),
                selectedS, selectedD, lookup.proof());
    }

    /** One slot of a value block (8 slots × n neurons). */
    static long[] slotValues(long[] witness, BlockLayout layout, int block, int slot) {
        long[] values = MlpProver.block(witness, layout, block);
        int n = values.length >> MlpShape.VALUE_SLOT_VARS;
        return Arrays.copyOfRange(values, slot * n, (slot + 1) * n);
    }
}

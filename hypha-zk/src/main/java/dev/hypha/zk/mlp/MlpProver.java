package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.ExpressionSumcheck;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Proves a whole int8 MLP inference (docs/ZK.md, "Whole MLP"): commits to the model table and to the witness (every
 * hidden layer's accumulators, outputs, quotients, remainders, clamp excesses and their bits), then runs, in the
 * transcript order {@link MlpVerifier} replays:
 *
 * <ol>
 *   <li>the GKR chain from the public logits back to the public input, one matrix-product sumcheck per layer, each
 *       leaving claims on the model table (W̃, b̃) and on the witness (the layer's accumulator, its input);
 *   <li>per hidden layer, a zero-check of the requantization constraints ({@link Constraints}), a bit recomposition
 *       (the range checks) and a booleanity zero-check, each leaving claims on the witness;
 *   <li>one batched opening of each table.
 * </ol>
 */
public final class MlpProver {
    private MlpProver() {}

    /** The statement (with the model root and the logits the prover computed) and its proof. */
    public record Result(MlpStatement statement, MlpProof proof) {}

    public static Result prove(Int8Mlp model, String modelId, byte[] pixels, Consumer<String> progress) {
        MlpShape shape = MlpShape.of(model);
        MlpTrace trace = MlpTrace.of(model, pixels);
        return prove(model, modelId, pixels, trace.logits(), MlpTables.witness(shape, trace), progress);
    }

    /**
     * Proves with a given witness table and claimed logits: the honest ones above, or (in tests) a cheating prover's,
     * which must then be rejected.
     */
    static Result prove(Int8Mlp model, String modelId, byte[] pixels, long[] logits, long[] witnessTable,
            Consumer<String> progress) {
        MlpShape shape = MlpShape.of(model);
        long[] quantized = Int8Mlp.quantizeInput(pixels);
        progress.accept("committing to the model (" + shape.modelLayout().size() + " entries)");
        long[] modelTable = MlpTables.model(model);
        CommittedPolynomial committedModel = CommittedPolynomial.commit(modelTable, shape.modelParams());
        MlpStatement statement = new MlpStatement(modelId, committedModel.commitment().root(), shape, pixels, logits);

        progress.accept("committing to the witness (" + shape.witnessLayout().size() + " entries)");
        CommittedPolynomial committedWitness = CommittedPolynomial.commit(witnessTable, shape.witnessParams());
        byte[] witnessRoot = committedWitness.commitment().root();
        Transcript t = statement.transcript();
        t.absorbDigest("mlp.witness-root", witnessRoot);

        BlockLayout modelLayout = shape.modelLayout();
        BlockLayout witnessLayout = shape.witnessLayout();
        ClaimBatch modelClaims = new ClaimBatch(modelLayout);
        ClaimBatch witnessClaims = new ClaimBatch(witnessLayout);
        int layers = shape.layers().size();

        progress.accept("proving " + layers + " matrix products");
        List<MlpProof.Layer> layerProofs = new ArrayList<>();
        for (int l = layers - 1; l >= 0; l--) {
            MlpShape.LayerShape s = shape.layers().get(l);
            Ext2[] r = t.challengeExts("mlp.r", s.outVars());
            Ext2 bias = Multilinear.ofBase(block(modelTable, modelLayout, 2 * l + 1)).evaluate(r);
            t.absorbExt("mlp.bias", bias);
            modelClaims.add(2 * l + 1, r, bias);
            Ext2 acc = null;
            if (s.hidden()) {
                acc = Multilinear.ofBase(slotValues(witnessTable, witnessLayout, l, MlpShape.ACC)).evaluate(r);
                t.absorbExt("mlp.acc", acc);
                witnessClaims.add(2 * l, Constraints.concat(Constraints.slot(MlpShape.ACC, MlpShape.VALUE_SLOT_VARS), r), acc);
            }
            long[] input = l == 0 ? padded(quantized, s.inVars())
                    : slotValues(witnessTable, witnessLayout, l - 1, MlpShape.OUT);
            long[] rowCombination = rowCombination(block(modelTable, modelLayout, 2 * l), s, Eq.table(r));
            SumcheckProver.Output sc = SumcheckProver.prove(
                    List.of(Multilinear.ofTable(rowCombination), Multilinear.ofBase(input)), t);
            Ext2 weight = sc.factorEvaluations()[0];
            t.absorbExt("mlp.weight", weight);
            modelClaims.add(2 * l, Constraints.concat(r, sc.point()), weight);
            Ext2 in = null;
            if (l > 0) {
                in = sc.factorEvaluations()[1];
                t.absorbExt("mlp.input", in);
                witnessClaims.add(2 * (l - 1), Constraints.concat(Constraints.slot(MlpShape.OUT, MlpShape.VALUE_SLOT_VARS),
                        sc.point()), in);
            }
            layerProofs.add(new MlpProof.Layer(bias, acc, sc.proof(), weight, in));
        }

        progress.accept("proving " + shape.hiddenCount() + " requantizations (range checks, clamps, ReLU)");
        List<MlpProof.Requant> requants = new ArrayList<>();
        for (int h = 0; h < shape.hiddenCount(); h++) {
            requants.add(RequantArgument.prove(shape.layers().get(h).requant(), shape.layers().get(h).outVars(), witnessTable,
                    witnessLayout, 2 * h, 2 * h + 1, witnessClaims, t));
        }

        progress.accept("opening the model and the witness");
        ClaimBatch.Proof modelOpening = modelClaims.prove(modelTable, committedModel, t);
        ClaimBatch.Proof witnessOpening = witnessClaims.prove(witnessTable, committedWitness, t);
        return new Result(statement, new MlpProof(witnessRoot, layerProofs, requants, modelOpening, witnessOpening));
    }

    /** A block's entries of a packed table. */
    public static long[] block(long[] table, BlockLayout layout, int block) {
        int from = Math.toIntExact(layout.offset(block));
        return Arrays.copyOfRange(table, from, from + (1 << layout.blockVars(block)));
    }

    /** One slot of hidden layer h's value block. */
    static long[] slotValues(long[] witness, BlockLayout layout, int h, int slot) {
        long[] values = block(witness, layout, 2 * h);
        int n = values.length >> MlpShape.VALUE_SLOT_VARS;
        return Arrays.copyOfRange(values, slot * n, (slot + 1) * n);
    }

    /** A(j) = Σ_o eq(r, o)·W[o][j]: the weight block with its row variables fixed to r. */
    public static long[] rowCombination(long[] weights, MlpShape.LayerShape s, long[] eq) {
        int cols = 1 << s.inVars();
        long[] a = new long[2 * cols];
        for (int o = 0; o < s.out(); o++) {
            long e0 = eq[2 * o];
            long e1 = eq[2 * o + 1];
            for (int j = 0; j < s.in(); j++) {
                long w = weights[o * cols + j];
                if (w != 0) {
                    a[2 * j] = Goldilocks.add(a[2 * j], Goldilocks.mul(e0, w));
                    a[2 * j + 1] = Goldilocks.add(a[2 * j + 1], Goldilocks.mul(e1, w));
                }
            }
        }
        return a;
    }

    static long[] padded(long[] values, int vars) {
        return MlpTables.padded(values, vars);
    }
}

package dev.hypha.zk.gkr;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.pcs.LigeroProver;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.transcript.Transcript;
import java.util.Arrays;
import java.util.List;

/**
 * Proves one dense layer, the GKR step for a matrix product: for a random r over the output index,
 * ỹ(r) − b̃(r) = Σ_j W̃(r, j)·x̃(j), a degree-2 sumcheck over the input index that ends in one evaluation W̃(r, s),
 * opened against the weight commitment, and one x̃(s), which the verifier computes from the public input (in a
 * multi-layer circuit it becomes the previous layer's claim).
 */
public final class DenseLayerProver {
    private DenseLayerProver() {}

    /**
     * @param weights the committed weight table ({@link DenseLayer#weightTable}) and its commitment
     * @param input   x, signed, {@code layer.in()} entries
     * @param bias    b, signed, {@code layer.out()} entries
     * @param output  y = W·x + b as the prover claims it, signed
     */
    public static DenseLayerProof prove(DenseLayer layer, long[] weightTable, CommittedPolynomial weights, long[] input,
            long[] bias, long[] output, Transcript transcript) {
        long[] x = DenseLayer.padded(input, layer.in(), layer.inVars(), "the input");
        long[] b = DenseLayer.padded(bias, layer.out(), layer.outVars(), "the bias");
        long[] y = DenseLayer.padded(output, layer.out(), layer.outVars(), "the output");
        Ext2[] r = DenseLayerVerifier.absorbStatement(transcript, layer, weights.commitment(), x, b, y);

        // A(j) = Σ_o eq(r, o)·W[o][j]: W's table with the row variables fixed to r
        int cols = 1 << layer.inVars();
        long[] eq = Eq.table(r);
        long[] a = new long[2 * cols];
        for (int o = 0; o < (1 << layer.outVars()); o++) {
            Ext2 weight = ExtTable.get(eq, o);
            for (int j = 0; j < cols; j++) {
                long w = weightTable[o * cols + j];
                if (w != 0) {
                    ExtTable.set(a, j, ExtTable.get(a, j).add(weight.mulBase(w)));
                }
            }
        }
        SumcheckProver.Output sc = SumcheckProver.prove(List.of(Multilinear.ofTable(a), Multilinear.ofBase(x)), transcript);
        Ext2 weightEvaluation = sc.factorEvaluations()[0];
        transcript.absorbExt("dense.weight-evaluation", weightEvaluation);
        Ext2[] point = concat(r, sc.point());
        LigeroProver.Opening opening = LigeroProver.open(weights, point, transcript);
        return new DenseLayerProof(sc.proof(), weightEvaluation, opening.proof());
    }

    static Ext2[] concat(Ext2[] a, Ext2[] b) {
        Ext2[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

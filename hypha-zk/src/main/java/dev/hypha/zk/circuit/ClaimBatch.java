package dev.hypha.zk.circuit;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.pcs.Commitment;
import dev.hypha.zk.pcs.EvaluationProof;
import dev.hypha.zk.pcs.LigeroProver;
import dev.hypha.zk.pcs.LigeroVerifier;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.sumcheck.SumcheckVerifier;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;

/**
 * Many evaluation claims f(p_k) = v_k on one committed table, reduced to a single opening: with random c_k,
 * Σ_k c_k·v_k = Σ_x G(x)·f(x) for G = Σ_k c_k·eq(p_k, ·), a degree-2 sumcheck ending at one point z, where the verifier
 * computes G(z) itself and f(z) is opened once. If some v_k is wrong, the combination is wrong except with probability
 * 1/p² over the c_k; then the sumcheck (2·n/p²) or the opening (2^−100) must fail to catch it. One opening per
 * committed table keeps the whole proof's soundness at the commitment's 100 bits per table (docs/ZK.md).
 */
public final class ClaimBatch {
    private final BlockLayout layout;
    private final List<int[]> blocks = new ArrayList<>();
    private final List<Ext2[]> points = new ArrayList<>();
    private final List<Ext2> values = new ArrayList<>();

    public ClaimBatch(BlockLayout layout) {
        this.layout = layout;
    }

    /** Records the claim f_block(local) = value. */
    public void add(int block, Ext2[] local, Ext2 value) {
        layout.point(block, local); // checks the arity
        blocks.add(new int[] {block});
        points.add(local.clone());
        values.add(value);
    }

    public int size() {
        return values.size();
    }

    /** The batching proof: the sumcheck, f(z), and f's opening at z. */
    public record Proof(SumcheckProof sumcheck, Ext2 value, EvaluationProof opening) {}

    public Proof prove(long[] table, CommittedPolynomial committed, Transcript t) {
        Ext2[] c = t.challengeExts("batch.coefficients", size());
        long[] g = new long[2 * table.length];
        for (int k = 0; k < size(); k++) {
            int block = blocks.get(k)[0];
            long[] local = Eq.table(points.get(k));
            int offset = Math.toIntExact(layout.offset(block));
            for (int i = 0; i < (1 << layout.blockVars(block)); i++) {
                ExtTable.set(g, offset + i, ExtTable.get(g, offset + i).add(ExtTable.get(local, i).mul(c[k])));
            }
        }
        SumcheckProver.Output sc = SumcheckProver.prove(List.of(Multilinear.ofTable(g), Multilinear.ofBase(table)), t);
        Ext2 value = sc.factorEvaluations()[1];
        t.absorbExt("batch.value", value);
        LigeroProver.Opening opening = LigeroProver.open(committed, sc.point(), t);
        return new Proof(sc.proof(), value, opening.proof());
    }

    public void verify(Commitment commitment, Proof proof, Transcript t, String what) throws Rejected {
        if (commitment.params().numVars() != layout.numVars()) {
            throw new Rejected(what + ": the commitment has " + commitment.params().numVars() + " variables, the layout "
                    + layout.numVars());
        }
        Ext2[] c = t.challengeExts("batch.coefficients", size());
        Ext2 claim = Ext2.ZERO;
        for (int k = 0; k < size(); k++) {
            claim = claim.add(c[k].mul(values.get(k)));
        }
        Subclaim sub;
        try {
            sub = SumcheckVerifier.verify(layout.numVars(), 2, claim, proof.sumcheck(), t);
        } catch (SumcheckVerifier.Rejected e) {
            throw new Rejected(what + ": batching " + e.getMessage(), e);
        }
        Ext2[] z = sub.point();
        Ext2 g = Ext2.ZERO;
        for (int k = 0; k < size(); k++) {
            g = g.add(c[k].mul(Eq.evaluate(layout.point(blocks.get(k)[0], points.get(k)), z)));
        }
        if (!g.mul(proof.value()).equals(sub.expected())) {
            throw new Rejected(what + ": the batched claims do not match the opened value");
        }
        t.absorbExt("batch.value", proof.value());
        try {
            LigeroVerifier.verify(commitment, z, proof.value(), proof.opening(), t);
        } catch (LigeroVerifier.Rejected e) {
            throw new Rejected(what + ": opening: " + e.getMessage(), e);
        }
    }
}

package dev.hypha.zk.gkr;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.pcs.EvaluationProof;
import dev.hypha.zk.sumcheck.SumcheckProof;

/**
 * A proof that y = W·x + b for committed W: the sumcheck reducing ỹ(r) − b̃(r) to one evaluation W̃(r, s), that
 * evaluation, and its opening against the weight commitment.
 */
public record DenseLayerProof(SumcheckProof sumcheck, Ext2 weightEvaluation, EvaluationProof weightOpening) {}

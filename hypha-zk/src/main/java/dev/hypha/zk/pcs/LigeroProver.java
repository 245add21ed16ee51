package dev.hypha.zk.pcs;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.transcript.Transcript;

/** Opens a {@link CommittedPolynomial} at a point: the value and the {@link EvaluationProof} for it. */
public final class LigeroProver {
    private LigeroProver() {}

    public record Opening(Ext2 value, EvaluationProof proof) {}

    /** Evaluates the committed polynomial at {@code point} and proves it, following {@link LigeroOpening}'s order. */
    public static Opening open(CommittedPolynomial committed, Ext2[] point, Transcript transcript) {
        LigeroParams p = committed.params();
        if (point.length != p.numVars()) {
            throw new IllegalArgumentException("a " + p.numVars() + "-variable polynomial opened at a point with "
                    + point.length + " coordinates");
        }
        long[][] rows = committed.rows();
        Ext2[] evaluationRow = LigeroOpening.combineRows(LigeroOpening.rowWeights(point, p), rows,
                p.columns());
        Ext2 value = innerProduct(evaluationRow, LigeroOpening.columnWeights(point, p.rowVars()));

        LigeroOpening.absorbStatement(transcript, committed.commitment(), point, value);
        Ext2[] gamma = transcript.challengeExts("pcs.gamma", p.committedRows());
        Ext2[] combinedRow = LigeroOpening.combineRows(gamma, rows, p.columns());
        transcript.absorbExt("pcs.combined", combinedRow);
        transcript.absorbExt("pcs.evaluation", evaluationRow);
        long nonce = Grinding.find(transcript.state(), p.grindingBits());
        transcript.absorbFields("pcs.pow", nonce);
        int[] queries = transcript.challengeIndices("pcs.queries", p.queries(), p.codewordLength());

        long[][] columns = new long[queries.length][];
        byte[][][] paths = new byte[queries.length][][];
        for (int q = 0; q < queries.length; q++) {
            columns[q] = committed.column(queries[q]);
            paths[q] = java.util.Arrays.copyOf(committed.tree().path(queries[q]), p.pathLength());
        }
        return new Opening(value, new EvaluationProof(combinedRow, evaluationRow, nonce,
                committed.tree().cap(p.capLevel()), columns, paths));
    }

    static Ext2 innerProduct(Ext2[] a, Ext2[] b) {
        Ext2 acc = Ext2.ZERO;
        for (int i = 0; i < a.length; i++) {
            acc = acc.add(a[i].mul(b[i]));
        }
        return acc;
    }
}

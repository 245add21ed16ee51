package dev.hypha.zk.pcs;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.transcript.Transcript;
import java.util.Arrays;

/**
 * The transcript steps and row combinations that prover and verifier share, in the order both follow:
 * absorb the commitment, point and value; squeeze γ (one extension element per row); absorb the combined row γᵀM and the
 * evaluation row eq(r_rows)ᵀM; absorb the proof-of-work nonce ({@link Grinding}); squeeze the column queries.
 */
final class LigeroOpening {
    private LigeroOpening() {}

    static void absorbStatement(Transcript t, Commitment c, Ext2[] point, Ext2 value) {
        LigeroParams p = c.params();
        t.absorbDigest("pcs.root", c.root());
        t.absorbFields("pcs.shape", p.numVars(), p.rowVars(), p.logInvRate(), p.queries(), p.committedRows(),
                p.grindingBits());
        t.absorbExt("pcs.point", point);
        t.absorbExt("pcs.value", value);
    }

    /** Σ_i weights[i]·rows[i], a length-k extension vector (weights are extension elements, rows base-field). */
    static Ext2[] combineRows(Ext2[] weights, long[][] rows, int k) {
        long[] c0 = new long[k];
        long[] c1 = new long[k];
        for (int i = 0; i < rows.length; i++) {
            long w0 = weights[i].c0();
            long w1 = weights[i].c1();
            long[] row = rows[i];
            for (int j = 0; j < k; j++) {
                c0[j] = Goldilocks.add(c0[j], Goldilocks.mul(w0, row[j]));
                c1[j] = Goldilocks.add(c1[j], Goldilocks.mul(w1, row[j]));
            }
        }
        Ext2[] out = new Ext2[k];
        for (int j = 0; j < k; j++) {
            out[j] = new Ext2(c0[j], c1[j]);
        }
        return out;
    }

    /** Σ_i weights[i]·column[i]. */
    static Ext2 combineColumn(Ext2[] weights, long[] column) {
        long c0 = 0;
        long c1 = 0;
        for (int i = 0; i < column.length; i++) {
            c0 = Goldilocks.add(c0, Goldilocks.mul(weights[i].c0(), column[i]));
            c1 = Goldilocks.add(c1, Goldilocks.mul(weights[i].c1(), column[i]));
        }
        return new Ext2(c0, c1);
    }

    /**
     * eq(r_rows, ·) as weights of the committed rows: the first rowVars coordinates of the point select the row; rows
     * from committedRows on are zero and get no weight.
     */
    static Ext2[] rowWeights(Ext2[] point, LigeroParams p) {
        return Arrays.copyOf(toArray(Eq.table(Arrays.copyOfRange(point, 0, p.rowVars()))), p.committedRows());
    }

    static Ext2[] columnWeights(Ext2[] point, int rowVars) {
        return toArray(Eq.table(Arrays.copyOfRange(point, rowVars, point.length)));
    }

    private static Ext2[] toArray(long[] table) {
        Ext2[] out = new Ext2[table.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Ext2(table[2 * i], table[2 * i + 1]);
        }
        return out;
    }
}

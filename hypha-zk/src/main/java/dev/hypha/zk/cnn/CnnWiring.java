package dev.hypha.zk.cnn;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.poly.ExtTable;

/**
 * The public wiring of a CNN's layers as tables the prover sums against and the verifier evaluates itself (each in
 * O(positions·patch) or O(table) work, no commitment): which input value sits under which patch entry at which output
 * position (im2col), and which conv output each pooling window element reads. The prover and the verifier build the
 * same tables, so the convolution and pooling geometry is written once.
 */
final class CnnWiring {
    private CnnWiring() {}

    /** B(e) = Σ_p eq(r_p, p)·x[input index (p, e)]: the im2col matrix with its position variables fixed to r_p. */
    static long[] patchTable(CnnShape.ConvShape s, long[] input, long[] eqRp) {
        long[] b = new long[2 << s.ev()];
        for (int p = 0; p < s.positions(); p++) {
            Ext2 w = ExtTable.get(eqRp, p);
            for (int e = 0; e < s.patch(); e++) {
                int i = s.inputIndex(p, e);
                if (i >= 0 && input[i] != 0) {
                    ExtTable.set(b, e, ExtTable.get(b, e).add(w.mulBase(input[i])));
                }
            }
        }
        return b;
    }

    /** W(i) = Σ_{(p, e) reading input i} eq(r_p, p)·eq(s, e): X̃(r_p, s) = Σ_i W(i)·x(i). */
    static long[] inputWiring(CnnShape.ConvShape s, int inputVars, long[] eqRp, long[] eqS) {
        long[] w = new long[2 << inputVars];
        for (int p = 0; p < s.positions(); p++) {
            Ext2 wp = ExtTable.get(eqRp, p);
            for (int e = 0; e < s.patch(); e++) {
                int i = s.inputIndex(p, e);
                if (i >= 0) {
                    ExtTable.set(w, i, ExtTable.get(w, i).add(wp.mul(ExtTable.get(eqS, e))));
                }
            }
        }
        return w;
    }

    /**
     * G(i) = Σ_j α_j Σ_{pooled o whose window element j is conv output i} eq(ρ, o): Σ_j α_j·g̃_j(ρ) = Σ_i G(i)·y(i),
     * g_j being the j-th element of every window.
     */
    static long[] gatherWeights(CnnShape.ConvShape s, long[] eqRho, Ext2[] alpha) {
        long[] g = new long[2 << s.nv()];
        int windows = s.pool() * s.pool();
        for (int o = 0; o < s.pooled(); o++) {
            Ext2 w = ExtTable.get(eqRho, o);
            for (int j = 0; j < windows; j++) {
                int i = s.windowSource(o, j);
                ExtTable.set(g, i, ExtTable.get(g, i).add(w.mul(alpha[j])));
            }
        }
        return g;
    }

    /** Σ_{p < positions} eq(r_p, p): the extension of the real positions' indicator (the bias reaches only those). */
    static Ext2 positions(CnnShape.ConvShape s, long[] eqRp) {
        Ext2 sum = Ext2.ZERO;
        for (int p = 0; p < s.positions(); p++) {
            sum = sum.add(ExtTable.get(eqRp, p));
        }
        return sum;
    }

    /** Σ_i a(i)·b(i) over two extension tables of the same size. */
    static Ext2 dot(long[] a, long[] b) {
        Ext2 sum = Ext2.ZERO;
        for (int i = 0; i < ExtTable.size(a); i++) {
            sum = sum.add(ExtTable.get(a, i).mul(ExtTable.get(b, i)));
        }
        return sum;
    }
}

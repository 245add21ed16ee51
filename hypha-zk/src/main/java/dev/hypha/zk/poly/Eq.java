package dev.hypha.zk.poly;

import dev.hypha.zk.field.Ext2;

/**
 * The multilinear equality polynomial eq(r, x) = Π_i (r_i·x_i + (1 − r_i)(1 − x_i)), which is 1 when x = r on the
 * hypercube and 0 elsewhere; f(r) = Σ_x eq(r, x)·f(x) for multilinear f. Variable 0 is the most significant bit of a
 * table index, as everywhere in this package.
 */
public final class Eq {
    private Eq() {}

    /** The table eq(r, x) for every x in {0,1}^n, n = r.length, as an {@link ExtTable}. O(2^n) multiplications. */
    public static long[] table(Ext2[] r) {
        long[] t = new long[2 << r.length];
        t[0] = 1;
        int size = 1;
        for (Ext2 ri : r) {
            Ext2 oneMinus = Ext2.ONE.sub(ri);
            // Walk backwards so that reading entry i is done before entries 2i and 2i+1 overwrite it.
            for (int i = size - 1; i >= 0; i--) {
                Ext2 v = ExtTable.get(t, i);
                ExtTable.set(t, 2 * i + 1, v.mul(ri));
                ExtTable.set(t, 2 * i, v.mul(oneMinus));
            }
            size <<= 1;
        }
        return t;
    }

    /** eq(r, s) for two points of the same length. */
    public static Ext2 evaluate(Ext2[] r, Ext2[] s) {
        if (r.length != s.length) {
            throw new IllegalArgumentException("eq of points with " + r.length + " and " + s.length + " coordinates");
        }
        Ext2 acc = Ext2.ONE;
        for (int i = 0; i < r.length; i++) {
            Ext2 rs = r[i].mul(s[i]);
            // r·s + (1 − r)(1 − s) = 1 − r − s + 2rs
            acc = acc.mul(Ext2.ONE.sub(r[i]).sub(s[i]).add(rs).add(rs));
        }
        return acc;
    }
}

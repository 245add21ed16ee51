package dev.hypha.zk.poly;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;

/**
 * A multilinear polynomial in n variables over the Goldilocks extension, given by its 2^n values on the hypercube
 * (an {@link ExtTable}; index bit n−1−i is variable i, so variable 0 is the most significant bit and fixing it keeps
 * the two halves of the table contiguous). Immutable: fixing a variable returns a new, half-size polynomial.
 */
public final class Multilinear {
    private final int numVars;
    private final long[] table;

    private Multilinear(int numVars, long[] table) {
        this.numVars = numVars;
        this.table = table;
    }

    /** From 2^n extension values (an ExtTable of length 2^(n+1)); the array is copied. */
    public static Multilinear ofTable(long[] extTable) {
        int size = ExtTable.size(extTable);
        if (extTable.length % 2 != 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("a multilinear table needs 2^n entries, got " + extTable.length / 2.0);
        }
        for (long v : extTable) {
            if (!Goldilocks.isCanonical(v)) {
                throw new IllegalArgumentException("table entry " + Long.toUnsignedString(v) + " is not below p");
            }
        }
        return new Multilinear(Integer.numberOfTrailingZeros(size), extTable.clone());
    }

    /** From 2^n base-field values. */
    public static Multilinear ofBase(long[] values) {
        return ofTable(ExtTable.fromBase(values));
    }

    public int numVars() {
        return numVars;
    }

    /** The value at hypercube point with index i. */
    public Ext2 at(int i) {
        return ExtTable.get(table, i);
    }

    /** A copy of the table. */
    public long[] table() {
        return table.clone();
    }

    /** The values as base-field elements when every value lies in the base field, else null. */
    public long[] baseTableOrNull() {
        long[] base = new long[table.length / 2];
        for (int i = 0; i < base.length; i++) {
            if (table[2 * i + 1] != 0) {
                return null;
            }
            base[i] = table[2 * i];
        }
        return base;
    }

    /** The polynomial with variable 0 fixed to r: g(x_1..) = f(0, x_1..) + r·(f(1, x_1..) − f(0, x_1..)). */
    public Multilinear fixFirst(Ext2 r) {
        if (numVars == 0) {
            throw new IllegalStateException("no variable left to fix");
        }
        long[] out = new long[table.length / 2];
        fold(table, out, ExtTable.size(table) / 2, r);
        return new Multilinear(numVars - 1, out);
    }

    /** f(point), by fixing the variables one after another: 2^n extension multiplications. */
    public Ext2 evaluate(Ext2[] point) {
        if (point.length != numVars) {
            throw new IllegalArgumentException(
                    "a " + numVars + "-variable polynomial evaluated at a point with " + point.length + " coordinates");
        }
        if (numVars == 0) {
            return at(0);
        }
        long[] cur = new long[table.length / 2];
        fold(table, cur, ExtTable.size(table) / 2, point[0]);
        for (int i = 1; i < numVars; i++) {
            fold(cur, cur, ExtTable.size(cur) >> i, point[i]);
        }
        return ExtTable.get(cur, 0);
    }

    /**
     * out[j] = in[j] + r·(in[j + half] − in[j]) for j < half. {@code out} may be {@code in} (each entry is read before
     * it is written).
     */
    public static void fold(long[] in, long[] out, int half, Ext2 r) {
        for (int j = 0; j < half; j++) {
            Ext2 lo = new Ext2(in[2 * j], in[2 * j + 1]);
            Ext2 hi = new Ext2(in[2 * (j + half)], in[2 * (j + half) + 1]);
            Ext2 v = lo.add(r.mul(hi.sub(lo)));
            out[2 * j] = v.c0();
            out[2 * j + 1] = v.c1();
        }
    }
}

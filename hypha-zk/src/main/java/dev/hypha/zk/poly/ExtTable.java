package dev.hypha.zk.poly;

import dev.hypha.zk.field.Ext2;

/**
 * Helpers for tables of extension elements stored as one {@code long[]}, element i at [2i] (c0) and [2i+1] (c1):
 * no object per element, and a pair sits in one cache line.
 */
public final class ExtTable {
    private ExtTable() {}

    public static Ext2 get(long[] t, int i) {
        return new Ext2(t[2 * i], t[2 * i + 1]);
    }

    public static void set(long[] t, int i, Ext2 v) {
        t[2 * i] = v.c0();
        t[2 * i + 1] = v.c1();
    }

    /** The base-field values embedded as extension elements. */
    public static long[] fromBase(long[] base) {
        long[] t = new long[base.length * 2];
        for (int i = 0; i < base.length; i++) {
            t[2 * i] = base[i];
        }
        return t;
    }

    public static int size(long[] t) {
        return t.length / 2;
    }
}

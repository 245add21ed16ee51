package dev.hypha.incentives.yuma;

import dev.hypha.incentives.fixed.I32F32;

/**
 * Rows of (uid, u16) pairs as subtensor stores {@code Weights} and {@code Bonds}: row i belongs to UID i, pairs keep
 * their stored order. {@code cols[i][k]} is the target UID, {@code values[i][k]} the stored u16.
 */
public record U16Rows(int[][] cols, int[][] values) {
    public U16Rows {
        if (cols.length != values.length) throw new IllegalArgumentException("rows: " + cols.length + " != " + values.length);
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].length != values[i].length) throw new IllegalArgumentException("row " + i + ": lengths differ");
        }
    }

    public static U16Rows empty(int rows) {
        int[][] c = new int[rows][0];
        int[][] v = new int[rows][0];
        return new U16Rows(c, v);
    }

    public int rows() {
        return cols.length;
    }

    /** {@code I32F32::saturating_from_num(u16)} for every value: {@code get_weights_sparse} / {@code get_bonds_sparse}. */
    public SparseMatrix toFixed() {
        SparseMatrix.Builder b = new SparseMatrix.Builder(rows());
        for (int i = 0; i < rows(); i++) {
            long[] v = new long[values[i].length];
            for (int k = 0; k < v.length; k++) v[k] = I32F32.fromInt(values[i][k]);
            b.setRow(i, cols[i].clone(), v);
        }
        return b.build();
    }

    /** {@code fixed_proportion_to_u16} for every value: how the epoch stores bonds. */
    public static U16Rows fromProportions(SparseMatrix m) {
        int[][] c = new int[m.rows()][];
        int[][] v = new int[m.rows()][];
        for (int i = 0; i < m.rows(); i++) {
            c[i] = m.cols(i).clone();
            v[i] = new int[c[i].length];
            for (int k = 0; k < c[i].length; k++) v[i][k] = I32F32.proportionToU16(m.vals(i)[k]);
        }
        return new U16Rows(c, v);
    }
}

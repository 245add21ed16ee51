package dev.hypha.incentives.yuma;

import java.util.Arrays;

/**
 * subtensor's sparse matrix {@code Vec<Vec<(u16, I32F32)>>}: one row per UID, each row a list of (column, value)
 * pairs in the order they were stored (subtensor keeps the order a validator submitted, zeros included). Values are
 * {@link dev.hypha.incentives.fixed.I32F32} bits. Rows are never mutated after construction.
 */
public final class SparseMatrix {
    private final int[][] cols;
    private final long[][] vals;

    public SparseMatrix(int[][] cols, long[][] vals) {
        if (cols.length != vals.length) throw new IllegalArgumentException("rows: " + cols.length + " != " + vals.length);
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].length != vals[i].length) throw new IllegalArgumentException("row " + i + " lengths differ");
        }
        this.cols = cols;
        this.vals = vals;
    }

    public static SparseMatrix empty(int rows) {
        int[][] c = new int[rows][];
        long[][] v = new long[rows][];
        Arrays.fill(c, new int[0]);
        Arrays.fill(v, new long[0]);
        return new SparseMatrix(c, v);
    }

    public int rows() {
        return cols.length;
    }

    public int[] cols(int row) {
        return cols[row];
    }

    public long[] vals(int row) {
        return vals[row];
    }

    /** Builds a matrix row by row; each row is appended in order. */
    public static final class Builder {
        private final int[][] cols;
        private final long[][] vals;
        private int[] rowCols = new int[8];
        private long[] rowVals = new long[8];
        private int rowSize;

        public Builder(int rows) {
            cols = new int[rows][];
            vals = new long[rows][];
        }

        public void add(int col, long val) {
            if (rowSize == rowCols.length) {
                rowCols = Arrays.copyOf(rowCols, rowSize * 2);
                rowVals = Arrays.copyOf(rowVals, rowSize * 2);
            }
            rowCols[rowSize] = col;
            rowVals[rowSize] = val;
            rowSize++;
        }

        public void endRow(int row) {
            cols[row] = Arrays.copyOf(rowCols, rowSize);
            vals[row] = Arrays.copyOf(rowVals, rowSize);
            rowSize = 0;
        }

        public void setRow(int row, int[] c, long[] v) {
            cols[row] = c;
            vals[row] = v;
        }

        public SparseMatrix build() {
            for (int i = 0; i < cols.length; i++) {
                if (cols[i] == null) {
                    cols[i] = new int[0];
                    vals[i] = new long[0];
                }
            }
            return new SparseMatrix(cols, vals);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseMatrix m && Arrays.deepEquals(cols, m.cols) && Arrays.deepEquals(vals, m.vals);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(cols) * 31 + Arrays.deepHashCode(vals);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < rows(); i++) {
            s.append(i == 0 ? "" : ", ").append('[');
            for (int k = 0; k < cols[i].length; k++) {
                s.append(k == 0 ? "" : ", ").append('(').append(cols[i][k]).append(", ")
                        .append(dev.hypha.incentives.fixed.I32F32.toPlainString(vals[i][k])).append(')');
            }
            s.append(']');
        }
        return s.append(']').toString();
    }
}

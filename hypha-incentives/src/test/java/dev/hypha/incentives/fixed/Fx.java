package dev.hypha.incentives.fixed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.incentives.yuma.SparseMatrix;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Test helpers that mirror subtensor's test helpers: {@code I32F32::from_num(f32/f64)} (nearest, ties to even, the
 * crate's float conversion), {@code vec_to_fixed}, {@code vec_to_sparse_mat_fixed} and the compare-within-epsilon
 * assertions. Floating point appears only here, to read the literals subtensor's tests are written in.
 */
public final class Fx {
    private Fx() {}

    /** {@code I32F32::from_num(x as f32)}: the f32 value exactly, rounded to 32 fractional bits, ties to even. */
    public static long f32(double x) {
        return ofExact((float) x);
    }

    /** {@code I32F32::from_num(x: f64)}. */
    public static long f64(double x) {
        return ofExact(x);
    }

    private static long ofExact(double exact) {
        return new BigDecimal(exact).multiply(BigDecimal.valueOf(I32F32.ONE)).setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    public static long[] vec(double... xs) {
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = f32(xs[i]);
        return out;
    }

    /** {@code vec_to_sparse_mat_fixed}: row-major (or transposed) values, keeping only entries &gt; 0. */
    public static SparseMatrix sparse(double[] v, int rows, boolean transpose) {
        int cols = v.length / rows;
        int outRows = transpose ? cols : rows;
        int inner = transpose ? rows : cols;
        SparseMatrix.Builder b = new SparseMatrix.Builder(outRows);
        for (int r = 0; r < outRows; r++) {
            for (int c = 0; c < inner; c++) {
                double x = transpose ? v[c * cols + r] : v[r * cols + c];
                if ((float) x > 0f) b.add(c, f32(x));
            }
            b.endRow(r);
        }
        return b.build();
    }

    /** {@code vec_to_mat_fixed}: a dense matrix. */
    public static long[][] dense(double[] v, int rows) {
        int cols = v.length / rows;
        long[][] m = new long[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m[r][c] = f32(v[r * cols + c]);
        return m;
    }

    public static void assertClose(long[] actual, long[] expected, long epsilon) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("index %d: %s vs %s", i,
                    I32F32.toPlainString(actual[i]), I32F32.toPlainString(expected[i])).isLessThanOrEqualTo(epsilon);
        }
    }

    /** {@code assert_sparse_mat_compare}: same rows, same columns in the same order, values within epsilon. */
    public static void assertSparseClose(SparseMatrix actual, SparseMatrix expected, long epsilon) {
        assertThat(actual.rows()).as("rows").isEqualTo(expected.rows());
        for (int i = 0; i < actual.rows(); i++) {
            assertThat(actual.cols(i)).as("row %d columns of %s", i, actual).isEqualTo(expected.cols(i));
            for (int k = 0; k < actual.cols(i).length; k++) {
                assertThat(Math.abs(actual.vals(i)[k] - expected.vals(i)[k])).as("row %d entry %d of %s", i, k, actual)
                        .isLessThanOrEqualTo(epsilon);
            }
        }
    }
}

package dev.hypha.incentives.yuma;

import static dev.hypha.incentives.fixed.I32F32.ONE;
import static dev.hypha.incentives.fixed.I32F32.ZERO;
import static dev.hypha.incentives.fixed.I32F32.saturatingAdd;
import static dev.hypha.incentives.fixed.I32F32.saturatingMul;
import static dev.hypha.incentives.fixed.I32F32.saturatingSub;

import dev.hypha.incentives.fixed.I32F32;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The vector and sparse-matrix functions of subtensor's {@code epoch/math.rs} that the sparse epoch uses, with the
 * same edge cases: missing entries read as 0 ({@code get_safe}), masks shorter than the vector mask the rest,
 * zero sums leave a vector as it is, {@code safe_div} gives 0 on a zero divisor. Vectors are {@link I32F32} bits.
 *
 * <p>Plain {@code iter().sum()} over fixed-point values is a wrapping add in subtensor's release build (overflow
 * checks are off there), so {@link #sum} wraps; every other accumulation saturates exactly where math.rs does.
 */
public final class YumaMath {
    private YumaMath() {}

    /** Mask functions over u64 block numbers (compared unsigned, since subtensor uses u64::MAX as "none"). */
    @FunctionalInterface
    public interface U64Mask {
        boolean masked(long first, long second);
    }

    private static long at(long[] v, int i) {
        return i < v.length ? v[i] : 0;
    }

    // ---- vectors -------------------------------------------------------------------------------------------

    /** {@code x.iter().sum()}: wrapping, as subtensor's release build. */
    public static long sum(long[] x) {
        long s = 0;
        for (long v : x) s += v;
        return s;
    }

    public static boolean isZero(long[] x) {
        return sum(x) == ZERO;
    }

    /** {@code normalize} / {@code inplace_normalize}: divide by the sum unless it is 0. */
    public static long[] normalize(long[] x) {
        return normalizeUsingSum(x, sum(x));
    }

    /** {@code inplace_normalize_using_sum}. */
    public static long[] normalizeUsingSum(long[] x, long sum) {
        if (sum == ZERO) return x.clone();
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) out[i] = I32F32.safeDiv(x[i], sum);
        return out;
    }

    /** {@code is_topk}: true for the k largest (a stable ascending sort marks the first n - k false). */
    public static boolean[] isTopk(long[] x, int k) {
        boolean[] result = new boolean[x.length];
        Arrays.fill(result, true);
        return markBottom(x, k, result);
    }

    /** {@code is_topk_nonzero}: as {@link #isTopk}, and zeros are never in. */
    public static boolean[] isTopkNonzero(long[] x, int k) {
        boolean[] result = new boolean[x.length];
        for (int i = 0; i < x.length; i++) result[i] = x[i] != 0;
        return markBottom(x, k, result);
    }

    private static boolean[] markBottom(long[] x, int k, boolean[] result) {
        int n = x.length;
        if (n < k) return result;
        Integer[] idx = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingLong(i -> x[i])); // stable, like Rust's sort_by_key
        for (int r = 0; r < n - k; r++) result[idx[r]] = false;
        return result;
    }

    /** {@code inplace_mask_vector}: zero where the mask is true; entries past the mask's end are masked too. */
    public static long[] maskVector(boolean[] mask, long[] v) {
        if (mask.length == 0) return v.clone();
        long[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (i >= mask.length || mask[i]) out[i] = ZERO;
        }
        return out;
    }

    /** {@code vec_mul}: element-wise product over the shorter length, 0 where a product overflows. */
    public static long[] vecMul(long[] a, long[] b) {
        long[] out = new long[Math.min(a.length, b.length)];
        for (int i = 0; i < out.length; i++) out[i] = I32F32.mulOrZero(a[i], b[i]);
        return out;
    }

    /** {@code clamp_value}: min(value, high), then max(.., low). */
    public static long clamp(long value, long low, long high) {
        return Math.max(Math.min(value, high), low);
    }

    /**
     * {@code vec_max_upscale_to_u16}: scale so the largest entry becomes 65535, with the three branches of math.rs
     * (all zero; largest above 32768, which divides first to avoid saturation; otherwise multiply first).
     */
    public static int[] vecMaxUpscaleToU16(long[] x) {
        int[] out = new int[x.length];
        if (x.length == 0) return out;
        long max = Arrays.stream(x).max().getAsLong();
        long threshold = I32F32.fromInt(32768);
        for (int i = 0; i < x.length; i++) {
            if (max == ZERO) {
                out[i] = I32F32.toU16(saturatingMul(x[i], I32F32.U16_MAX));
            } else if (max > threshold) {
                out[i] = I32F32.toU16(I32F32.round(saturatingMul(x[i], I32F32.safeDiv(I32F32.U16_MAX, max))));
            } else {
                out[i] = I32F32.toU16(I32F32.round(I32F32.safeDiv(saturatingMul(x[i], I32F32.U16_MAX), max)));
            }
        }
        return out;
    }

    /** {@code vec_u16_max_upscale_to_u16}: how {@code set_weights} stores a validator's row. */
    public static int[] vecU16MaxUpscaleToU16(int[] x) {
        long[] fixed = new long[x.length];
        for (int i = 0; i < x.length; i++) fixed[i] = I32F32.fromInt(x[i]);
        return vecMaxUpscaleToU16(fixed);
    }

    // ---- sparse matrices -----------------------------------------------------------------------------------

    /** {@code mask_rows_sparse}: rows whose mask is true (or missing) become empty. */
    public static SparseMatrix maskRowsSparse(boolean[] mask, SparseMatrix m) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            if (i >= mask.length || mask[i]) b.setRow(i, new int[0], new long[0]);
            else b.setRow(i, m.cols(i), m.vals(i));
        }
        return b.build();
    }

    /** {@code mask_diag_sparse}. */
    public static SparseMatrix maskDiagSparse(SparseMatrix m) {
        return filter(m, (i, j) -> i != j);
    }

    /** {@code mask_diag_sparse_except_index}: removes self-weights except at {@code except}. */
    public static SparseMatrix maskDiagSparseExceptIndex(SparseMatrix m, int except) {
        return filter(m, (i, j) -> i != j || (i == except && j == except));
    }

    /** {@code vec_mask_sparse_matrix}: removes (i, j) where mask(first[i], second[j]); missing entries read 0. */
    public static SparseMatrix vecMaskSparseMatrix(SparseMatrix m, long[] first, long[] second, U64Mask mask) {
        return filter(m, (i, j) -> !mask.masked(at(first, i), at(second, j)));
    }

    /** {@code scalar_vec_mask_sparse_matrix}: removes (i, j) where mask(scalar, vector[j]). */
    public static SparseMatrix scalarVecMaskSparseMatrix(SparseMatrix m, long scalar, long[] vector, U64Mask mask) {
        return filter(m, (i, j) -> !mask.masked(scalar, at(vector, j)));
    }

    private interface Keep {
        boolean keep(int row, int col);
    }

    private static SparseMatrix filter(SparseMatrix m, Keep keep) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (keep.keep(i, c[k])) b.add(c[k], v[k]);
            }
            b.endRow(i);
        }
        return b.build();
    }

    /** {@code inplace_row_normalize_sparse}: rows with a positive (wrapping) sum are divided by it. */
    public static SparseMatrix rowNormalizeSparse(SparseMatrix m) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            long rowSum = sum(m.vals(i));
            if (rowSum > 0) {
                long[] v = m.vals(i).clone();
                for (int k = 0; k < v.length; k++) v[k] = I32F32.safeDiv(v[k], rowSum);
                b.setRow(i, m.cols(i), v);
            } else {
                b.setRow(i, m.cols(i), m.vals(i));
            }
        }
        return b.build();
    }

    /** {@code row_sum_sparse}. */
    public static long[] rowSumSparse(SparseMatrix m) {
        long[] out = new long[m.rows()];
        for (int i = 0; i < m.rows(); i++) out[i] = sum(m.vals(i));
        return out;
    }

    /** {@code inplace_col_normalize_sparse}: saturating column sums; columns at or past {@code columns} are kept. */
    public static SparseMatrix colNormalizeSparse(SparseMatrix m, int columns) {
        long[] colSum = new long[columns];
        for (int i = 0; i < m.rows(); i++) {
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < columns) colSum[c[k]] = saturatingAdd(colSum[c[k]], v[k]);
            }
        }
        return divideByColumn(m, colSum);
    }

    /** {@code inplace_col_max_upscale_sparse}: divide each column by its maximum (when non-zero). */
    public static SparseMatrix colMaxUpscaleSparse(SparseMatrix m, int columns) {
        long[] colMax = new long[columns];
        for (int i = 0; i < m.rows(); i++) {
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < columns && colMax[c[k]] < v[k]) colMax[c[k]] = v[k];
            }
        }
        return divideByColumn(m, colMax);
    }

    private static SparseMatrix divideByColumn(SparseMatrix m, long[] divisor) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            int[] c = m.cols(i);
            long[] v = m.vals(i).clone();
            for (int k = 0; k < c.length; k++) {
                long d = at(divisor, c[k]);
                if (d != ZERO) v[k] = I32F32.safeDiv(v[k], d);
            }
            b.setRow(i, c, v);
        }
        return b.build();
    }

    /** {@code row_hadamard_sparse}: row i times vector[i]; stops (fewer rows) when the vector runs out. */
    public static SparseMatrix rowHadamardSparse(SparseMatrix m, long[] vector) {
        int rows = Math.min(m.rows(), vector.length);
        SparseMatrix.Builder b = new SparseMatrix.Builder(rows);
        for (int i = 0; i < rows; i++) {
            long[] v = m.vals(i).clone();
            for (int k = 0; k < v.length; k++) v[k] = saturatingMul(v[k], vector[i]);
            b.setRow(i, m.cols(i), v);
        }
        return b.build();
    }

    /** {@code matmul_sparse}: result_j = Σ_i vector_i · m_ij, saturating, over {@code columns} columns. */
    public static long[] matmulSparse(SparseMatrix m, long[] vector, int columns) {
        long[] result = new long[columns];
        for (int i = 0; i < m.rows(); i++) {
            long scale = at(vector, i);
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < columns) result[c[k]] = saturatingAdd(result[c[k]], saturatingMul(scale, v[k]));
            }
        }
        return result;
    }

    /** {@code matmul_transpose_sparse}: result_i = Σ_j vector_j · m_ij, saturating. */
    public static long[] matmulTransposeSparse(SparseMatrix m, long[] vector) {
        long[] result = new long[m.rows()];
        for (int i = 0; i < m.rows(); i++) {
            long acc = ZERO;
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) acc = saturatingAdd(acc, saturatingMul(at(vector, c[k]), v[k]));
            result[i] = acc;
        }
        return result;
    }

    /** {@code col_clip_sparse}: values above the column threshold become it, or are dropped if it is &lt;= 0. */
    public static SparseMatrix colClipSparse(SparseMatrix m, long[] threshold) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) {
                long th = at(threshold, c[k]);
                if (th < v[k]) {
                    if (th > ZERO) b.add(c[k], th);
                } else {
                    b.add(c[k], v[k]);
                }
            }
            b.endRow(i);
        }
        return b.build();
    }

    /**
     * {@code weighted_median}: the stake-weighted quantile by a binary search that always pivots on the middle
     * index of the current partition (deterministic), with math.rs's iteration limit.
     */
    public static long weightedMedian(long[] stake, long[] score, int[] partition, long minority, long lo, long hi) {
        if (stake.length != score.length) return ZERO;
        int[] current = partition;
        int iterations = 0;
        int limit = partition.length;
        int[] lower = new int[partition.length];
        int[] upper = new int[partition.length];
        while (true) {
            int n = current.length;
            if (n == 0) return ZERO;
            if (n == 1) return at(score, current[0]);
            long pivot = at(score, current[n / 2]);
            long loStake = ZERO;
            long hiStake = ZERO;
            int nLower = 0;
            int nUpper = 0;
            for (int idx : current) {
                long s = at(score, idx);
                if (s == pivot) continue;
                if (s < pivot) {
                    loStake = saturatingAdd(loStake, at(stake, idx));
                    lower[nLower++] = idx;
                } else {
                    hiStake = saturatingAdd(hiStake, at(stake, idx));
                    upper[nUpper++] = idx;
                }
            }
            if (minority < saturatingAdd(lo, loStake) && nLower > 0) {
                current = Arrays.copyOf(lower, nLower);
                hi = saturatingAdd(lo, loStake);
            } else if (saturatingSub(hi, hiStake) <= minority && nUpper > 0) {
                current = Arrays.copyOf(upper, nUpper);
                lo = saturatingSub(hi, hiStake);
            } else {
                return pivot;
            }
            iterations++;
            if (iterations > limit) return ZERO;
        }
    }

    /**
     * {@code weighted_median_col_sparse}: per column, the stake-weighted κ-quantile over the rows with positive
     * stake (their stake renormalised), absent entries counting as 0.
     */
    public static long[] weightedMedianColSparse(long[] stake, SparseMatrix score, int columns, long majority) {
        long[] useStake = normalize(Arrays.stream(stake).filter(s -> s > ZERO).toArray());
        long stakeSum = sum(useStake);
        long minority = saturatingSub(stakeSum, majority);
        int[] stakeIdx = IntStream.range(0, useStake.length).toArray();
        long[][] useScore = new long[columns][useStake.length];
        int k = 0;
        int rows = Math.min(stake.length, score.rows());
        for (int i = 0; i < rows; i++) {
            if (stake[i] > ZERO) {
                int[] c = score.cols(i);
                long[] v = score.vals(i);
                for (int e = 0; e < c.length; e++) {
                    if (c[e] < columns && k < useStake.length) useScore[c[e]][k] = v[e];
                }
                k++;
            }
        }
        long[] median = new long[columns];
        for (int j = 0; j < columns; j++) {
            median[j] = weightedMedian(useStake, useScore[j], stakeIdx, minority, ZERO, stakeSum);
        }
        return median;
    }

    /**
     * {@code interpolate_sparse}: a + ratio·(b − a) element-wise over dense rows of {@code columns}, keeping
     * positive results (in column order); ratio 0 or 1 returns a or b unchanged, mismatched row counts return b.
     */
    public static SparseMatrix interpolateSparse(SparseMatrix a, SparseMatrix b, int columns, long ratio) {
        if (ratio == ZERO) return a;
        if (ratio == ONE) return b;
        if (a.rows() != b.rows()) return b;
        SparseMatrix.Builder out = new SparseMatrix.Builder(a.rows());
        long[] row1 = new long[columns];
        long[] row2 = new long[columns];
        for (int i = 0; i < a.rows(); i++) {
            if (a.cols(i).length == 0 && b.cols(i).length == 0) { // all zeros: nothing positive to keep
                out.endRow(i);
                continue;
            }
            Arrays.fill(row1, ZERO);
            Arrays.fill(row2, ZERO);
            densify(a, i, row1);
            densify(b, i, row2);
            for (int j = 0; j < columns; j++) {
                long interp = saturatingAdd(row1[j], saturatingMul(ratio, saturatingSub(row2[j], row1[j])));
                if (ZERO < interp) out.add(j, interp);
            }
            out.endRow(i);
        }
        return out.build();
    }

    /** Writes row i into a dense array; later duplicates overwrite earlier ones, as math.rs's loops do. */
    private static void densify(SparseMatrix m, int i, long[] dense) {
        int[] c = m.cols(i);
        long[] v = m.vals(i);
        for (int k = 0; k < c.length; k++) {
            if (c[k] < dense.length) dense[c[k]] = v[k];
        }
    }

    /** {@code mat_vec_mul_sparse}: m_ij · vector_j (saturating), zero products dropped. */
    public static SparseMatrix matVecMulSparse(SparseMatrix m, long[] vector) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            int[] c = m.cols(i);
            long[] v = m.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < vector.length) {
                    long p = saturatingMul(v[k], vector[c[k]]);
                    if (p != ZERO) b.add(c[k], p);
                }
            }
            b.endRow(i);
        }
        return b.build();
    }

    /**
     * {@code mat_ema_sparse}: alpha·new + (1 − alpha)·old over dense rows as wide as the matrix has rows (math.rs
     * assumes a square matrix), keeping positive results in column order.
     */
    public static SparseMatrix matEmaSparse(SparseMatrix next, SparseMatrix old, long alpha) {
        int n = next.rows();
        long oneMinusAlpha = saturatingSub(ONE, alpha);
        SparseMatrix.Builder b = new SparseMatrix.Builder(n);
        long[] acc = new long[n];
        for (int i = 0; i < n; i++) {
            boolean hasOld = i < old.rows();
            if (next.cols(i).length == 0 && (!hasOld || old.cols(i).length == 0)) { // an all-zero row stays empty
                b.endRow(i);
                continue;
            }
            Arrays.fill(acc, ZERO);
            int[] c = next.cols(i);
            long[] v = next.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < n) acc[c[k]] = saturatingAdd(acc[c[k]], saturatingMul(alpha, v[k]));
            }
            if (hasOld) {
                c = old.cols(i);
                v = old.vals(i);
                for (int k = 0; k < c.length; k++) {
                    if (c[k] < n) acc[c[k]] = saturatingAdd(acc[c[k]], saturatingMul(oneMinusAlpha, v[k]));
                }
            }
            for (int j = 0; j < n; j++) {
                if (acc[j] > ZERO) b.add(j, acc[j]);
            }
            b.endRow(i);
        }
        return b.build();
    }

    /**
     * {@code mat_ema_alpha_sparse}: per entry of the new matrix, (1 − α_ij)·old_ij + max(0, α_ij·new_ij) capped at 1,
     * kept when positive, in the new row's order. An old entry with no new entry in its row is dropped, as in
     * math.rs. Mismatched row counts return {@code next}. {@code alpha} rows may be empty for rows whose new row is
     * empty (the result row is empty either way).
     */
    public static SparseMatrix matEmaAlphaSparse(SparseMatrix next, SparseMatrix old, long[][] alpha) {
        if (next.rows() != old.rows() || next.rows() != alpha.length) return next;
        SparseMatrix.Builder b = new SparseMatrix.Builder(next.rows());
        for (int i = 0; i < next.rows(); i++) {
            long[] alphaRow = alpha[i];
            long[] decayed = new long[alphaRow.length];
            int[] c = old.cols(i);
            long[] v = old.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < alphaRow.length) decayed[c[k]] = saturatingMul(saturatingSub(ONE, alphaRow[c[k]]), v[k]);
            }
            c = next.cols(i);
            v = next.vals(i);
            for (int k = 0; k < c.length; k++) {
                if (c[k] < alphaRow.length) {
                    long inc = Math.max(saturatingMul(alphaRow[c[k]], v[k]), ZERO);
                    long val = Math.min(saturatingAdd(decayed[c[k]], inc), ONE);
                    if (val > ZERO) b.add(c[k], val);
                }
            }
            b.endRow(i);
        }
        return b.build();
    }

    /**
     * The value {@code compute_liquid_alpha_values_sparse} reads for column j of a row: it walks the row with a
     * peeking cursor that skips entries with a smaller column, so for rows in ascending column order this is the
     * entry at j (or 0), and for other orders it is exactly what subtensor reads.
     */
    public static long[] peekMergeDense(int[] cols, long[] vals, int columns) {
        long[] out = new long[columns];
        int p = 0;
        for (int j = 0; j < columns; j++) {
            while (p < cols.length) {
                if (cols[p] < j) {
                    p++;
                } else {
                    if (cols[p] == j) out[j] = vals[p];
                    break;
                }
            }
        }
        return out;
    }
}

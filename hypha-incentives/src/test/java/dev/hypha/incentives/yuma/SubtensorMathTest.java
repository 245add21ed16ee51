package dev.hypha.incentives.yuma;

import static dev.hypha.incentives.fixed.Fx.assertClose;
import static dev.hypha.incentives.fixed.Fx.assertSparseClose;
import static dev.hypha.incentives.fixed.Fx.f32;
import static dev.hypha.incentives.fixed.Fx.f64;
import static dev.hypha.incentives.fixed.Fx.sparse;
import static dev.hypha.incentives.fixed.Fx.vec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.incentives.fixed.Fx;
import dev.hypha.incentives.fixed.I32F32;
import dev.hypha.incentives.fixed.Transcendental;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * subtensor's pallets/subtensor/src/tests/math.rs (snapshot 14bc6f9), replayed against {@link YumaMath}: each test
 * names the Rust test it translates and asserts what it asserts, exactly where it uses assert_eq and within its
 * epsilon where it uses one.
 */
class SubtensorMathTest {
    private static final long ZERO = 0;

    @Test
    void test_vec_max_upscale_to_u16() {
        assertThat(YumaMath.vecMaxUpscaleToU16(vec())).isEmpty();
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0))).containsExactly(0);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 0))).containsExactly(0, 0);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 1))).containsExactly(0, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 0.000000001))).containsExactly(0, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 0.000016, 1))).containsExactly(0, 1, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0.000000001, 0.000000001))).containsExactly(65535, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0.000001, 0.000006, 0.000007, 0.0001, 0.001, 0.01, 0.1, 0.2, 0.3, 0.4)))
                .containsExactly(0, 1, 1, 16, 164, 1638, 16384, 32768, 49151, 65535);
        for (long v : new long[] {I32F32.fromInt(16384), I32F32.fromInt(32768), I32F32.fromInt(32769),
                I32F32.fromInt(65535), I32F32.MAX}) {
            assertThat(YumaMath.vecMaxUpscaleToU16(new long[] {v})).containsExactly(65535);
        }
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 1, 65535))).containsExactly(0, 1, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 0.5, 1, 1.5, 2, 32768))).containsExactly(0, 1, 2, 3, 4, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(vec(0, 0.5, 1, 1.5, 2, 32768, 32769)))
                .containsExactly(0, 1, 2, 3, 4, 65533, 65535);
        assertThat(YumaMath.vecMaxUpscaleToU16(new long[] {0, I32F32.fromInt(1), I32F32.fromInt(32768),
                I32F32.fromInt(32769), I32F32.MAX})).containsExactly(0, 0, 1, 1, 65535);
    }

    @Test
    void test_math_exp_safe() {
        long one = I32F32.ONE;
        assertThat(Transcendental.expSafe(0)).isEqualTo(Transcendental.exp(0));
        assertThat(Transcendental.expSafe(one)).isEqualTo(Transcendental.exp(one));
        long min = I32F32.fromInt(-20);
        long max = I32F32.fromInt(20);
        long lowTarget = Transcendental.exp(min);
        assertThat(Transcendental.expSafe(min)).isEqualTo(lowTarget);
        assertThat(Transcendental.expSafe(min - one)).isEqualTo(lowTarget);
        assertThat(Transcendental.expSafe(I32F32.MIN)).isEqualTo(lowTarget);
        long highTarget = Transcendental.exp(max);
        assertThat(Transcendental.expSafe(max)).isEqualTo(highTarget);
        assertThat(Transcendental.expSafe(max + one)).isEqualTo(highTarget);
        assertThat(Transcendental.expSafe(I32F32.MAX)).isEqualTo(highTarget);
    }

    /** Exact: these targets pin every bit of the crate's 31-term Taylor series and of sigmoid_safe. */
    @Test
    void test_math_sigmoid_safe() {
        long[] trust = {I32F32.MIN, 0, f64(0.4), f64(0.5), f64(0.6), I32F32.ONE, I32F32.MAX}; // I32F32::from_num(0.4): an f64 literal
        assertThat(map(trust, t -> Transcendental.sigmoidSafe(t, I32F32.MAX, I32F32.MAX)))
                .containsExactly(vec(0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.5));
        assertThat(map(trust, t -> Transcendental.sigmoidSafe(t, I32F32.MIN, I32F32.MIN)))
                .containsExactly(vec(0.5, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019));
        assertThat(map(trust, t -> Transcendental.sigmoidSafe(t, I32F32.fromInt(30), f32(0.5)))).containsExactly(
                f64(0.0000000019), f64(0.0000003057), f64(0.0474258729), f64(0.5), f64(0.952574127),
                f64(0.9999996943), f64(0.9999999981));
        long[] trust2 = vec(0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1);
        assertThat(map(trust2, t -> Transcendental.sigmoidSafe(t, I32F32.fromInt(40), f32(0.5)))).containsExactly(
                f64(0.0000000019), f64(0.0000001125), f64(0.0000061442), f64(0.0003353502), f64(0.017986214), f64(0.5),
                f64(0.9820138067), f64(0.9996646498), f64(0.9999938558), f64(0.9999998875), f64(0.9999999981));
    }

    private static long[] map(long[] xs, java.util.function.LongUnaryOperator f) {
        return java.util.Arrays.stream(xs).map(f).toArray();
    }

    @Test
    void test_math_is_topk() {
        assertThat(YumaMath.isTopk(vec(), 5)).isEmpty();
        long[] v = vec(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(YumaMath.isTopk(v, 0)).containsExactly(false, false, false, false, false, false, false, false, false, false);
        assertThat(YumaMath.isTopk(v, 5)).containsExactly(false, false, false, false, false, true, true, true, true, true);
        assertThat(YumaMath.isTopk(v, 10)).containsExactly(true, true, true, true, true, true, true, true, true, true);
        assertThat(YumaMath.isTopk(v, 100)).containsExactly(true, true, true, true, true, true, true, true, true, true);
        assertThat(YumaMath.isTopk(vec(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), 5))
                .containsExactly(true, true, true, true, true, false, false, false, false, false);
        assertThat(YumaMath.isTopk(vec(9, 0, 8, 1, 7, 2, 6, 3, 5, 4), 5))
                .containsExactly(true, false, true, false, true, false, true, false, true, false);
        assertThat(YumaMath.isTopk(vec(0.9, 0, 0.8, 0.1, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4), 5))
                .containsExactly(true, false, true, false, true, false, true, false, true, false);
        assertThat(YumaMath.isTopk(vec(0, 1, 2, 3, 4, 5, 5, 5, 5, 6), 5))
                .containsExactly(false, false, false, false, false, true, true, true, true, true);
    }

    @Test
    void test_math_inplace_row_normalize_sparse() {
        double[] m = {0, 1, 0, 2, 0, 3, 4, 0, 1, 0, 2, 0, 3, 0, 1, 0, 0, 2, 0, 3, 4, 0, 10, 0, 100, 1000, 0, 10000, 0,
                0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
        double[] t = {0, 0.1, 0, 0.2, 0, 0.3, 0.4, 0, 0.166666, 0, 0.333333, 0, 0.5, 0, 0.1, 0, 0, 0.2, 0, 0.3, 0.4, 0,
                0.0009, 0, 0.009, 0.09, 0, 0.9, 0, 0, 0, 0, 0, 0, 0, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857,
                0.142857, 0.142857};
        assertSparseClose(YumaMath.rowNormalizeSparse(sparse(m, 6, false)), sparse(t, 6, false), f64(0.0001));
        double[] zeros = new double[12];
        assertSparseClose(YumaMath.rowNormalizeSparse(sparse(zeros, 3, false)), sparse(zeros, 3, false), 0);
        // test_math_inplace_col_normalize_sparse: the same data transposed
        assertSparseClose(YumaMath.colNormalizeSparse(sparse(m, 6, true), 6), sparse(t, 6, true), f64(0.0001));
        assertSparseClose(YumaMath.colNormalizeSparse(sparse(zeros, 3, false), 6), sparse(zeros, 3, false), 0);
        assertThat(YumaMath.colNormalizeSparse(SparseMatrix.empty(0), 0).rows()).isZero();
    }

    @Test
    void test_math_inplace_col_max_upscale_sparse() {
        SparseMatrix one = new SparseMatrix(new int[][] {{0}}, new long[][] {{0}});
        assertThat(YumaMath.colMaxUpscaleSparse(one, 1)).isEqualTo(one);
        assertThat(YumaMath.colMaxUpscaleSparse(SparseMatrix.empty(1), 0)).isEqualTo(SparseMatrix.empty(1));
        double[] m = {0, 1, 0, 2, 0, 3, 4, 0, 1, 0, 2, 0, 3, 0, 1, 0, 0, 2, 0, 3, 4, 0, 10, 0, 100, 1000, 0, 10000, 0,
                0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
        double[] t = {0, 0.25, 0, 0.5, 0, 0.75, 1, 0, 0.333333, 0, 0.666666, 0, 1, 0, 0.25, 0, 0, 0.5, 0, 0.75, 1, 0,
                0.001, 0, 0.01, 0.1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
        assertSparseClose(YumaMath.colMaxUpscaleSparse(sparse(m, 6, true), 6), sparse(t, 6, true), f64(0.0001));
    }

    @Test
    void test_math_mask_diag_sparse_except_index() {
        int rows = 3;
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        for (int i = 0; i < rows; i++) {
            double[] t = {0, 2, 3, 4, 0, 6, 7, 8, 0};
            t[i * rows + i] = v[i * rows + i];
            assertSparseClose(YumaMath.maskDiagSparseExceptIndex(sparse(v, rows, false), i), sparse(t, rows, false), 0);
        }
        double[] diag = {1, 0, 0, 0, 5, 0, 0, 0, 9};
        for (int i = 0; i < rows; i++) {
            double[] t = new double[9];
            t[i * rows + i] = diag[i * rows + i];
            assertSparseClose(YumaMath.maskDiagSparseExceptIndex(sparse(diag, rows, false), i), sparse(t, rows, false), 0);
        }
        // test_math_mask_diag_sparse
        assertSparseClose(YumaMath.maskDiagSparse(sparse(v, 3, false)),
                sparse(new double[] {0, 2, 3, 4, 0, 6, 7, 8, 0}, 3, false), 0);
    }

    @Test
    void test_math_vec_mask_sparse_matrix() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        long[] first = {1, 2, 3};
        long[] second = {1, 2, 3};
        assertSparseClose(YumaMath.vecMaskSparseMatrix(sparse(v, 3, false), first, second, (a, b) -> a == b),
                sparse(new double[] {0, 2, 3, 4, 0, 6, 7, 8, 0}, 3, false), 0);
        assertSparseClose(YumaMath.vecMaskSparseMatrix(sparse(v, 3, false), first, second, (a, b) -> a < b),
                sparse(new double[] {1, 0, 0, 4, 5, 0, 7, 8, 9}, 3, false), 0);
        double[] zeros = new double[9];
        assertSparseClose(YumaMath.vecMaskSparseMatrix(sparse(zeros, 3, false), first, second, (a, b) -> a == b),
                sparse(zeros, 3, false), 0);
    }

    @Test
    void test_math_sparse_matmul() {
        long[] vector = vec(1, 2, 3, 4);
        assertClose(YumaMath.matmulSparse(sparse(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, false), vector, 3),
                vec(70, 80, 90), 0);
        assertClose(YumaMath.matmulSparse(sparse(new double[] {0, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12}, 4, false), vector, 3),
                vec(69, 70, 63), 0);
        assertClose(YumaMath.matmulSparse(sparse(new double[12], 4, false), vector, 3), vec(0, 0, 0), 0);
    }

    @Test
    void test_math_sparse_matmul_transpose() {
        long[] vector = vec(1, 2, 3);
        assertClose(YumaMath.matmulTransposeSparse(sparse(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, false), vector),
                vec(14, 32, 50, 68), 0);
        assertClose(YumaMath.matmulTransposeSparse(sparse(new double[] {0, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12}, 4, false), vector),
                vec(13, 22, 23, 68), 0);
        assertClose(YumaMath.matmulTransposeSparse(sparse(new double[12], 4, false), vector), vec(0, 0, 0, 0), 0);
    }

    @Test
    void test_math_col_clip_sparse() {
        long[] th = vec(0, 5, 12);
        assertSparseClose(YumaMath.colClipSparse(sparse(new double[] {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, false), th),
                sparse(new double[] {0, 2, 3, 0, 5, 6, 0, 5, 9, 0, 5, 12}, 4, false), 0);
        assertSparseClose(YumaMath.colClipSparse(sparse(new double[] {0, 2, 3, 4, 5, 6, 0, 0, 0, 10, 11, 12}, 4, false), th),
                sparse(new double[] {0, 2, 3, 0, 5, 6, 0, 0, 0, 0, 5, 12}, 4, false), 0);
        assertSparseClose(YumaMath.colClipSparse(sparse(new double[12], 4, false), th), sparse(new double[12], 4, false), 0);
    }

    private static long median(long[] stake, long[] score, long majority) {
        int[] idx = IntStream.range(0, stake.length).toArray();
        return YumaMath.weightedMedian(stake, score, idx, I32F32.ONE - majority, ZERO, YumaMath.sum(stake));
    }

    @Test
    void test_math_weighted_median() {
        long one = I32F32.ONE;
        long maj = f32(0.51);
        assertThat(median(vec(), vec(), maj)).isZero();
        assertThat(median(YumaMath.normalize(vec(0.51)), vec(1), maj)).isEqualTo(one);
        assertThat(median(vec(0.49, 0.51), vec(0.5, 1), maj)).isEqualTo(one);
        assertThat(median(vec(0.51, 0.49), vec(0.5, 1), maj)).isEqualTo(f32(0.5));
        assertThat(median(vec(0.49, 0, 0.51), vec(0.5, 0.7, 1), maj)).isEqualTo(one);
        assertThat(median(vec(0.49, 0.01, 0.5), vec(0.5, 0.7, 1), maj)).isEqualTo(f32(0.7));
        assertThat(median(vec(0.49, 0.51, 0.0), vec(0.5, 0.7, 1), maj)).isEqualTo(f32(0.7));
        assertThat(median(vec(0.0, 0.49, 0.51), vec(0.5, 0.7, 1), maj)).isEqualTo(one);
        assertThat(median(vec(0.0, 0.49, 0.0, 0.51), vec(0.5, 0.5, 1, 1), maj)).isEqualTo(one);
        assertThat(median(vec(0.0, 0.49, 0.0, 0.51, 0.0), vec(0.5, 0.5, 1, 1, 0.5), maj)).isEqualTo(one);
        assertThat(median(vec(0.2, 0.2, 0.2, 0.2, 0.2), vec(0.8, 0.2, 1, 0.6, 0.4), maj)).isEqualTo(f32(0.6));
        assertThat(median(vec(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1),
                vec(0.8, 0.8, 0.2, 0.2, 1.0, 1.0, 0.6, 0.6, 0.4, 0.4), maj)).isEqualTo(f32(0.6));
    }

    /**
     * The randomised half of test_math_weighted_median: the result must be one of the medians a cumulative scan
     * finds, for sorted input and for 10 shuffles. subtensor draws from an unseeded rng; a seeded one here.
     */
    @Test
    void test_math_weighted_median_random() {
        SplittableRandom rng = new SplittableRandom(14);
        long one = I32F32.ONE;
        int n = 100;
        for (int round = 0; round < 10; round++) {
            for (long majority : vec(0, 0.0000001, 0.25, 0.49, 0.49, 0.49, 0.5, 0.51, 0.51, 0.51, 0.9999999, 1)) {
                for (boolean allowEqual : new boolean[] {false, true}) {
                    long[] stake = new long[n];
                    long[] score = new long[n];
                    long lastScore = 0;
                    for (int i = 0; i < n; i++) {
                        if (allowEqual) {
                            stake[i] = rng.nextInt(2) == 1 ? one : 0;
                            if (rng.nextInt(2) == 1) lastScore += one;
                            score[i] = lastScore;
                        } else {
                            stake[i] = one;
                            score[i] = I32F32.fromInt(i);
                        }
                    }
                    stake = YumaMath.normalize(stake);
                    long total = YumaMath.sum(stake);
                    long minority = Math.max(0, total - majority);
                    List<Long> medians = new ArrayList<>();
                    long medianStake = 0;
                    boolean medianSet = false;
                    long stakeSum = 0;
                    for (int i = 0; i < n; i++) {
                        stakeSum += stake[i];
                        if (!medianSet && stakeSum >= minority) {
                            medianStake = stakeSum;
                            medianSet = true;
                        }
                        if (medianSet) {
                            if (medianStake < stakeSum) {
                                if (medianStake == minority && !medians.contains(score[i])) medians.add(score[i]);
                                break;
                            }
                            if (!medians.contains(score[i])) medians.add(score[i]);
                        }
                    }
                    if (medians.isEmpty()) medians.add(0L);
                    int[] idx = IntStream.range(0, n).toArray();
                    assertThat(medians).contains(YumaMath.weightedMedian(stake, score, idx, minority, 0, total));
                    for (int s = 0; s < 10; s++) {
                        int[] perm = shuffled(n, rng);
                        long[] st = stake.clone();
                        long[] sc = score.clone();
                        for (int i = 0; i < n; i++) {
                            stake[i] = st[perm[i]];
                            score[i] = sc[perm[i]];
                        }
                        assertThat(medians).contains(YumaMath.weightedMedian(stake, score, idx, minority, 0, total));
                    }
                }
            }
        }
    }

    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] p = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Test
    void test_math_weighted_median_col_sparse() {
        assertThat(YumaMath.weightedMedianColSparse(vec(), SparseMatrix.empty(1), 0, f32(0.5))).isEmpty();
        assertThat(YumaMath.weightedMedianColSparse(vec(0, 0), sparse(new double[4], 2, false), 2, f32(0.5)))
                .containsExactly(vec(0, 0));
        long[] stake = vec(0, 0.75, 0.25, 0);
        SparseMatrix w = sparse(new double[] {0, 0.1, 0, 0, 0.2, 0.4, 0, 0.3, 0.1, 0, 0.4, 0.5}, 4, false);
        assertThat(YumaMath.weightedMedianColSparse(stake, w, 3, f32(0.24))).containsExactly(vec(0, 0.3, 0.4));
        assertThat(YumaMath.weightedMedianColSparse(stake, w, 3, f32(0.26))).containsExactly(vec(0, 0.2, 0.4));
        assertThat(YumaMath.weightedMedianColSparse(stake, w, 3, f32(0.76))).containsExactly(vec(0, 0.2, 0.1));
        SparseMatrix w2 = sparse(new double[] {0, 0.1, 0, 0, 0.2, 0.4, 0, 0.3, 0.1, 0, 0, 0.5}, 4, false);
        assertThat(YumaMath.weightedMedianColSparse(vec(0, 0.3, 0.2, 0.5), w2, 3, f32(0.51))).containsExactly(vec(0, 0, 0.4));
    }

    @Test
    void test_math_interpolate_sparse() {
        SparseMatrix one = SparseMatrix.empty(1);
        assertSparseClose(YumaMath.interpolateSparse(one, one, 0, 0), one, 0);
        SparseMatrix m1 = sparse(new double[] {0}, 1, false);
        SparseMatrix m2 = sparse(new double[] {1}, 1, false);
        assertSparseClose(YumaMath.interpolateSparse(m1, m2, 1, 0), sparse(new double[] {0}, 1, false), 0);
        assertSparseClose(YumaMath.interpolateSparse(m1, m2, 1, f32(0.5)), sparse(new double[] {0.5}, 1, false), 0);
        assertSparseClose(YumaMath.interpolateSparse(m1, m2, 1, I32F32.ONE), sparse(new double[] {1}, 1, false), 0);
        SparseMatrix z = sparse(new double[12], 4, false);
        assertSparseClose(YumaMath.interpolateSparse(z, z, 3, 0), z, 0);
        assertSparseClose(YumaMath.interpolateSparse(z, z, 3, I32F32.ONE), z, 0);
        SparseMatrix a = sparse(new double[] {1, 0, 100, 1000, 10000, 100000}, 3, false);
        SparseMatrix b = sparse(new double[] {10, 100, 1000, 10000, 100000, 0}, 3, false);
        assertSparseClose(YumaMath.interpolateSparse(a, b, 2, 0), sparse(new double[] {1, 0, 100, 1000, 10000, 100000}, 3, false), 0);
        assertSparseClose(YumaMath.interpolateSparse(a, b, 2, f64(0.9)),
                sparse(new double[] {9.1, 90, 910, 9100, 91000, 10000}, 3, false), f64(0.0001));
        SparseMatrix ones = sparse(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 4, false);
        assertSparseClose(YumaMath.interpolateSparse(z, ones, 3, 0), z, 0);
        double[] tiny = new double[12];
        java.util.Arrays.fill(tiny, 0.000000001);
        assertSparseClose(YumaMath.interpolateSparse(z, ones, 3, f64(0.000000001)), sparse(tiny, 4, false), 0);
        double[] half = new double[12];
        java.util.Arrays.fill(half, 0.5);
        assertSparseClose(YumaMath.interpolateSparse(z, ones, 3, f32(0.5)), sparse(half, 4, false), 0);
        double[] nearOne = new double[12];
        java.util.Arrays.fill(nearOne, 0.999_999_9);
        assertSparseClose(YumaMath.interpolateSparse(z, ones, 3, f64(0.9999998808)), sparse(nearOne, 4, false), 0);
        assertSparseClose(YumaMath.interpolateSparse(z, ones, 3, I32F32.ONE), ones, 0);
    }

    @Test
    void test_math_sparse_mat_ema_alpha() {
        long[][] alphas = Fx.dense(filled(12, 0.1), 4);
        checkEma(new double[] {0.1, 0.2, 3, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12},
                new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                new double[] {0.19, 0.38, 1, 0.43599, 0.545, 0.65399, 0.763, 0.87199, 0.981, 1, 1, 1}, alphas, 1e-4);
        checkEma(new double[] {0.001, 0.002, 0.003, 0.004, 0.05, 0.006, 0.007, 0.008, 0.009, 0.010, 0.011, 0.012},
                new double[] {0.1, 0.2, 3, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12},
                new double[] {0.0109, 0.0218, 0.30270, 0.007599, 0.05, 0.01139, 0.0133, 0.01519, 0.017, 0.01899, 0.02089, 0.0227},
                alphas, 1e-4);
        checkEma(new double[12], new double[] {0.1, 0.2, 3, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12},
                new double[] {0.01, 0.02, 0.3, 0.00399, 0.005, 0.00599, 0.007, 0.00799, 0.009, 0.01, 0.011, 0.01199},
                alphas, 1e-4);
        checkEma(new double[12], new double[12], new double[12], alphas, 1e-4);
        checkEma(new double[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, new double[] {0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0},
                new double[] {0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0}, alphas, 1e-1);
    }

    private static void checkEma(double[] old, double[] next, double[] target, long[][] alphas, double eps) {
        SparseMatrix result = YumaMath.matEmaAlphaSparse(sparse(next, 4, false), sparse(old, 4, false), alphas);
        assertSparseClose(result, sparse(target, 4, false), f64(eps));
    }

    private static double[] filled(int n, double v) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, v);
        return d;
    }
}

package dev.hypha.ml.tensor;

/**
 * Float matrix products on plain arrays: the GEMM that training uses for every linear and convolution layer, forward
 * and backward.
 *
 * <p>It is the prompt-processing GEMM of {@link MatMul} on another storage: one output element is one
 * {@link FloatKernels#dot} (16 virtual lanes, fixed reduction tree) computed start to end by one thread of the shared
 * {@link Parallel} runner. So a product is the same bits at every SIMD width and thread count, which is what
 * verification by replay needs. Both operands are row-major with the summed dimension contiguous ({@code C = A·Bᵀ});
 * callers transpose first where a layer's backward pass needs another layout (a copy costs far less than the product).
 */
public final class FloatMatMul {
    /** Output elements per tile: rows of A and rows of B, so a tile's B rows stay in cache while A rows stream by. */
    private static final int TILE_ROWS = 8;
    private static final int TILE_COLS = 32;

    private final Parallel parallel;

    public FloatMatMul(Parallel parallel) {
        this.parallel = parallel;
    }

    /** The thread runner (element-wise loops of the training ops share it). */
    public Parallel parallel() {
        return parallel;
    }

    /**
     * {@code c[i*n + j] = dot(a row i, b row j)} (or {@code +=} when {@code accumulate}) for {@code i < m}, {@code j < n};
     * {@code a} is m×k and {@code b} is n×k, both row-major.
     */
    public void multiplyTransposed(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        if ((long) m * k > a.length || (long) n * k > b.length || (long) m * n > c.length) {
            throw new IllegalArgumentException("matrix shapes " + m + "x" + k + " · (" + n + "x" + k + ")ᵀ do not fit arrays of "
                    + a.length + ", " + b.length + " and " + c.length + " elements");
        }
        int rowTiles = (m + TILE_ROWS - 1) / TILE_ROWS;
        int colTiles = (n + TILE_COLS - 1) / TILE_COLS;
        parallel.forRange(rowTiles * colTiles, (from, to) -> {
            float[] four = new float[4];
            for (int t = from; t < to; t++) {
                int i0 = (t / colTiles) * TILE_ROWS;
                int j0 = (t % colTiles) * TILE_COLS;
                int i1 = Math.min(m, i0 + TILE_ROWS);
                int j1 = Math.min(n, j0 + TILE_COLS);
                int i = i0;
                if (FloatKernels.BLOCKED) {
                    // 2x2 blocks share loads; every element is still exactly FloatKernels.dot's result
                    for (; i + 1 < i1; i += 2) {
                        int j = j0;
                        for (; j + 1 < j1; j += 2) {
                            FloatKernels.dot2x2(a, i * k, (i + 1) * k, b, j * k, (j + 1) * k, k, four);
                            store(c, i * n + j, four[0], accumulate);
                            store(c, i * n + j + 1, four[1], accumulate);
                            store(c, (i + 1) * n + j, four[2], accumulate);
                            store(c, (i + 1) * n + j + 1, four[3], accumulate);
                        }
                        for (; j < j1; j++) {
                            store(c, i * n + j, FloatKernels.dot(a, i * k, b, j * k, k), accumulate);
                            store(c, (i + 1) * n + j, FloatKernels.dot(a, (i + 1) * k, b, j * k, k), accumulate);
                        }
                    }
                }
                for (; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        store(c, i * n + j, FloatKernels.dot(a, i * k, b, j * k, k), accumulate);
                    }
                }
            }
        });
    }

    /** Summed dimensions up to this length go through {@link #multiplySmallK} in the convolutions. */
    public static final int SMALL_K = 32;

    /**
     * {@code c[i*n + j] = Σ_p a[i*k + p] · bt[p*n + j]} for a short summed dimension, with {@code bt} = Bᵀ (k×n,
     * row-major). Each element is accumulated from 0 with fused multiply-adds in ascending p, one output column per
     * vector lane, so its bits are those of the scalar loop {@code acc = Math.fma(a, b, acc)} at every SIMD width and
     * thread count (rows are split between threads). Why: for k of a few dozen, {@link #multiplyTransposed}'s dot
     * product per element is mostly its reduction tree and tail (a 3x3 single-channel convolution sums 9 values);
     * here a broadcast of a[i, p] feeds a whole row of outputs. The bits differ from {@code multiplyTransposed}'s, so a
     * layer uses one or the other for a given shape, always the same one.
     */
    public void multiplySmallK(float[] a, float[] bt, float[] c, int m, int n, int k) {
        if ((long) m * k > a.length || (long) k * n > bt.length || (long) m * n > c.length) {
            throw new IllegalArgumentException("matrix shapes " + m + "x" + k + " · " + k + "x" + n + " do not fit arrays of "
                    + a.length + ", " + bt.length + " and " + c.length + " elements");
        }
        parallel.forRange(m, (from, to) -> {
            for (int i = from; i < to; i++) {
                FloatKernels.outerRow(a, i * k, bt, c, i * n, n, k);
            }
        });
    }

    private static void store(float[] c, int index, float d, boolean accumulate) {
        c[index] = accumulate ? c[index] + d : d;
    }

    /** The transpose of the row-major {@code rows}×{@code cols} matrix {@code src}. */
    public static float[] transpose(float[] src, int rows, int cols) {
        float[] out = new float[rows * cols];
        transpose(src, rows, cols, out);
        return out;
    }

    /** Writes the transpose of the row-major {@code rows}×{@code cols} matrix {@code src} into {@code out}. */
    public static void transpose(float[] src, int rows, int cols, float[] out) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = src[base + c];
            }
        }
    }
}

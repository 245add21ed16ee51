package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Float dot products whose rounding does not depend on the SIMD width.
 *
 * <p>Every dot product is computed as if on 16 virtual lanes: virtual lane {@code j} accumulates, with fused
 * multiply-adds in ascending order, the products of the elements {@code i} with {@code i % 16 == j}. A 512-bit
 * machine holds the 16 lanes in one register, a 256-bit machine in two, a 128-bit machine in four; the lane
 * contents are the same either way. The 16 lanes are then summed by a fixed pairwise tree and the remaining
 * {@code n % 16} products are added in order. The result is therefore bit-identical on every CPU and thread
 * count, at the cost of a short scalar tree per dot product (the Vector API's own {@code reduceLanes(ADD)}
 * leaves the order unspecified).
 */
public final class FloatKernels {
    private FloatKernels() {}

    static final int VIRTUAL_LANES = 16;
    private static final int L = FLOAT.length();

    /**
     * One output row of {@link FloatMatMul#multiplySmallK}: {@code c[cOff + j] = Σ_p a[aOff + p] · bt[p*n + j]},
     * accumulated from 0 by fused multiply-adds in ascending p, lanes over j (so width-independent bits).
     */
    static void outerRow(float[] a, int aOff, float[] bt, float[] c, int cOff, int n, int k) {
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector acc = FloatVector.zero(FLOAT);
            for (int p = 0; p < k; p++) {
                acc = FloatVector.broadcast(FLOAT, a[aOff + p]).fma(FloatVector.fromArray(FLOAT, bt, p * n + j), acc);
            }
            acc.intoArray(c, cOff + j);
        }
        for (; j < n; j++) {
            float acc = 0f;
            for (int p = 0; p < k; p++) {
                acc = Math.fma(a[aOff + p], bt[p * n + j], acc);
            }
            c[cOff + j] = acc;
        }
    }

    /** Dot product of {@code a[aOff..aOff+n)} and {@code b[bOff..bOff+n)}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int upper = n - n % VIRTUAL_LANES;
        float r;
        if (L == 16) {
            FloatVector acc = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                acc = FloatVector.fromArray(FLOAT, a, aOff + i).fma(FloatVector.fromArray(FLOAT, b, bOff + i), acc);
            }
            r = tree(acc, acc, acc, acc);
        } else if (L == 8) {
            FloatVector acc0 = FloatVector.zero(FLOAT);
            FloatVector acc1 = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                acc0 = FloatVector.fromArray(FLOAT, a, aOff + i).fma(FloatVector.fromArray(FLOAT, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(FLOAT, a, aOff + i + 8).fma(FloatVector.fromArray(FLOAT, b, bOff + i + 8), acc1);
            }
            r = tree(acc0, acc1, acc0, acc1);
        } else {
            FloatVector acc0 = FloatVector.zero(FLOAT);
            FloatVector acc1 = FloatVector.zero(FLOAT);
            FloatVector acc2 = FloatVector.zero(FLOAT);
            FloatVector acc3 = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                acc0 = FloatVector.fromArray(FLOAT, a, aOff + i).fma(FloatVector.fromArray(FLOAT, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(FLOAT, a, aOff + i + 4).fma(FloatVector.fromArray(FLOAT, b, bOff + i + 4), acc1);
                acc2 = FloatVector.fromArray(FLOAT, a, aOff + i + 8).fma(FloatVector.fromArray(FLOAT, b, bOff + i + 8), acc2);
                acc3 = FloatVector.fromArray(FLOAT, a, aOff + i + 12).fma(FloatVector.fromArray(FLOAT, b, bOff + i + 12), acc3);
            }
            r = tree(acc0, acc1, acc2, acc3);
        }
        for (int i = upper; i < n; i++) {
            r += a[aOff + i] * b[bOff + i];
        }
        return r;
    }

    /** True when {@link #dot2x2} shares its loads (16 or 8 float lanes); at 4 lanes it would need 16 accumulators. */
    public static final boolean BLOCKED = L >= 8;

    /**
     * The four dot products of rows {@code a0, a1} of {@code a} with rows {@code b0, b1} of {@code b} (offsets), each
     * bit-identical to {@link #dot}: the same virtual lanes, the same tree, the same tail order. Each loaded vector
     * feeds two FMAs instead of one, which is what makes a GEMM compute-bound rather than load-bound. Results go to
     * {@code out[0..3]} = (a0·b0, a0·b1, a1·b0, a1·b1). Only when {@link #BLOCKED}.
     */
    public static void dot2x2(float[] a, int a0, int a1, float[] b, int b0, int b1, int n, float[] out) {
        int upper = n - n % VIRTUAL_LANES;
        float r00;
        float r01;
        float r10;
        float r11;
        if (L == 16) {
            FloatVector c00 = FloatVector.zero(FLOAT);
            FloatVector c01 = FloatVector.zero(FLOAT);
            FloatVector c10 = FloatVector.zero(FLOAT);
            FloatVector c11 = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, a, a0 + i);
                FloatVector x1 = FloatVector.fromArray(FLOAT, a, a1 + i);
                FloatVector y0 = FloatVector.fromArray(FLOAT, b, b0 + i);
                FloatVector y1 = FloatVector.fromArray(FLOAT, b, b1 + i);
                c00 = x0.fma(y0, c00);
                c01 = x0.fma(y1, c01);
                c10 = x1.fma(y0, c10);
                c11 = x1.fma(y1, c11);
            }
            r00 = tree(c00, c00, c00, c00);
            r01 = tree(c01, c01, c01, c01);
            r10 = tree(c10, c10, c10, c10);
            r11 = tree(c11, c11, c11, c11);
        } else if (L == 8) {
            FloatVector c00 = FloatVector.zero(FLOAT);
            FloatVector c01 = FloatVector.zero(FLOAT);
            FloatVector c10 = FloatVector.zero(FLOAT);
            FloatVector c11 = FloatVector.zero(FLOAT);
            FloatVector d00 = FloatVector.zero(FLOAT);
            FloatVector d01 = FloatVector.zero(FLOAT);
            FloatVector d10 = FloatVector.zero(FLOAT);
            FloatVector d11 = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, a, a0 + i);
                FloatVector x1 = FloatVector.fromArray(FLOAT, a, a1 + i);
                FloatVector y0 = FloatVector.fromArray(FLOAT, b, b0 + i);
                FloatVector y1 = FloatVector.fromArray(FLOAT, b, b1 + i);
                c00 = x0.fma(y0, c00);
                c01 = x0.fma(y1, c01);
                c10 = x1.fma(y0, c10);
                c11 = x1.fma(y1, c11);
                FloatVector u0 = FloatVector.fromArray(FLOAT, a, a0 + i + 8);
                FloatVector u1 = FloatVector.fromArray(FLOAT, a, a1 + i + 8);
                FloatVector v0 = FloatVector.fromArray(FLOAT, b, b0 + i + 8);
                FloatVector v1 = FloatVector.fromArray(FLOAT, b, b1 + i + 8);
                d00 = u0.fma(v0, d00);
                d01 = u0.fma(v1, d01);
                d10 = u1.fma(v0, d10);
                d11 = u1.fma(v1, d11);
            }
            r00 = tree(c00, d00, c00, d00);
            r01 = tree(c01, d01, c01, d01);
            r10 = tree(c10, d10, c10, d10);
            r11 = tree(c11, d11, c11, d11);
        } else {
            throw new IllegalStateException("dot2x2 needs 8 or 16 float lanes, this JVM has " + L + " (check BLOCKED)");
        }
        for (int i = upper; i < n; i++) {
            r00 += a[a0 + i] * b[b0 + i];
            r01 += a[a0 + i] * b[b1 + i];
            r10 += a[a1 + i] * b[b0 + i];
            r11 += a[a1 + i] * b[b1 + i];
        }
        out[0] = r00;
        out[1] = r01;
        out[2] = r10;
        out[3] = r11;
    }

    /** Dot product of {@code n} little-endian floats at byte offset {@code wOff} of {@code w} with {@code x[xOff..)}. */
    public static float dotF32(MemorySegment w, long wOff, float[] x, int xOff, int n) {
        int upper = n - n % VIRTUAL_LANES;
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        float r;
        if (L == 16) {
            FloatVector acc = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                acc = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * i, le).fma(FloatVector.fromArray(FLOAT, x, xOff + i), acc);
            }
            r = tree(acc, acc, acc, acc);
        } else if (L == 8) {
            FloatVector acc0 = FloatVector.zero(FLOAT);
            FloatVector acc1 = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                acc0 = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * i, le).fma(FloatVector.fromArray(FLOAT, x, xOff + i), acc0);
                acc1 = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * (i + 8), le).fma(FloatVector.fromArray(FLOAT, x, xOff + i + 8), acc1);
            }
            r = tree(acc0, acc1, acc0, acc1);
        } else {
            FloatVector acc0 = FloatVector.zero(FLOAT);
            FloatVector acc1 = FloatVector.zero(FLOAT);
            FloatVector acc2 = FloatVector.zero(FLOAT);
            FloatVector acc3 = FloatVector.zero(FLOAT);
            for (int i = 0; i < upper; i += 16) {
                acc0 = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * i, le).fma(FloatVector.fromArray(FLOAT, x, xOff + i), acc0);
                acc1 = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * (i + 4), le).fma(FloatVector.fromArray(FLOAT, x, xOff + i + 4), acc1);
                acc2 = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * (i + 8), le).fma(FloatVector.fromArray(FLOAT, x, xOff + i + 8), acc2);
                acc3 = FloatVector.fromMemorySegment(FLOAT, w, wOff + 4L * (i + 12), le).fma(FloatVector.fromArray(FLOAT, x, xOff + i + 12), acc3);
            }
            r = tree(acc0, acc1, acc2, acc3);
        }
        for (int i = upper; i < n; i++) {
            r += w.get(QuantLayouts.FLOAT_LE, wOff + 4L * i) * x[xOff + i];
        }
        return r;
    }

    /** Lane rotations used by the fixed reduction tree (lane j receives lane j + k). */
    private static final VectorShuffle<Float> ROT8 = VectorShuffle.iota(FLOAT, 8 % L, 1, true);
    private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(FLOAT, 4 % L, 1, true);
    private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(FLOAT, 2, 1, true);
    private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(FLOAT, 1, 1, true);

    /**
     * Sums the 16 virtual lanes held in the given vectors (lanes 0.. of v0, then v1, v2, v3 as far as 16 lanes reach)
     * by a fixed pairwise tree: lane j + lane j+8, then + the partner 4 away, 2 away, 1 away; lane 0 holds the result.
     * Each step is a lane rotation and an add, so the additions are the same for every width; only how the 16 lanes
     * are spread over registers differs.
     */
    private static float tree(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        FloatVector s;
        if (L == 16) {
            s = v0.add(v0.rearrange(ROT8));
            s = s.add(s.rearrange(ROT4));
        } else if (L == 8) {
            s = v0.add(v1);
            s = s.add(s.rearrange(ROT4));
        } else {
            s = v0.add(v2).add(v1.add(v3));
        }
        s = s.add(s.rearrange(ROT2));
        s = s.add(s.rearrange(ROT1));
        return s.lane(0);
    }

    /**
     * Sum of the lanes of {@code v} by a fixed rotation tree (half the width away, then a quarter, ...). Unlike
     * {@code reduceLanes(ADD)}, whose order is unspecified (the interpreter and the JIT-compiled code even differ),
     * this gives the same bits every run for a given width.
     */
    public static float sumLanes(FloatVector v) {
        if (L == 16) {
            v = v.add(v.rearrange(ROT8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(ROT4));
        }
        v = v.add(v.rearrange(ROT2));
        v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    /**
     * {@code y[yOff+i] = fma(x[xOff + s*stride + i], p[s] * scale, y[yOff+i])} for {@code s = 0..count-1} in order:
     * exactly {@code count} {@link #axpy} calls, but each slice of {@code y} stays in a register across all rows (the
     * weighted sum of value vectors in attention, where one call per position cost more than its four FMAs).
     */
    public static void axpyRows(float[] p, float scale, int count, float[] x, int xOff, int stride, float[] y, int yOff, int n) {
        int upper = FLOAT.loopBound(n);
        for (int i = 0; i < upper; i += L) {
            FloatVector acc = FloatVector.fromArray(FLOAT, y, yOff + i);
            for (int s = 0; s < count; s++) {
                acc = FloatVector.fromArray(FLOAT, x, xOff + s * stride + i).fma(FloatVector.broadcast(FLOAT, p[s] * scale), acc);
            }
            acc.intoArray(y, yOff + i);
        }
        for (int i = upper; i < n; i++) {
            float acc = y[yOff + i];
            for (int s = 0; s < count; s++) {
                acc = Math.fma(x[xOff + s * stride + i], p[s] * scale, acc);
            }
            y[yOff + i] = acc;
        }
    }

    /** {@code y[yOff+i] = fma(a, x[xOff+i], y[yOff+i])}: element-wise, so identical for any width. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int upper = FLOAT.loopBound(n);
        int i = 0;
        for (; i < upper; i += L) {
            FloatVector.fromArray(FLOAT, x, xOff + i).fma(FloatVector.broadcast(FLOAT, a), FloatVector.fromArray(FLOAT, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], a, y[yOff + i]);
        }
    }
}

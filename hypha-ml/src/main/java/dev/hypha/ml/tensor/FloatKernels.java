package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

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

    /**
     * Sums the 16 virtual lanes held in the given vectors (lanes 0.. of v0, then v1, v2, v3 as far as 16 lanes reach)
     * by a fixed pairwise tree: lane j + lane j+8, then +4, +2, +1.
     */
    private static float tree(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        float[] s = new float[16];
        for (int j = 0; j < 16; j++) {
            int vec = j / L;
            FloatVector v = vec == 0 ? v0 : vec == 1 ? v1 : vec == 2 ? v2 : v3;
            s[j] = v.lane(j % L);
        }
        for (int width = 8; width >= 1; width >>= 1) {
            for (int j = 0; j < width; j++) {
                s[j] += s[j + width];
            }
        }
        return s[0];
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

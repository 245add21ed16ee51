package dev.hypha.ml.tensor;

import static dev.hypha.ml.tensor.VectorConfig.BYTE16;
import static dev.hypha.ml.tensor.VectorConfig.INT;
import static dev.hypha.ml.tensor.VectorConfig.INT_PARTS;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Exact int8 x int8 products accumulated in int lanes. Integer addition is associative, so any lane layout
 * and any reduction order give the same sum: these kernels are deterministic by construction.
 */
final class IntKernels {
    private IntKernels() {}

    /** {@code acc + w * a} lane-wise over 16 signed bytes, widened to int lanes. */
    static IntVector mulAdd16(ByteVector w, ByteVector a, IntVector acc) {
        for (int p = 0; p < INT_PARTS; p++) {
            IntVector wi = (IntVector) w.convertShape(VectorOperators.B2I, INT, p);
            IntVector ai = (IntVector) a.convertShape(VectorOperators.B2I, INT, p);
            acc = acc.add(wi.mul(ai));
        }
        return acc;
    }

    static ByteVector load16(byte[] a, int off) {
        return ByteVector.fromArray(BYTE16, a, off);
    }

    static IntVector zero() {
        return IntVector.zero(INT);
    }

    static int sum(IntVector v) {
        return v.reduceLanes(VectorOperators.ADD);
    }
}

package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.WeightMatrix;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One stacked expert tensor ({@code ffn_gate_exps}, {@code ffn_up_exps}, {@code ffn_down_exps}: GGUF shape
 * {@code [cols, rows, experts]}) seen as one {@link WeightMatrix} per expert, each a slice of the mapping (expert
 * {@code e}'s rows follow expert {@code e - 1}'s, so a slice is contiguous and nothing is copied).
 *
 * <p>Decision: an expert is repacked into the interleaved layout of the fast kernels the first time the router
 * selects it, not at load. Experts are most of a mixture-of-experts model (96% of Qwen3-30B-A3B), so packing them all
 * up front would copy the whole file into memory before the first token; packed lazily, memory grows with the experts
 * actually used and the rest stay mapped pages that are never read. Packed and unpacked give the same bits (the
 * interleaved kernels are exact), so when an expert is packed does not change any result.
 */
final class ExpertMatrices {
    private final WeightMatrix[] mapped;
    /** Packed experts, published with release/acquire so another session's thread sees the packed bytes. */
    private final AtomicReferenceArray<WeightMatrix> packed;
    private final SegmentAllocator memory;

    private ExpertMatrices(WeightMatrix[] mapped, SegmentAllocator memory) {
        this.mapped = mapped;
        this.packed = new AtomicReferenceArray<>(mapped.length);
        this.memory = memory;
    }

    /**
     * The experts of {@code tensor}, which must have shape {@code [cols, rows, count]}.
     *
     * @throws IllegalArgumentException naming the tensor when its shape or size is not that
     */
    static ExpertMatrices of(WeightTensor tensor, int cols, int rows, int count) {
        long[] s = tensor.shape();
        if (s.length != 3 || s[0] != cols || s[1] != rows || s[2] != count) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' must have shape [" + cols + ", " + rows
                    + ", " + count + "] (columns, rows, experts), got " + tensor);
        }
        // the first expert's checks (type supported, whole blocks per row) hold for all; the total size is checked here
        long expertBytes = Math.multiplyExact(tensor.type().bytesFor(cols), (long) rows);
        if (tensor.data().byteSize() != Math.multiplyExact(expertBytes, (long) count)) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' holds " + tensor.data().byteSize()
                    + " bytes, not " + count + " experts of " + expertBytes);
        }
        WeightMatrix[] experts = new WeightMatrix[count];
        for (int e = 0; e < count; e++) {
            experts[e] = new WeightMatrix(tensor.name() + "[" + e + "]", tensor.type(), rows, cols,
                    tensor.data().asSlice(e * expertBytes, expertBytes));
        }
        return new ExpertMatrices(experts, null);
    }

    /** The same experts, each repacked into memory from {@code into} when first {@linkplain #expert used}. */
    ExpertMatrices packedLazilyInto(SegmentAllocator into) {
        return new ExpertMatrices(mapped, into);
    }

    /** Number of experts. */
    int count() {
        return mapped.length;
    }

    /** Expert {@code e}'s matrix, packed on this first call when packing is on. */
    WeightMatrix expert(int e) {
        if (memory == null) {
            return mapped[e];
        }
        WeightMatrix p = packed.get(e);
        return p != null ? p : pack(e);
    }

    /** How many experts have been packed so far (what {@link #expert} was asked for, when packing is on). */
    synchronized int packedCount() {
        int n = 0;
        for (int e = 0; e < packed.length(); e++) {
            n += packed.get(e) == null ? 0 : 1;
        }
        return n;
    }

    private synchronized WeightMatrix pack(int e) {
        WeightMatrix p = packed.get(e);
        if (p == null) {
            p = mapped[e].interleave(memory);
            packed.set(e, p);
        }
        return p;
    }
}

package dev.hypha.ml.train;

import dev.hypha.ml.llm.LoraTarget;
import java.util.EnumSet;
import java.util.Set;

/**
 * The shape of a LoRA adapter: rank r, alpha and the projections it adapts. Each adapted weight W [out, in] gets
 * A [r, in] and B [out, r], and the projection becomes {@code x·Wᵀ + (alpha / r)·(x·Aᵀ)·Bᵀ}, as peft and llama.cpp
 * compute it.
 */
public record LoraSettings(int rank, float alpha, Set<LoraTarget> targets) {
    /** peft's defaults for llama: the query and value projections. */
    public static final Set<LoraTarget> DEFAULT_TARGETS = EnumSet.of(LoraTarget.Q, LoraTarget.V);

    public LoraSettings {
        if (rank < 1 || rank > 1024) {
            throw new IllegalArgumentException("LoRA rank must be between 1 and 1024, got " + rank);
        }
        if (!(alpha > 0) || !Float.isFinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target projection");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** {@code alpha / rank} in float, the factor llama.cpp applies ({@code alpha / rank} with a scale of 1). */
    public float scale() {
        return alpha / rank;
    }
}

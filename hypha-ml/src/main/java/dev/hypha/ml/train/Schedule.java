package dev.hypha.ml.train;

/**
 * Learning rate per step: linear warm-up from {@code peak/warmup} to {@code peak} over {@code warmup} steps, then a
 * cosine decay to {@code floor} at {@code total} steps. Cosine through {@link StrictMath}, so every machine agrees.
 */
public record Schedule(float peak, float floor, long warmup, long total) {
    public Schedule {
        if (!(peak > 0f) || !(floor >= 0f) || floor > peak) {
            throw new IllegalArgumentException("learning rates need 0 <= floor <= peak and peak > 0, got peak " + peak + ", floor " + floor);
        }
        if (warmup < 0 || total < 1 || warmup > total) {
            throw new IllegalArgumentException("schedule needs 0 <= warmup <= steps and steps >= 1, got warmup " + warmup + ", steps " + total);
        }
    }

    public float at(long step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        long span = total - warmup;
        double progress = span == 0 ? 1.0 : (double) (step - warmup) / span;
        return (float) (floor + 0.5 * (peak - floor) * (1 + StrictMath.cos(Math.PI * Math.min(1.0, progress))));
    }
}

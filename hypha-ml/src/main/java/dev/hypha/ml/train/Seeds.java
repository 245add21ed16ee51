package dev.hypha.ml.train;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from one seed. Each use (initialisation of parameter i, the shuffle of epoch e,
 * the dropout masks of step s) gets its own generator from (seed, purpose, index), so a run resumed at step s draws
 * exactly what an uninterrupted run draws there, without replaying earlier draws. {@link SplittableRandom}'s algorithm
 * is fixed by its specification, so the draws are the same on every JVM.
 */
public final class Seeds {
    private Seeds() {}

    public static final long INIT = 1;
    public static final long SHUFFLE = 2;
    public static final long DROPOUT = 3;
    /** The seeds of DiLoCo's workers beyond the first. */
    public static final long WORKERS = 4;
    /** The seeds of contribution scoring's repeated trainings. */
    public static final long REPEATS = 5;

    public static SplittableRandom stream(long seed, long purpose, long index) {
        return new SplittableRandom(mix(seed ^ mix(purpose * 0x9E3779B97F4A7C15L + mix(index))));
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

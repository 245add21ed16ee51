package dev.hypha.zk.field;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The number-theoretic transform over Goldilocks: evaluates a polynomial given by its coefficients at the n-th roots of
 * unity 1, ω, ω², …, ω^(n−1) (ω = {@link Goldilocks#rootOfUnity}(log n)), in that order. Radix-2, in place, with
 * per-size twiddle tables computed once. Hand-written: no maintained Java library does NTTs over this field.
 */
public final class Ntt {
    private static final ConcurrentHashMap<Integer, long[]> TWIDDLES = new ConcurrentHashMap<>();

    private Ntt() {}

    /**
     * Replaces the coefficients a[0..n) by the evaluations a(ω^i), i = 0..n−1; n must be a power of two ≤ 2^32.
     */
    public static void forward(long[] a) {
        int n = a.length;
        if (Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("NTT length must be a power of two, got " + n);
        }
        if (n == 1) {
            return;
        }
        int logN = Integer.numberOfTrailingZeros(n);
        bitReverse(a, logN);
        long[] tw = twiddles(logN);
        // Decimation in time: at stage with half-size h, the twiddle for j is ω_{2h}^j = tw[j * (n / 2h)].
        for (int h = 1; h < n; h <<= 1) {
            int stride = n / (2 * h);
            for (int start = 0; start < n; start += 2 * h) {
                for (int j = 0; j < h; j++) {
                    long u = a[start + j];
                    long v = Goldilocks.mul(a[start + j + h], tw[j * stride]);
                    a[start + j] = Goldilocks.add(u, v);
                    a[start + j + h] = Goldilocks.sub(u, v);
                }
            }
        }
    }

    /** ω^0 .. ω^(n/2 − 1) for the primitive n-th root ω, n = 2^logN. */
    private static long[] twiddles(int logN) {
        return TWIDDLES.computeIfAbsent(logN, l -> {
            int half = 1 << (l - 1);
            long w = Goldilocks.rootOfUnity(l);
            long[] t = new long[half];
            long x = 1;
            for (int i = 0; i < half; i++) {
                t[i] = x;
                x = Goldilocks.mul(x, w);
            }
            return t;
        });
    }

    private static void bitReverse(long[] a, int logN) {
        int shift = 32 - logN;
        for (int i = 0; i < a.length; i++) {
            int j = Integer.reverse(i) >>> shift;
            if (i < j) {
                long t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }
    }
}

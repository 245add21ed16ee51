package dev.hypha.ml.train;

/**
 * A linear layer with a low-rank adapter beside it: {@code y = x·Wᵀ + scale·((x·Aᵀ)·Bᵀ)}. The frozen W is a constant,
 * so no gradient is computed for it; A and B get theirs through two ordinary {@link Dense} layers. The sum is formed
 * as llama.cpp forms it (the low-rank product scaled, then added to the base product), so the training forward pass
 * and both inference engines round alike.
 */
public final class LoraLinear {
    private LoraLinear() {}

    /**
     * @param x [batch, in]
     * @param weight [out, in], usually constant (frozen)
     * @param a [r, in]
     * @param b [out, r]
     */
    public static Tensor apply(Forward f, Tensor x, Tensor weight, Tensor a, Tensor b, float scale) {
        Tensor base = Dense.linear(f, x, weight, null);
        Tensor low = Dense.linear(f, Dense.linear(f, x, a, null), b, null);
        return addScaled(f, base, low, scale);
    }

    /** {@code base + scale·low}, element-wise. */
    static Tensor addScaled(Forward f, Tensor base, Tensor low, float scale) {
        if (base.size() != low.size()) {
            throw new IllegalArgumentException("cannot add tensors of " + base.size() + " and " + low.size() + " elements");
        }
        float[] x = base.data();
        float[] y = low.data();
        float[] out = f.floats(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + scale * y[i];
        }
        boolean tracked = f.records(base, low);
        Tensor sum = f.output(tracked, out, base.shape());
        if (tracked) {
            f.tape().record(() -> {
                float[] d = sum.grad();
                if (base.tracksGradient()) {
                    float[] g = base.grad();
                    for (int i = 0; i < d.length; i++) {
                        g[i] += d[i];
                    }
                }
                if (low.tracksGradient()) {
                    float[] g = low.grad();
                    for (int i = 0; i < d.length; i++) {
                        g[i] += scale * d[i];
                    }
                }
            });
        }
        return sum;
    }
}

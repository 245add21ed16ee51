package dev.hypha.ml.train;

/** Element-wise operations of a transformer block: the residual sum and the SwiGLU gate. */
public final class Elementwise {
    private Elementwise() {}

    /** {@code a + b} (same size): a residual connection. */
    public static Tensor add(Forward f, Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("cannot add tensors of " + a.size() + " and " + b.size() + " elements");
        }
        float[] x = a.data();
        float[] y = b.data();
        float[] out = f.floats(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + y[i];
        }
        boolean tracked = f.records(a, b);
        Tensor sum = f.output(tracked, out, a.shape());
        if (tracked) {
            f.tape().record(() -> {
                float[] d = sum.grad();
                for (Tensor t : new Tensor[] {a, b}) {
                    if (t.tracksGradient()) {
                        float[] g = t.grad();
                        for (int i = 0; i < d.length; i++) {
                            g[i] += d[i];
                        }
                    }
                }
            });
        }
        return sum;
    }

    /**
     * SwiGLU: {@code silu(gate) * up} with {@code silu(g) = g / (1 + exp(-g))}, exp from {@link StrictMath} and the
     * float operations in the inference engine's order.
     */
    public static Tensor swiglu(Forward f, Tensor gate, Tensor up) {
        if (gate.size() != up.size()) {
            throw new IllegalArgumentException("SwiGLU gate has " + gate.size() + " elements, up " + up.size());
        }
        float[] g = gate.data();
        float[] u = up.data();
        float[] out = f.floats(g.length);
        float[] sigmoid = f.floats(g.length);
        for (int i = 0; i < g.length; i++) {
            float denominator = 1.0f + (float) StrictMath.exp(-g[i]);
            sigmoid[i] = 1.0f / denominator;
            out[i] = g[i] / denominator * u[i];
        }
        boolean tracked = f.records(gate, up);
        Tensor y = f.output(tracked, out, gate.shape());
        if (tracked) {
            f.tape().record(() -> {
                float[] dy = y.grad();
                for (int i = 0; i < g.length; i++) {
                    float s = sigmoid[i];
                    if (gate.tracksGradient()) {
                        // d silu(g)/dg = s · (1 + g·(1 − s))
                        gate.grad()[i] += dy[i] * u[i] * s * (1f + g[i] * (1f - s));
                    }
                    if (up.tracksGradient()) {
                        up.grad()[i] += dy[i] * g[i] * s;
                    }
                }
            });
        }
        return y;
    }
}

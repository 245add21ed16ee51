package dev.hypha.ml.train;

/**
 * Element-wise activations and dropout. GELU uses the tanh form through {@link StrictMath}, whose results are fixed
 * by specification, so the bits do not depend on the JVM's intrinsics.
 */
public final class Activations {
    private Activations() {}

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    public static Tensor relu(Forward f, Tensor x) {
        float[] in = x.data();
        float[] y = f.floats(in.length);
        for (int i = 0; i < in.length; i++) {
            y[i] = in[i] > 0f ? in[i] : 0f;
        }
        boolean tracked = f.records(x);
        Tensor result = f.output(tracked, y, x.shape());
        if (tracked) {
            f.tape().record(() -> {
                float[] dy = result.grad();
                float[] dx = x.grad();
                for (int i = 0; i < in.length; i++) {
                    if (in[i] > 0f) {
                        dx[i] += dy[i];
                    }
                }
            });
        }
        return result;
    }

    /** GELU, tanh approximation: {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
    public static Tensor gelu(Forward f, Tensor x) {
        float[] in = x.data();
        float[] y = f.floats(in.length);
        for (int i = 0; i < in.length; i++) {
            double v = in[i];
            y[i] = (float) (0.5 * v * (1 + StrictMath.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
        }
        boolean tracked = f.records(x);
        Tensor result = f.output(tracked, y, x.shape());
        if (tracked) {
            f.tape().record(() -> {
                float[] dy = result.grad();
                float[] dx = x.grad();
                for (int i = 0; i < in.length; i++) {
                    dx[i] += dy[i] * (float) geluDerivative(in[i]);
                }
            });
        }
        return result;
    }

    static double geluDerivative(double v) {
        double inner = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
        double t = StrictMath.tanh(inner);
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
    }

    /**
     * Inverted dropout: in training each element is zeroed with probability {@code p} and the rest scaled by
     * {@code 1/(1-p)}, the mask drawn in element order from the pass's seeded random source; in evaluation the input
     * passes through unchanged.
     */
    public static Tensor dropout(Forward f, Tensor x, float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        if (!f.training() || p == 0f) {
            return x;
        }
        float[] in = x.data();
        float scale = 1f / (1f - p);
        float[] mask = f.floats(in.length);
        float[] y = f.floats(in.length);
        for (int i = 0; i < in.length; i++) {
            mask[i] = f.random().nextDouble() < p ? 0f : scale;
            y[i] = in[i] * mask[i];
        }
        boolean tracked = f.records(x);
        Tensor result = f.output(tracked, y, x.shape());
        if (tracked) {
            f.tape().record(() -> {
                float[] dy = result.grad();
                float[] dx = x.grad();
                for (int i = 0; i < in.length; i++) {
                    dx[i] += dy[i] * mask[i];
                }
            });
        }
        return result;
    }
}

package dev.hypha.ml.train;

/**
 * Row normalizations of [rows, dim] tensors. RMSNorm computes what the inference engine's {@code Session} computes
 * (ggml's order): the mean of squares summed in double in index order, {@code scale = 1 / sqrt(mean + eps)} in float,
 * then {@code (x * scale) * weight}, so a trained model's forward pass gives the inference engine's bits.
 */
public final class Norms {
    private Norms() {}

    /** RMSNorm of each row of {@code x} [rows, dim] times {@code weight} [dim]. */
    public static Tensor rms(Forward f, Tensor x, Tensor weight, float eps) {
        int dim = weight.size();
        int rows = rows(x, dim);
        float[] in = x.data();
        float[] w = weight.data();
        float[] out = f.floats(in.length);
        float[] scales = f.floats(rows);
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                float v = in[base + i];
                sum += (double) (v * v);
            }
            float mean = (float) (sum / dim);
            float scale = 1.0f / (float) Math.sqrt(mean + eps);
            scales[r] = scale;
            for (int i = 0; i < dim; i++) {
                out[base + i] = (in[base + i] * scale) * w[i];
            }
        }
        boolean tracked = f.records(x, weight);
        Tensor y = f.output(tracked, out, rows, dim);
        if (tracked) {
            f.tape().record(() -> rmsBackward(x, weight, y, scales, rows, dim));
        }
        return y;
    }

    private static void rmsBackward(Tensor x, Tensor weight, Tensor y, float[] scales, int rows, int dim) {
        float[] in = x.data();
        float[] w = weight.data();
        float[] dy = y.grad();
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            float s = scales[r];
            if (weight.tracksGradient()) {
                float[] dw = weight.grad();
                for (int i = 0; i < dim; i++) {
                    dw[i] += dy[base + i] * in[base + i] * s;
                }
            }
            if (x.tracksGradient()) {
                // y_i = x_i·s·w_i with s = (mean(x²)+eps)^-1/2: dx_i = s·w_i·dy_i − x_i·s³/dim · Σ_j dy_j·w_j·x_j
                double dot = 0;
                for (int i = 0; i < dim; i++) {
                    dot += (double) dy[base + i] * w[i] * in[base + i];
                }
                float k = (float) (dot * s * s * s / dim);
                float[] dx = x.grad();
                for (int i = 0; i < dim; i++) {
                    dx[base + i] += s * w[i] * dy[base + i] - in[base + i] * k;
                }
            }
        }
    }

    /** LayerNorm of each row of {@code x} [rows, dim]: {@code (x - mean) / sqrt(var + eps) * weight + bias}. */
    public static Tensor layer(Forward f, Tensor x, Tensor weight, Tensor bias, float eps) {
        int dim = weight.size();
        int rows = rows(x, dim);
        float[] in = x.data();
        float[] w = weight.data();
        float[] out = f.floats(in.length);
        float[] normalized = f.floats(in.length);
        float[] inverse = f.floats(rows);
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                sum += in[base + i];
            }
            float mean = (float) (sum / dim);
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                float d = in[base + i] - mean;
                squares += (double) (d * d);
            }
            float inv = 1.0f / (float) Math.sqrt((float) (squares / dim) + eps);
            inverse[r] = inv;
            for (int i = 0; i < dim; i++) {
                float n = (in[base + i] - mean) * inv;
                normalized[base + i] = n;
                out[base + i] = n * w[i] + (bias == null ? 0f : bias.data()[i]);
            }
        }
        boolean tracked = f.records(x, weight, bias);
        Tensor y = f.output(tracked, out, rows, dim);
        if (tracked) {
            f.tape().record(() -> layerBackward(x, weight, bias, y, normalized, inverse, rows, dim));
        }
        return y;
    }

    private static void layerBackward(Tensor x, Tensor weight, Tensor bias, Tensor y, float[] normalized, float[] inverse,
                                      int rows, int dim) {
        float[] w = weight.data();
        float[] dy = y.grad();
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            if (weight.tracksGradient()) {
                float[] dw = weight.grad();
                for (int i = 0; i < dim; i++) {
                    dw[i] += dy[base + i] * normalized[base + i];
                }
            }
            if (bias != null && bias.tracksGradient()) {
                float[] db = bias.grad();
                for (int i = 0; i < dim; i++) {
                    db[i] += dy[base + i];
                }
            }
            if (x.tracksGradient()) {
                // dx = inv · (g − mean(g) − n · mean(g·n)) with g = dy·w
                double sumG = 0;
                double sumGn = 0;
                for (int i = 0; i < dim; i++) {
                    double g = (double) dy[base + i] * w[i];
                    sumG += g;
                    sumGn += g * normalized[base + i];
                }
                float meanG = (float) (sumG / dim);
                float meanGn = (float) (sumGn / dim);
                float[] dx = x.grad();
                for (int i = 0; i < dim; i++) {
                    float g = dy[base + i] * w[i];
                    dx[base + i] += inverse[r] * (g - meanG - normalized[base + i] * meanGn);
                }
            }
        }
    }

    private static int rows(Tensor x, int dim) {
        if (x.size() % dim != 0) {
            throw new IllegalArgumentException("a norm over " + dim + " features got a tensor of " + x.size() + " elements");
        }
        return x.size() / dim;
    }
}

package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatMatMul;

/** The fully connected layer's operation: {@code y = x·Wᵀ + b}. */
public final class Dense {
    private Dense() {}

    /**
     * @param x      input, [batch, in]
     * @param weight [out, in]
     * @param bias   [out] or null
     * @return [batch, out]
     */
    public static Tensor linear(Forward f, Tensor x, Tensor weight, Tensor bias) {
        int batch = x.dim(0);
        int in = x.size() / batch;
        int out = weight.dim(0);
        if (weight.rank() != 2 || weight.dim(1) != in) {
            throw new IllegalArgumentException("linear layer of " + weight.dim(1) + " inputs got " + in + " features per sample");
        }
        float[] y = f.floats(batch * out);
        f.gemm().multiplyTransposed(x.data(), weight.data(), y, batch, out, in, false);
        if (bias != null) {
            float[] b = bias.data();
            for (int s = 0; s < batch; s++) {
                for (int o = 0; o < out; o++) {
                    y[s * out + o] += b[o];
                }
            }
        }
        boolean tracked = f.records(x, weight, bias);
        Tensor result = f.output(tracked, y, batch, out);
        if (tracked) {
            f.tape().record(() -> backward(f, x, weight, bias, result, batch, in, out));
        }
        return result;
    }

    private static void backward(Forward f, Tensor x, Tensor weight, Tensor bias, Tensor y, int batch, int in, int out) {
        FloatMatMul gemm = f.gemm();
        float[] dy = y.grad();
        if (weight.tracksGradient()) {
            // dW[o][i] = Σ_s dy[s][o]·x[s][i]: one dot over the batch per element
            gemm.multiplyTransposed(f.transpose(dy, batch, out), f.transpose(x.data(), batch, in),
                    weight.grad(), out, in, batch, true);
        }
        if (bias != null && bias.tracksGradient()) {
            float[] db = bias.grad();
            for (int s = 0; s < batch; s++) {
                for (int o = 0; o < out; o++) {
                    db[o] += dy[s * out + o];
                }
            }
        }
        if (x.tracksGradient()) {
            // dx[s][i] = Σ_o dy[s][o]·W[o][i]
            gemm.multiplyTransposed(dy, f.transpose(weight.data(), out, in), x.grad(), batch, in, out, true);
        }
    }
}

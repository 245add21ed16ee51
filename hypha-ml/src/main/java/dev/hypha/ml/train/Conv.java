package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatMatMul;

/**
 * 2-D convolution (stride 1, zero padding) as im2col + the shared GEMM: every output position's receptive field is
 * copied into one row, so the convolution is one product of that matrix with the kernels. Copies are exact, so the
 * bits are the GEMM's, fixed for any thread count and SIMD width.
 */
public final class Conv {
    private Conv() {}

    /** Output size of one spatial dimension. */
    public static int outputSize(int input, int kernel, int padding) {
        return input + 2 * padding - kernel + 1;
    }

    /**
     * @param x      [batch, channels, height, width]
     * @param kernel [filters, channels·k·k]
     * @param bias   [filters] or null
     * @return [batch, filters, outH, outW]
     */
    public static Tensor conv2d(Forward f, Tensor x, Tensor kernel, Tensor bias, int k, int padding) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("conv2d expects [batch, channels, height, width], got rank " + x.rank());
        }
        Geometry g = new Geometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kernel.dim(0), k, padding);
        if (kernel.size() != g.filters * g.patch) {
            throw new IllegalArgumentException("conv2d kernel for " + (kernel.size() / g.filters / k / k) + " channels got "
                    + g.channels + " input channels");
        }
        if (g.outH <= 0 || g.outW <= 0) {
            throw new IllegalArgumentException("conv2d kernel " + k + " with padding " + padding + " does not fit a "
                    + g.height + "x" + g.width + " input");
        }
        float[] cols = im2col(f, x.data(), g);
        float[] rows = f.floats(g.positions() * g.filters);
        if (g.patch <= FloatMatMul.SMALL_K) {
            f.gemm().multiplySmallK(cols, f.transpose(kernel.data(), g.filters, g.patch), rows, g.positions(), g.filters, g.patch);
        } else {
            f.gemm().multiplyTransposed(cols, kernel.data(), rows, g.positions(), g.filters, g.patch, false);
        }
        float[] y = f.floats(rows.length);
        int hw = g.outH * g.outW;
        f.gemm().parallel().forRange(g.batch, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int p = 0; p < hw; p++) {
                    for (int c = 0; c < g.filters; c++) {
                        float v = rows[(n * hw + p) * g.filters + c];
                        y[(n * g.filters + c) * hw + p] = bias == null ? v : v + bias.data()[c];
                    }
                }
            }
        });
        boolean tracked = f.records(x, kernel, bias);
        Tensor result = f.output(tracked, y, g.batch, g.filters, g.outH, g.outW);
        if (tracked) {
            f.tape().record(() -> backward(f, x, kernel, bias, result, cols, g));
        }
        return result;
    }

    private static void backward(Forward f, Tensor x, Tensor kernel, Tensor bias, Tensor y, float[] cols, Geometry g) {
        FloatMatMul gemm = f.gemm();
        int hw = g.outH * g.outW;
        int positions = g.positions();
        float[] dy = y.grad();
        // dy as [positions, filters], the layout of the forward product
        float[] dRows = f.floats(positions * g.filters);
        for (int n = 0; n < g.batch; n++) {
            for (int c = 0; c < g.filters; c++) {
                for (int p = 0; p < hw; p++) {
                    dRows[(n * hw + p) * g.filters + c] = dy[(n * g.filters + c) * hw + p];
                }
            }
        }
        if (kernel.tracksGradient()) {
            gemm.multiplyTransposed(f.transpose(dRows, positions, g.filters), f.transpose(cols, positions, g.patch),
                    kernel.grad(), g.filters, g.patch, positions, true);
        }
        if (bias != null && bias.tracksGradient()) {
            float[] db = bias.grad();
            for (int q = 0; q < positions; q++) {
                for (int c = 0; c < g.filters; c++) {
                    db[c] += dRows[q * g.filters + c];
                }
            }
        }
        if (x.tracksGradient()) {
            float[] dCols = f.floats(positions * g.patch);
            if (g.filters <= FloatMatMul.SMALL_K) { // the kernel [filters, patch] is already Bᵀ for this product
                gemm.multiplySmallK(dRows, kernel.data(), dCols, positions, g.patch, g.filters);
            } else {
                gemm.multiplyTransposed(dRows, f.transpose(kernel.data(), g.filters, g.patch), dCols, positions, g.patch, g.filters, false);
            }
            col2im(gemm, dCols, x.grad(), g);
        }
    }

    /** Row {@code n·outH·outW + oh·outW + ow} holds the input values under the kernel at that position, channel-major. */
    private static float[] im2col(Forward f, float[] x, Geometry g) {
        float[] cols = f.floats(g.positions() * g.patch);
        f.gemm().parallel().forRange(g.batch, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int oh = 0; oh < g.outH; oh++) {
                    for (int ow = 0; ow < g.outW; ow++) {
                        int row = ((n * g.outH + oh) * g.outW + ow) * g.patch;
                        int e = 0;
                        for (int c = 0; c < g.channels; c++) {
                            int plane = (n * g.channels + c) * g.height;
                            for (int ky = 0; ky < g.k; ky++) {
                                int ih = oh + ky - g.padding;
                                for (int kx = 0; kx < g.k; kx++, e++) {
                                    int iw = ow + kx - g.padding;
                                    if (ih >= 0 && ih < g.height && iw >= 0 && iw < g.width) {
                                        cols[row + e] = x[(plane + ih) * g.width + iw];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return cols;
    }

    /** Adds each column gradient back to the input element it was copied from; one image per thread, fixed order within. */
    private static void col2im(FloatMatMul gemm, float[] dCols, float[] dx, Geometry g) {
        gemm.parallel().forRange(g.batch, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int oh = 0; oh < g.outH; oh++) {
                    for (int ow = 0; ow < g.outW; ow++) {
                        int row = ((n * g.outH + oh) * g.outW + ow) * g.patch;
                        int e = 0;
                        for (int c = 0; c < g.channels; c++) {
                            int plane = (n * g.channels + c) * g.height;
                            for (int ky = 0; ky < g.k; ky++) {
                                int ih = oh + ky - g.padding;
                                for (int kx = 0; kx < g.k; kx++, e++) {
                                    int iw = ow + kx - g.padding;
                                    if (ih >= 0 && ih < g.height && iw >= 0 && iw < g.width) {
                                        dx[(plane + ih) * g.width + iw] += dCols[row + e];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    private record Geometry(int batch, int channels, int height, int width, int filters, int k, int padding, int outH, int outW, int patch) {
        Geometry(int batch, int channels, int height, int width, int filters, int k, int padding) {
            this(batch, channels, height, width, filters, k, padding, outputSize(height, k, padding), outputSize(width, k, padding),
                    channels * k * k);
        }

        int positions() {
            return batch * outH * outW;
        }
    }
}

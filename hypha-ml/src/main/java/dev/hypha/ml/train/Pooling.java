package dev.hypha.ml.train;

/** Max and average pooling over non-overlapping {@code size}×{@code size} windows (stride = size, no padding). */
public final class Pooling {
    private Pooling() {}

    /** Max pooling of [batch, channels, h, w] to [batch, channels, h/size, w/size]; ties go to the first element. */
    public static Tensor max(Forward f, Tensor x, int size) {
        Shape s = Shape.of(x, size);
        float[] in = x.data();
        float[] y = f.floats(s.outputs());
        int[] from = new int[y.length];
        for (int plane = 0; plane < s.planes; plane++) {
            for (int oh = 0; oh < s.outH; oh++) {
                for (int ow = 0; ow < s.outW; ow++) {
                    int o = (plane * s.outH + oh) * s.outW + ow;
                    int best = s.index(plane, oh * size, ow * size);
                    for (int dy = 0; dy < size; dy++) {
                        for (int dx = 0; dx < size; dx++) {
                            int i = s.index(plane, oh * size + dy, ow * size + dx);
                            if (in[i] > in[best]) {
                                best = i;
                            }
                        }
                    }
                    y[o] = in[best];
                    from[o] = best;
                }
            }
        }
        boolean tracked = f.records(x);
        Tensor result = f.output(tracked, y, s.outputShape());
        if (tracked) {
            f.tape().record(() -> {
                float[] dy = result.grad();
                float[] dx = x.grad();
                for (int o = 0; o < dy.length; o++) {
                    dx[from[o]] += dy[o];
                }
            });
        }
        return result;
    }

    /** Average pooling of [batch, channels, h, w] to [batch, channels, h/size, w/size]. */
    public static Tensor average(Forward f, Tensor x, int size) {
        Shape s = Shape.of(x, size);
        float[] in = x.data();
        float[] y = f.floats(s.outputs());
        float scale = 1f / (size * size);
        for (int plane = 0; plane < s.planes; plane++) {
            for (int oh = 0; oh < s.outH; oh++) {
                for (int ow = 0; ow < s.outW; ow++) {
                    float sum = 0f;
                    for (int dy = 0; dy < size; dy++) {
                        for (int dx = 0; dx < size; dx++) {
                            sum += in[s.index(plane, oh * size + dy, ow * size + dx)];
                        }
                    }
                    y[(plane * s.outH + oh) * s.outW + ow] = sum * scale;
                }
            }
        }
        boolean tracked = f.records(x);
        Tensor result = f.output(tracked, y, s.outputShape());
        if (tracked) {
            f.tape().record(() -> {
                float[] dy = result.grad();
                float[] dx = x.grad();
                for (int plane = 0; plane < s.planes; plane++) {
                    for (int oh = 0; oh < s.outH; oh++) {
                        for (int ow = 0; ow < s.outW; ow++) {
                            float g = dy[(plane * s.outH + oh) * s.outW + ow] * scale;
                            for (int a = 0; a < size; a++) {
                                for (int b = 0; b < size; b++) {
                                    dx[s.index(plane, oh * size + a, ow * size + b)] += g;
                                }
                            }
                        }
                    }
                }
            });
        }
        return result;
    }

    private record Shape(int batch, int channels, int planes, int h, int w, int outH, int outW) {
        static Shape of(Tensor x, int size) {
            if (x.rank() != 4) {
                throw new IllegalArgumentException("pooling expects [batch, channels, height, width], got rank " + x.rank());
            }
            if (size < 1 || x.dim(2) < size || x.dim(3) < size) {
                throw new IllegalArgumentException("pooling window " + size + " does not fit a " + x.dim(2) + "x" + x.dim(3) + " input");
            }
            return new Shape(x.dim(0), x.dim(1), x.dim(0) * x.dim(1), x.dim(2), x.dim(3), x.dim(2) / size, x.dim(3) / size);
        }

        int index(int plane, int row, int col) {
            return (plane * h + row) * w + col;
        }

        int outputs() {
            return planes * outH * outW;
        }

        int[] outputShape() {
            return new int[] {batch, channels, outH, outW};
        }
    }
}

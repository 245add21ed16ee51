package dev.hypha.ml.train;

import java.util.Arrays;

/**
 * A dense float tensor, row-major, with an optional gradient of the same shape.
 *
 * <p>Tensors are plain data; the operations that produce them (in {@link Dense}, {@link Conv}, {@link Pooling}, {@link Activations} and {@link Losses}) record how to
 * push gradients back on a {@link Tape}. A tensor without a gradient array is a constant: no gradient flows into it,
 * which is how inputs skip the work of computing theirs.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    private final float[] grad;

    private Tensor(int[] shape, float[] data, float[] grad) {
        long size = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor dimensions must be positive, got " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != data.length || (grad != null && grad.length != data.length)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " elements, data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
        this.grad = grad;
    }

    /** A constant (no gradient) over {@code data}, which it does not copy. */
    public static Tensor constant(float[] data, int... shape) {
        return new Tensor(shape, data, null);
    }

    /** A tensor whose gradient is tracked (parameters and the outputs of operations on them). */
    public static Tensor tracked(float[] data, int... shape) {
        return new Tensor(shape, data, new float[data.length]);
    }

    /** A tracked tensor whose gradient lives in {@code grad} (zeroed, same size: a working array). */
    public static Tensor tracked(float[] data, float[] grad, int... shape) {
        return new Tensor(shape, data, grad);
    }

    /** The same data and gradient seen with another shape of the same size (flatten). */
    public Tensor reshape(int... newShape) {
        return new Tensor(newShape, data, grad);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    /** The values, shared (not a copy): operations and optimizers work on them in place. */
    public float[] data() {
        return data;
    }

    /** The gradient, shared; null for a constant. */
    public float[] grad() {
        return grad;
    }

    public boolean tracksGradient() {
        return grad != null;
    }

    /** Sets the gradient to zero (before each backward pass: gradients accumulate). */
    public void zeroGrad() {
        if (grad != null) {
            Arrays.fill(grad, 0f);
        }
    }
}

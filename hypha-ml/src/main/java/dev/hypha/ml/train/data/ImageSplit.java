package dev.hypha.ml.train.data;

/**
 * One split of an image-classification dataset: {@code count} grey-scale images of {@code height}×{@code width} bytes,
 * one after the other, and one label byte per image.
 */
public record ImageSplit(String name, int count, int height, int width, int classes, byte[] pixels, byte[] labels) {
    public ImageSplit {
        if ((long) count * height * width != pixels.length || labels.length != count) {
            throw new IllegalArgumentException("split '" + name + "': " + count + " images of " + height + "x" + width
                    + " need " + (long) count * height * width + " pixel bytes and " + count + " labels, got " + pixels.length
                    + " and " + labels.length);
        }
        for (int i = 0; i < count; i++) {
            if ((labels[i] & 0xff) >= classes) {
                throw new IllegalArgumentException("split '" + name + "': label " + (labels[i] & 0xff) + " of image " + i
                        + " is not one of the " + classes + " classes");
            }
        }
    }

    /** Images {@code indices} as floats in [0, 1], shape [n, 1, height, width] flattened. */
    public float[] images(int[] indices) {
        int size = height * width;
        float[] out = new float[indices.length * size];
        for (int s = 0; s < indices.length; s++) {
            int base = indices[s] * size;
            for (int p = 0; p < size; p++) {
                out[s * size + p] = (pixels[base + p] & 0xff) / 255f;
            }
        }
        return out;
    }

    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int s = 0; s < indices.length; s++) {
            out[s] = labels[indices[s]] & 0xff;
        }
        return out;
    }

    /** The images {@code indices}, in that order (repeats allowed). */
    public ImageSplit select(String newName, int[] indices) {
        int size = height * width;
        byte[] px = new byte[indices.length * size];
        byte[] lb = new byte[indices.length];
        for (int s = 0; s < indices.length; s++) {
            System.arraycopy(pixels, indices[s] * size, px, s * size, size);
            lb[s] = labels[indices[s]];
        }
        return new ImageSplit(newName, indices.length, height, width, classes, px, lb);
    }

    /** The first {@code n} images only (small test runs). */
    public ImageSplit head(int n) {
        int k = Math.min(n, count);
        return new ImageSplit(name, k, height, width, classes, java.util.Arrays.copyOf(pixels, k * height * width),
                java.util.Arrays.copyOf(labels, k));
    }
}

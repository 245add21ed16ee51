package dev.hypha.ml.train;

/**
 * Reads a layer from its one-line text form ({@code linear 784 256}, {@code conv2d 1 16 3 1}, {@code maxpool 2},
 * {@code avgpool 2}, {@code relu}, {@code gelu}, {@code dropout 0.25}, {@code flatten}). Specs and model files come
 * from outside, so every size is bounded and every error names the line and what would be right.
 */
public final class LayerSyntax {
    private LayerSyntax() {}

    /** The largest size of any one dimension a layer may ask for (keeps a hostile spec from allocating the heap away). */
    public static final int MAX_SIZE = 1 << 16;

    public static Layer parse(String line) {
        String[] w = line.strip().split("\\s+");
        return switch (w[0]) {
            case "linear" -> {
                expect(line, w, 3, "linear IN OUT");
                yield new Layer.Linear(size(line, w[1]), size(line, w[2]));
            }
            case "conv2d" -> {
                expect(line, w, 5, "conv2d IN OUT KERNEL PADDING");
                int kernel = size(line, w[3]);
                int padding = Integer.parseInt(number(line, w[4]));
                if (padding < 0 || padding >= kernel) {
                    throw error(line, "padding must be between 0 and kernel-1");
                }
                yield new Layer.Conv2d(size(line, w[1]), size(line, w[2]), kernel, padding);
            }
            case "maxpool" -> {
                expect(line, w, 2, "maxpool SIZE");
                yield new Layer.MaxPool(size(line, w[1]));
            }
            case "avgpool" -> {
                expect(line, w, 2, "avgpool SIZE");
                yield new Layer.AvgPool(size(line, w[1]));
            }
            case "relu" -> {
                expect(line, w, 1, "relu");
                yield new Layer.Relu();
            }
            case "gelu" -> {
                expect(line, w, 1, "gelu");
                yield new Layer.Gelu();
            }
            case "flatten" -> {
                expect(line, w, 1, "flatten");
                yield new Layer.Flatten();
            }
            case "dropout" -> {
                expect(line, w, 2, "dropout P (0 <= P < 1)");
                float p;
                try {
                    p = Float.parseFloat(w[1]);
                } catch (NumberFormatException e) {
                    throw error(line, "dropout P needs a number, e.g. dropout 0.25");
                }
                if (!(p >= 0f && p < 1f)) {
                    throw error(line, "dropout probability must be at least 0 and below 1");
                }
                yield new Layer.Dropout(p);
            }
            default -> throw error(line, "unknown layer '" + w[0]
                    + "'; known: linear, conv2d, maxpool, avgpool, relu, gelu, dropout, flatten");
        };
    }

    private static void expect(String line, String[] words, int count, String form) {
        if (words.length != count) {
            throw error(line, "expected '" + form + "'");
        }
    }

    private static String number(String line, String word) {
        if (!word.matches("[0-9]{1,6}")) {
            throw error(line, "'" + word + "' is not a whole number");
        }
        return word;
    }

    private static int size(String line, String word) {
        int v = Integer.parseInt(number(line, word));
        if (v < 1 || v > MAX_SIZE) {
            throw error(line, "sizes must be between 1 and " + MAX_SIZE + ", got " + v);
        }
        return v;
    }

    private static IllegalArgumentException error(String line, String what) {
        return new IllegalArgumentException("layer '" + line.strip() + "': " + what);
    }
}

package dev.hypha.ml.train;

/** Token embedding: row {@code tokens[i]} of a table [vocab, dim]; the backward step adds gradients into the rows used. */
public final class Embedding {
    private Embedding() {}

    /**
     * @param table  [vocab, dim]
     * @param tokens ids in 0..vocab-1
     * @return [tokens.length, dim]
     */
    public static Tensor lookup(Forward f, Tensor table, int[] tokens) {
        int vocab = table.dim(0);
        int dim = table.size() / vocab;
        float[] out = f.floats(tokens.length * dim);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token " + tokens[i] + " at " + i + " is outside the vocabulary of " + vocab);
            }
            System.arraycopy(table.data(), tokens[i] * dim, out, i * dim, dim);
        }
        boolean tracked = f.records(table);
        Tensor result = f.output(tracked, out, tokens.length, dim);
        if (tracked) {
            f.tape().record(() -> {
                // in token order: a token used twice gets its gradients added in the order of its uses
                float[] g = table.grad();
                float[] dy = result.grad();
                for (int i = 0; i < tokens.length; i++) {
                    int row = tokens[i] * dim;
                    for (int d = 0; d < dim; d++) {
                        g[row + d] += dy[i * dim + d];
                    }
                }
            });
        }
        return result;
    }
}

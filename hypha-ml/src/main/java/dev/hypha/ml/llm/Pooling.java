package dev.hypha.ml.llm;

/** How embeddings pool the per-token hidden states ({@code <arch>.pooling_type}, llama.cpp's numbering). */
public enum Pooling {
    MEAN, CLS, LAST;

    /** From llama.cpp's {@code enum llama_pooling_type}: 1 mean, 2 cls, 3 last; 0 (none) and absent mean "mean". */
    public static Pooling fromGguf(long id) {
        return switch ((int) id) {
            case 0, 1 -> MEAN;
            case 2 -> CLS;
            case 3 -> LAST;
            default -> throw new IllegalArgumentException("unsupported pooling_type " + id + "; supported: 1 (mean), 2 (cls), 3 (last)");
        };
    }
}

package dev.hypha.ml.tokenizer;

/** Token types of {@code tokenizer.ggml.token_type} (llama.cpp {@code llama_token_type}). */
public enum TokenType {
    UNDEFINED(0), NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    private final int id;

    TokenType(int id) {
        this.id = id;
    }

    /** The id stored in GGUF files. */
    public int id() {
        return id;
    }

    /** The type for a stored id; ids outside 0..6 are {@link #UNDEFINED}, as in llama.cpp. */
    public static TokenType fromId(int id) {
        return id >= 0 && id < values().length ? values()[id] : UNDEFINED;
    }
}

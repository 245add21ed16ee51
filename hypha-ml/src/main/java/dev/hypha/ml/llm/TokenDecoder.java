package dev.hypha.ml.llm;

/** What generation needs from a tokenizer: the raw bytes of a token and whether it ends generation. */
public interface TokenDecoder {
    /** The token's bytes (UTF-8 characters may be split across tokens). */
    byte[] bytes(int token);

    /** True for end-of-sequence / end-of-turn tokens. */
    boolean isEndOfGeneration(int token);
}

package dev.hypha.ml.llm;

import dev.hypha.ml.tokenizer.Tokenizer;

/** What generation needs from a tokenizer: the raw bytes of a token and whether it ends generation. */
public interface TokenDecoder {
    /** The token's bytes (UTF-8 characters may be split across tokens). */
    byte[] bytes(int token);

    /** True for end-of-sequence / end-of-turn tokens. */
    boolean isEndOfGeneration(int token);

    /** The decoder of a model's tokenizer. */
    static TokenDecoder of(Tokenizer tokenizer) {
        return new TokenDecoder() {
            @Override
            public byte[] bytes(int token) {
                return tokenizer.decodeBytes(token);
            }

            @Override
            public boolean isEndOfGeneration(int token) {
                return tokenizer.isEndOfGeneration(token);
            }
        };
    }
}

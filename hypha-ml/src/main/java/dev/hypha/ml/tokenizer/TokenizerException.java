package dev.hypha.ml.tokenizer;

/** Tokenizer metadata is missing, inconsistent or names something unsupported; the message says which. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }
}

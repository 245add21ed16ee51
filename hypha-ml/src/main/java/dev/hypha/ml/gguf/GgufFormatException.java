package dev.hypha.ml.gguf;

/**
 * A GGUF file (or a value being written to one) breaks the format: the message names the file, what was being read
 * or checked, where (byte offset, key or tensor name) and what was expected.
 */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

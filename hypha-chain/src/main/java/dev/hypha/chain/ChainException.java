package dev.hypha.chain;

import java.util.Objects;

/**
 * A user-facing error from hypha-chain: a one-line message and a category. Built only through
 * {@link ChainErrors}.
 */
public class ChainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure this was; the CLI maps it to an exit code. */
    public enum Category { INPUT, NETWORK, CHAIN, INTERNAL }

    private final Category category;

    protected ChainException(Category category, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.category = Objects.requireNonNull(category, "category");
    }

    /** The category of this failure. */
    public Category category() {
        return category;
    }
}

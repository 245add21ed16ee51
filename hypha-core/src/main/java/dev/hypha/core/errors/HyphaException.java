package dev.hypha.core.errors;

import java.util.Objects;

/**
 * A failure with a one-line message meant for the person at the keyboard, and a {@link ErrorCategory} the CLI turns
 * into an exit code. The message names what was wrong and, where possible, what would be right; it never contains
 * secrets (keys, passwords). Stack traces are for --verbose only, so the message must stand on its own.
 */
public class HyphaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCategory category;

    public HyphaException(ErrorCategory category, String message) {
        this(category, message, null);
    }

    public HyphaException(ErrorCategory category, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.category = Objects.requireNonNull(category, "category");
    }

    /** The kind of failure, which decides the exit code. */
    public ErrorCategory category() {
        return category;
    }

    /** Shorthand for the exit code of {@link #category()}. */
    public int exitCode() {
        return category.exitCode();
    }

    /** A malformed value from the user or a file. */
    public static HyphaException input(String message) {
        return new HyphaException(ErrorCategory.INPUT, message);
    }

    /** A malformed value from the user or a file, keeping the lower-level cause for --verbose. */
    public static HyphaException input(String message, Throwable cause) {
        return new HyphaException(ErrorCategory.INPUT, message, cause);
    }

    /** A local storage failure. */
    public static HyphaException io(String message, Throwable cause) {
        return new HyphaException(ErrorCategory.IO, message, cause);
    }
}

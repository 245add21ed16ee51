package dev.hypha.chain;

import dev.hypha.core.errors.ErrorCategory;

/**
 * The one place hypha-chain builds its user-facing exceptions, so every error leaves this module
 * with a category the CLI can turn into an exit code.
 * The categories are hypha-core's {@link ErrorCategory}, which also fixes the exit codes.
 */
public final class ChainErrors {
    private ChainErrors() {}

    /** The RPC endpoint could not be reached or did not answer in time. */
    public static ChainException network(String message, Throwable cause) {
        return new ChainException(ErrorCategory.NETWORK, message, cause);
    }

    /** The chain refused something: a revert, a JSON-RPC error, a missing contract. */
    public static ChainException chain(String message) {
        return new ChainException(ErrorCategory.CHAIN, message, null);
    }

    /** Like {@link #chain(String)} with the underlying cause kept for --verbose. */
    public static ChainException chain(String message, Throwable cause) {
        return new ChainException(ErrorCategory.CHAIN, message, cause);
    }

    /** The caller passed something malformed (bad address, bad port, missing file...). */
    public static ChainException input(String message) {
        return new ChainException(ErrorCategory.INPUT, message, null);
    }

    /** Something on this machine failed (process could not start, file not writable...). */
    public static ChainException internal(String message, Throwable cause) {
        return new ChainException(ErrorCategory.INTERNAL, message, cause);
    }
}

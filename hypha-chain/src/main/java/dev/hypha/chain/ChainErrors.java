package dev.hypha.chain;

/**
 * The one place hypha-chain builds its user-facing exceptions, so every error leaves this module
 * with a category the CLI can turn into an exit code.
 *
 * <p>Temporary: hypha-core's {@code HyphaException} is being written in parallel; until it lands,
 * {@link ChainException} carries the category. Callers use only these factories, so the switch is
 * one file.
 */
public final class ChainErrors {
    private ChainErrors() {}

    /** The RPC endpoint could not be reached or did not answer in time. */
    public static ChainException network(String message, Throwable cause) {
        return new ChainException(ChainException.Category.NETWORK, message, cause);
    }

    /** The chain refused something: a revert, a JSON-RPC error, a missing contract. */
    public static ChainException chain(String message) {
        return new ChainException(ChainException.Category.CHAIN, message, null);
    }

    /** Like {@link #chain(String)} with the underlying cause kept for --verbose. */
    public static ChainException chain(String message, Throwable cause) {
        return new ChainException(ChainException.Category.CHAIN, message, cause);
    }

    /** The caller passed something malformed (bad address, bad port, missing file...). */
    public static ChainException input(String message) {
        return new ChainException(ChainException.Category.INPUT, message, null);
    }

    /** Something on this machine failed (process could not start, file not writable...). */
    public static ChainException internal(String message, Throwable cause) {
        return new ChainException(ChainException.Category.INTERNAL, message, cause);
    }
}

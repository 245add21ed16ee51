package dev.hypha.core.errors;

/**
 * What kind of failure a {@link HyphaException} reports; the CLI maps each to its process exit code so scripts can
 * tell "you typed it wrong" from "the network is down" without parsing messages.
 */
public enum ErrorCategory {
    /** The command line itself was wrong (unknown option, missing argument). */
    USAGE(2),
    /** A value given by the user or read from a file was malformed (bad address, bad CID, bad JSON). */
    INPUT(3),
    /** The configuration file or environment held an invalid setting. */
    CONFIG(4),
    /** A password or key was wrong, or a signature did not verify. */
    AUTH(5),
    /** Something asked for does not exist (account, file, block). */
    NOT_FOUND(6),
    /** A remote endpoint (RPC node, peer) could not be reached or answered badly. */
    NETWORK(7),
    /** The chain rejected what was asked (revert, insufficient funds or stake). */
    CHAIN(8),
    /** Local storage failed (disk full, permissions). */
    IO(9),
    /** A bug in Hypha: an invariant did not hold. */
    INTERNAL(70);

    private final int exitCode;

    ErrorCategory(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code the CLI uses for this category (never 0). */
    public int exitCode() {
        return exitCode;
    }
}

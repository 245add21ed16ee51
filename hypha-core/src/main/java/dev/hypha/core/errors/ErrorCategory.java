package dev.hypha.core.errors;

/**
 * What kind of failure a {@link HyphaException} reports, and the process exit code {@code hypha} returns for it, so
 * scripts can tell "you typed it wrong" from "the network is down" without parsing messages.
 *
 * <p>This enum is the one exit-code table of the project (README.md documents it): 0 success, 1 internal error,
 * 2 usage, 3 bad input (also bad config and missing things), 4 auth, 5 network, 6 chain, 7 file system. Several
 * categories share a code where a script would react the same way; the category still tells them apart in code.
 */
public enum ErrorCategory {
    /** The command line itself was wrong (unknown option, missing argument). */
    USAGE(2),
    /** A value given by the user or read from a file was malformed (bad address, bad CID, bad JSON). */
    INPUT(3),
    /** The configuration file or environment held an invalid setting. */
    CONFIG(3),
    /** A password or key was wrong, or a signature did not verify. */
    AUTH(4),
    /** Something asked for does not exist (account, file, block). */
    NOT_FOUND(3),
    /** A remote endpoint (RPC node, peer) could not be reached or answered badly. */
    NETWORK(5),
    /** The chain rejected what was asked (revert, insufficient funds or stake, missing deployment). */
    CHAIN(6),
    /** Local storage failed (disk full, permissions). */
    IO(7),
    /** A bug in Hypha or an unexpected failure: an invariant did not hold. */
    INTERNAL(1);

    private final int exitCode;

    ErrorCategory(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code the CLI uses for this category (never 0). */
    public int exitCode() {
        return exitCode;
    }
}

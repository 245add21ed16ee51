package dev.hypha.cli;

import dev.hypha.core.errors.ErrorCategory;

/**
 * Process exit codes of {@code hypha}, named for use in {@code call()} methods and tests. The numbers are not defined
 * here: each failure code is read from {@link ErrorCategory#exitCode()}, the project's one exit-code table.
 */
public final class ExitCodes {

    public static final int OK = 0;
    /** A bug or an unexpected failure. */
    public static final int INTERNAL = ErrorCategory.INTERNAL.exitCode();
    /** Wrong command-line syntax: unknown command or option, missing argument. */
    public static final int USAGE = ErrorCategory.USAGE.exitCode();
    /** A value that parsed but is not acceptable: bad address, zero amount, malformed config file, missing file. */
    public static final int INPUT = ErrorCategory.INPUT.exitCode();
    /** Wrong password, locked or missing key. */
    public static final int AUTH = ErrorCategory.AUTH.exitCode();
    /** The RPC endpoint or another peer could not be reached. */
    public static final int NETWORK = ErrorCategory.NETWORK.exitCode();
    /** The chain refused: a revert (insufficient stake, ...), missing deployment. */
    public static final int CHAIN = ErrorCategory.CHAIN.exitCode();
    /** The local file system failed: disk full, permission denied. */
    public static final int IO = ErrorCategory.IO.exitCode();

    private ExitCodes() {
    }
}

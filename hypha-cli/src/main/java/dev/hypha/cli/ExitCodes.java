package dev.hypha.cli;

/** Process exit codes of {@code hypha}, one per error category, so scripts can tell failures apart. */
public final class ExitCodes {

    public static final int OK = 0;
    /** A bug or an unexpected failure. */
    public static final int INTERNAL = 1;
    /** Wrong command-line syntax: unknown command or option, missing argument. */
    public static final int USAGE = 2;
    /** A value that parsed but is not acceptable: bad address, zero amount, malformed config file. */
    public static final int INPUT = 3;
    /** Wrong password, locked or missing key. */
    public static final int AUTH = 4;
    /** The RPC endpoint or another peer could not be reached. */
    public static final int NETWORK = 5;
    /** The chain refused: a revert (insufficient stake, ...), missing deployment. */
    public static final int CHAIN = 6;

    private ExitCodes() {
    }
}

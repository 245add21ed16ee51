package dev.hypha.cli;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr, {@code hypha: error: <what was wrong>}, and an exit code by category
 * ({@link ErrorCategory#exitCode()}). Stack traces are printed only with {@code --verbose}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    /** A failure as the user sees it. */
    record Failure(int exitCode, String message) {
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        PrintWriter err = commandLine.getErr();
        String help = commandLine.getCommandSpec().qualifiedName(" ") + " --help";
        String suggestion = "";
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            suggestion = " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
        }
        err.println("hypha: error: " + oneLine(ex.getMessage()) + suggestion + " (see '" + help + "')");
        if (verbose(commandLine)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        Failure failure = classify(ex);
        boolean verbose = verbose(commandLine);
        String hint = failure.exitCode() == ExitCodes.INTERNAL && !verbose
                ? " (run again with --verbose for the stack trace)" : "";
        err.println("hypha: error: " + failure.message() + hint);
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return failure.exitCode();
    }

    /** Maps an exception (or the first cause that says more) to its category and user-facing line. */
    static Failure classify(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            Failure known = known(t);
            if (known != null) {
                return known;
            }
        }
        return new Failure(ExitCodes.INTERNAL,
                "internal error: " + ex.getClass().getSimpleName() + ": " + oneLine(String.valueOf(ex.getMessage())));
    }

    private static Failure known(Throwable t) {
        return switch (t) {
            // hypha-chain's ChainException is a HyphaException too.
            case HyphaException e -> new Failure(e.exitCode(), oneLine(e.getMessage()));
            case ConnectException e -> new Failure(ExitCodes.NETWORK, "cannot connect: " + oneLine(e.getMessage()));
            case HttpTimeoutException e -> new Failure(ExitCodes.NETWORK, "timed out: " + oneLine(e.getMessage()));
            case NoSuchFileException e -> new Failure(ExitCodes.INPUT, "no such file: " + oneLine(e.getFile()));
            case AccessDeniedException e -> new Failure(ExitCodes.IO, "permission denied: " + oneLine(e.getFile()));
            default -> null;
        };
    }

    private static boolean verbose(CommandLine commandLine) {
        return Hypha.of(commandLine.getCommandSpec()).verbose();
    }

    /**
     * Errors are one line: collapse any line breaks a library put into its message, and show any other control
     * character visibly, since messages carry text from outside (a revert reason, an RPC node's error, a file name).
     */
    static String oneLine(String message) {
        return message == null ? "" : TerminalText.line(message.strip().replaceAll("\\s*\\R\\s*", "; "));
    }
}

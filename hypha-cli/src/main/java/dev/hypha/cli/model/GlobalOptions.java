package dev.hypha.cli.model;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the model commands need from the root {@code hypha} command, which implements this. The root command lists the
 * model commands as its subcommands, so the dependency points one way only: {@code dev.hypha.cli} uses this package,
 * never the reverse (exit codes come from {@link dev.hypha.core.errors.ErrorCategory} and picocli).
 */
public interface GlobalOptions {

    /** Whether {@code --verbose} was given (anywhere on the command line). */
    boolean verbose();

    /**
     * The account's key (--account or the configured one) from the keystore, unlocked with its password: for commands
     * that sign, such as {@code hypha model sign}.
     */
    org.web3j.crypto.Credentials unlockAccount();

    /** The effective Hypha home folder (--home, HYPHA_HOME, config file, ~/.hypha). */
    Path resolvedHome();

    /** The global options of any (sub)command's spec: those of its root command. */
    static GlobalOptions of(CommandSpec anySpec) {
        return (GlobalOptions) anySpec.root().userObject();
    }
}

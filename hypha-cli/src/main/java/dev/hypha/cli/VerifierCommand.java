package dev.hypha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha verifier}: audit training leases by replay and referee disputes on TrainingVerifier. */
@Command(name = "verifier", description = "Audit training leases by replay, challenge wrong state roots, referee disputes.",
        subcommands = {VerifierStartCommand.class, VerifierOpmlCommand.class})
final class VerifierCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}

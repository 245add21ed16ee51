package dev.hypha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha compute}: sell training compute on ComputeMarket. */
@Command(name = "compute", description = "Sell training compute on ComputeMarket (jobs are specs, never code), attest "
        + "providers' resources as an auditor, list an order's bids.",
        subcommands = {ComputeOfferCommand.class, ComputeAttestCommand.class, ComputeBidsCommand.class})
final class ComputeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}

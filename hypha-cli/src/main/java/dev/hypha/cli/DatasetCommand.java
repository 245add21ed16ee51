package dev.hypha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha dataset import ...}: training data in the content store under {@code <home>/content}. */
@Command(name = "dataset", description = "Manage training datasets (content-addressed, under <home>/content).",
        subcommands = {DatasetImportCommand.class})
public final class DatasetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}

package dev.hypha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha content get ...}: content by IPFS content id, in and out of the content store under {@code <home>/content}. */
@Command(name = "content", description = "Content by IPFS content id (CIDv1), stored under <home>/content.",
        subcommands = {ContentGetCommand.class})
public final class ContentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}

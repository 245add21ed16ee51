package dev.hypha.cli.zk;


import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha zk prove|verify}: zero-knowledge-style succinct proofs of int8 MLP and CNN classifications (docs/ZK.md). */
@Command(name = "zk", description = "Prove an int8 MLP or CNN classification and verify such proofs (docs/ZK.md).",
        subcommands = {ZkProveCommand.class, ZkVerifyCommand.class})
public final class ZkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return dev.hypha.core.errors.ErrorCategory.USAGE.exitCode();
    }
}

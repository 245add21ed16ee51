package dev.hypha.cli.model;

import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha model verify NAME}: re-reads the model file and checks it still has its content id. */
@Command(name = "verify", description = "Re-hash a stored model file and check it against its content id.")
final class ModelVerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The model to check.")
    String name;

    @Override
    public Integer call() {
        ModelManifest m = StoreAccess.store(spec).verify(ModelName.parse(name));
        spec.commandLine().getOut().println(m.name() + ": intact (" + m.cid() + ", " + Formats.bytes(m.size()) + ")");
        return CommandLine.ExitCode.OK;
    }
}

package dev.hypha.cli.model;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.store.RemoveResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha model rm NAME...}: forgets names; a model file goes once no name refers to it. */
@Command(name = "rm", description = "Remove models from the store (the file is deleted once no name uses it).")
final class ModelRmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NAME[:TAG]", description = "The models to remove.")
    List<String> names;

    @Override
    public Integer call() {
        // Parse every name before removing anything, so a typo in the third name does not leave a half-done job.
        List<ModelName> parsed = names.stream().map(ModelName::parse).toList();
        ModelStore store = StoreAccess.store(spec);
        for (ModelName name : parsed) {
            RemoveResult result = store.remove(name);
            spec.commandLine().getOut().println("Removed " + result.name());
            for (ContentId blob : result.deletedBlobs()) {
                spec.commandLine().getErr().println("deleted model file " + blob);
            }
        }
        return CommandLine.ExitCode.OK;
    }
}

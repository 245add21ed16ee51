package dev.hypha.cli.model;

import dev.hypha.cli.ExitCodes;
import dev.hypha.ml.store.ModelManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hypha model list}: a table of the stored models, sorted by name. */
@Command(name = "list", aliases = "ls", description = "List the models in the store.")
final class ModelListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<ModelManifest> models = StoreAccess.store(spec).list();
        if (models.isEmpty()) {
            spec.commandLine().getErr().println("No models yet (add one with `hypha model import FILE.gguf --name NAME`).");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ID", "SIZE", "ARCH", "QUANT", "MODIFIED"});
        for (ModelManifest m : models) {
            rows.add(new String[] {m.name().toString(), Formats.shortId(m.cid()), Formats.bytes(m.size()),
                m.summary().architecture(), m.summary().quantization(), Formats.date(m.created())});
        }
        Formats.table(rows).forEach(spec.commandLine().getOut()::println);
        return ExitCodes.OK;
    }
}

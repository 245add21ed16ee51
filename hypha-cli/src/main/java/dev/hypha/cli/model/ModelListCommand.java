package dev.hypha.cli.model;

import dev.hypha.core.text.TerminalText;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hypha model list}: a table of the stored models, sorted by name. A manifest that cannot be read does not hide
 * the others: it is named on stderr (with the name to remove it by) and the exit code says something was wrong, as
 * {@code ls} does for entries it cannot read.
 */
@Command(name = "list", aliases = "ls", description = "List the models in the store.")
final class ModelListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelStore.Listing listing = StoreAccess.store(spec).list();
        List<ModelManifest> models = listing.models();
        if (models.isEmpty() && listing.unreadable().isEmpty()) {
            spec.commandLine().getErr().println("No models yet (add one with `hypha model import FILE.gguf --name NAME`).");
            return CommandLine.ExitCode.OK;
        }
        if (!models.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "ID", "SIZE", "ARCH", "QUANT", "MODIFIED"});
            for (ModelManifest m : models) {
                rows.add(new String[] {m.name().toString(), Formats.shortId(m.cid()), Formats.bytes(m.size()),
                    m.summary().architecture(), m.summary().quantization(), Formats.date(m.created())});
            }
            Formats.table(rows).forEach(spec.commandLine().getOut()::println);
        }
        for (ModelStore.UnreadableManifest bad : listing.unreadable()) {
            spec.commandLine().getErr().println("hypha: error: " + TerminalText.line(bad.problem() + bad.name()
                    .map(name -> "; it is model " + name + " (hypha model rm " + name + ")")
                    .orElse("; it is not in a model's place either, so delete the file by hand")));
        }
        return listing.unreadable().isEmpty() ? CommandLine.ExitCode.OK : ErrorCategory.INPUT.exitCode();
    }
}

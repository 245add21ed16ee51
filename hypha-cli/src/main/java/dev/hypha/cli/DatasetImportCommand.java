package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.store.ContentStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha dataset import fashion-mnist [--from DIR]}. */
@Command(name = "import", description = {"Import a dataset into the content store and print its content id.",
    "fashion-mnist: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), train and test splits."})
final class DatasetImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", description = "What to import: fashion-mnist.")
    String kind;

    @Option(names = "--from", paramLabel = "DIR", description = "Folder holding the IDX files (default: Debian's).")
    Path from;

    @Override
    public Integer call() {
        if (!kind.equals("fashion-mnist")) {
            throw HyphaException.input("unknown dataset kind '" + kind + "'; known: fashion-mnist");
        }
        DatasetStore store = new DatasetStore(new ContentStore(Hypha.of(spec).resolvedHome()));
        DatasetStore.Imported imported = store.importFashionMnist(from == null ? DatasetStore.DEBIAN_FASHION_MNIST : from);
        PrintWriter out = spec.commandLine().getOut();
        DatasetManifest m = imported.manifest();
        out.println("Imported " + m.name() + " (" + m.classes() + " classes, " + m.height() + "x" + m.width() + " images)");
        for (Map.Entry<String, DatasetManifest.Split> e : m.splits().entrySet()) {
            out.println("  split " + e.getKey() + ": " + e.getValue().count() + " samples");
        }
        out.println("id " + imported.id());
        return ExitCodes.OK;
    }
}

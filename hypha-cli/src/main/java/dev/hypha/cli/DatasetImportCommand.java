package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.TextDatasetManifest;
import dev.hypha.ml.train.data.TextDatasets;
import dev.hypha.ml.train.data.TextDocuments;
import dev.hypha.ml.train.store.ContentStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha dataset import fashion-mnist [--from DIR]} and {@code hypha dataset import text FILE... [--name N]}. */
@Command(name = "import", description = {"Import a dataset into the content store and print its content id.",
    "fashion-mnist: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), train and test splits.",
    "text FILE...: UTF-8 text files cut into documents; every --test-every-th document (the 1st, 21st, ...) is the test split."})
final class DatasetImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", description = "What to import: fashion-mnist or text.")
    String kind;

    @Parameters(index = "1..*", paramLabel = "FILE", description = "text: the files, in the order their documents are numbered.")
    List<Path> files = List.of();

    @Option(names = "--from", paramLabel = "DIR", description = "fashion-mnist: folder holding the IDX files (default: Debian's).")
    Path from;

    @Option(names = "--name", paramLabel = "NAME", description = "text: the dataset's name (default: text).")
    String name = "text";

    @Option(names = "--documents", paramLabel = "RULE", description = "text: how files are cut into documents: paragraph (default; "
            + "blank lines separate), line, file or fortune (lines that are exactly %%).")
    String documents = "paragraph";

    @Option(names = "--test-every", paramLabel = "N", description = "text: document i is in the test split when i %% N == 0 (default: 20).")
    int testEvery = TextDatasets.DEFAULT_TEST_EVERY;

    @Override
    public Integer call() {
        return switch (kind) {
            case "fashion-mnist" -> fashionMnist();
            case "text" -> text();
            default -> throw HyphaException.input("unknown dataset kind '" + kind + "'; known: fashion-mnist, text");
        };
    }

    private int fashionMnist() {
        if (!files.isEmpty()) {
            throw HyphaException.input("fashion-mnist takes no files; use --from DIR for another folder");
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

    private int text() {
        if (files.isEmpty()) {
            throw HyphaException.input("text needs at least one FILE");
        }
        if (from != null) {
            throw HyphaException.input("--from is for fashion-mnist; text takes the files as arguments");
        }
        TextDocuments rule;
        try {
            rule = TextDocuments.parse(documents);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--documents: " + e.getMessage());
        }
        TextDatasets store = new TextDatasets(new ContentStore(Hypha.of(spec).resolvedHome()));
        TextDatasets.Imported imported = store.importFiles(name, files, rule, testEvery);
        TextDatasetManifest m = imported.manifest();
        PrintWriter out = spec.commandLine().getOut();
        long bytes = m.files().stream().mapToLong(TextDatasetManifest.File::bytes).sum();
        out.println("Imported text dataset " + m.name() + " (" + m.files().size() + " file(s), " + bytes + " bytes, "
                + m.documents().label() + " documents)");
        out.println("  split train: " + m.train().documents() + " documents, " + m.train().bytes() + " bytes");
        out.println("  split test: " + m.test().documents() + " documents, " + m.test().bytes() + " bytes (every " + m.testEvery()
                + "th document, starting with the first)");
        out.println("id " + imported.id());
        return ExitCodes.OK;
    }
}

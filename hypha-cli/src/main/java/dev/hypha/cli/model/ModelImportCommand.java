package dev.hypha.cli.model;

import dev.hypha.ml.store.ImportResult;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha model import FILE.gguf --name NAME[:TAG]}. */
@Command(name = "import", description = {"Copy a GGUF model file into the store under a name.",
    "The file is checked first (valid GGUF, supported architecture); identical files are stored once."})
final class ModelImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The .gguf file to import.")
    Path file;

    @Option(names = "--name", required = true, paramLabel = "NAME[:TAG]",
            description = "Name to store it under, e.g. tinyllama or tinyllama:1.1b-q8_0 (tag defaults to latest).")
    String name;

    @Override
    public Integer call() {
        ModelName modelName = ModelName.parse(name);
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "importing " + file.getFileName());
        ImportResult result;
        try {
            result = StoreAccess.store(spec).importModel(file, modelName, progress);
        } finally {
            progress.finish();
        }
        ModelManifest m = result.manifest();
        spec.commandLine().getOut().println("Imported " + m.name() + " (" + m.summary().architecture() + ", "
                + Formats.count(m.summary().parameterCount()) + " parameters, " + m.summary().quantization() + ", "
                + Formats.bytes(m.size()) + ")" + (result.deduplicated() ? ", same content as a model already stored" : ""));
        spec.commandLine().getOut().println("id " + m.cid());
        return CommandLine.ExitCode.OK;
    }
}

package dev.hypha.cli.model;

import dev.hypha.core.errors.HyphaException;
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

/** {@code hypha model create NAME --from BASE --adapter FILE}: a stored model that is a base plus a LoRA adapter. */
@Command(name = "create", description = {"Create a model from a stored base and a LoRA adapter (Ollama's ADAPTER).",
    "The adapter (a GGUF LoRA adapter, as hypha finetune or llama.cpp's converter writes) is checked against the base,",
    "stored by content id beside it, and applied at inference by hypha run and the gateway."})
final class ModelCreateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "Name of the new model.")
    String name;

    @Option(names = "--from", required = true, paramLabel = "BASE[:TAG]", description = "The stored base model.")
    String base;

    @Option(names = "--adapter", required = true, paramLabel = "FILE", description = "The LoRA adapter (.gguf).")
    Path adapter;

    @Override
    public Integer call() {
        ModelName modelName = ModelName.parse(name);
        ModelName baseName = ModelName.parse(base);
        if (modelName.equals(baseName)) {
            throw HyphaException.input("the new model needs another name than its base '" + baseName + "'");
        }
        ImportResult result = StoreAccess.store(spec).createWithAdapter(modelName, baseName, adapter);
        ModelManifest m = result.manifest();
        ModelManifest.AdapterRef a = m.adapter().orElseThrow();
        spec.commandLine().getOut().println("Created " + m.name() + " = " + baseName + " (" + m.summary().architecture() + ", "
                + m.summary().quantization() + ") + LoRA adapter " + adapter.getFileName() + " (" + Formats.bytes(a.size()) + ")");
        spec.commandLine().getOut().println("base id " + m.cid());
        spec.commandLine().getOut().println("adapter id " + a.cid());
        return CommandLine.ExitCode.OK;
    }
}

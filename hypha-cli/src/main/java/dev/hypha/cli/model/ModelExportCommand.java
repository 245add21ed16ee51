package dev.hypha.cli.model;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.export.ClassifierTensors;
import dev.hypha.ml.train.export.ExportFiles;
import dev.hypha.ml.train.export.OnnxExport;
import dev.hypha.ml.train.export.Safetensors;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha model export NAME --format onnx|safetensors|gguf --out FILE}. Classifiers trained by {@code hypha train}
 * live in the content store ({@code refs/models/NAME}); language models in the GGUF model store. onnx and safetensors
 * are for classifiers; gguf writes a language model's stored file (or a classifier's own GGUF model file). Every
 * export is written to a temporary file, read back and checked, then renamed over FILE.
 */
@Command(name = "export", description = {"Write a stored model in another format.",
    "Classifiers (hypha train): onnx (opset 13), safetensors or gguf. Language models: gguf."})
final class ModelExportCommand implements Callable<Integer> {
    enum Format { onnx, safetensors, gguf }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A trained classifier's name (or content id) or a language model's NAME[:TAG].")
    String name;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "onnx, safetensors or gguf.")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (replaced if it exists).")
    Path out;

    @Override
    public Integer call() {
        Path home = GlobalOptions.of(spec).resolvedHome();
        ContentStore content = new ContentStore(home);
        Optional<ContentId> classifier = classifier(content);
        String written;
        if (format == Format.gguf && classifier.isEmpty()) {
            written = exportLanguageModel();
        } else {
            ContentId id = classifier.orElseThrow(() -> notFound(home));
            byte[] file = content.get(id);
            Network network = ModelFile.decode(id.toString(), file).network();
            String label = name + " (" + id + ")";
            switch (format) {
                case onnx -> ExportFiles.write(out, OnnxExport.encode(network, name, producerVersion()), OnnxExport::parse);
                case safetensors -> ExportFiles.write(out, ClassifierTensors.safetensors(network),
                        bytes -> Safetensors.decode(bytes, out.toString()));
                case gguf -> ExportFiles.write(out, file, bytes -> ModelFile.decode(out.toString(), bytes));
            }
            written = "classifier " + label + ", " + network.parameterCount() + " parameters";
        }
        spec.commandLine().getOut().println("Exported " + written + " as " + format + " to " + out + " (" + size(out) + " bytes, verified)");
        return CommandLine.ExitCode.OK;
    }

    private String exportLanguageModel() {
        ModelStore store = StoreAccess.store(spec);
        ModelName model = ModelName.parse(name);
        ModelManifest manifest = store.find(model).orElseThrow(() -> notFound(GlobalOptions.of(spec).resolvedHome()));
        ExportFiles.copyGguf(store.resolveVerified(model), manifest.cid(), out);
        return "language model " + manifest.name() + " (" + manifest.cid() + ")";
    }

    /** A trained classifier of that name or content id, if the content store has one. */
    private Optional<ContentId> classifier(ContentStore content) {
        if (name.startsWith("baf")) {
            try {
                ContentId id = ContentId.parse(name);
                return content.contains(id) ? Optional.of(id) : Optional.empty();
            } catch (RuntimeException e) {
                throw HyphaException.input("'" + name + "' is not a valid content id: " + e.getMessage());
            }
        }
        return ContentStore.validName(name) ? content.ref(Trainer.MODELS, name) : Optional.empty();
    }

    private HyphaException notFound(Path home) {
        String hint = format == Format.gguf ? "train one with hypha train SPEC.toml or import one with hypha model import FILE"
                : "onnx and safetensors export classifiers trained with hypha train SPEC.toml";
        if (format != Format.gguf && isLanguageModel()) {
            return HyphaException.input("'" + name + "' is a language model; export it with --format gguf");
        }
        return new HyphaException(ErrorCategory.NOT_FOUND, "no model named '" + name + "' in " + home + "; " + hint);
    }

    /** "0.1.0-SNAPSHOT" from the root command's version lines ("hypha 0.1.0-SNAPSHOT", ...). */
    private String producerVersion() {
        String[] lines = spec.root().version();
        return lines.length > 0 ? lines[0].replaceFirst("^hypha ", "") : "unknown";
    }

    private boolean isLanguageModel() {
        try {
            return StoreAccess.store(spec).find(ModelName.parse(name)).isPresent();
        } catch (RuntimeException e) {
            return false; // not a valid model name either
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}

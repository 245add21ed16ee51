package dev.hypha.cli;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.bom.CycloneDxModelBom;
import dev.hypha.node.bom.LineageSources;
import dev.hypha.node.bom.ModelDescription;
import dev.hypha.node.bom.ModelLineage;
import dev.hypha.node.bom.SpdxAiDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha model bom NAME --format cyclonedx|spdx}: a CycloneDX 1.6 ML-BOM or an SPDX 3.0.1 AI-profile document of
 * a stored model, on standard output or in {@code --out FILE}, with the model's lineage: the training job record {@code
 * hypha train fetch} kept beside it, and with {@code --asset ID} its registered lineage edges read from the chain.
 * (In this package, not {@code cli.model}, because the chain is reached through {@link Session}.)
 */
@Command(name = "bom", description = {"Export a stored model's bill of materials: a CycloneDX 1.6 ML-BOM or an",
        "SPDX 3.0.1 document with the AI profile (JSON), with its SHA-256, content id, licence and supplier, and its",
        "lineage: the datasets it was trained on, its base model and the training job (from the job's record here and,",
        "with --asset, the model's lineage registered on chain)."})
final class ModelBomCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The model.")
    String name;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "cyclonedx or spdx.")
    String format;

    @Option(names = "--license", paramLabel = "SPDX", description = "The model's licence as an SPDX expression (default: NOASSERTION).")
    String license;

    @Option(names = "--supplier", paramLabel = "NAME", description = "Who supplies the model (default: NOASSERTION).")
    String supplier;

    @Option(names = "--out", paramLabel = "FILE", description = "Write here instead of standard output.")
    Path out;

    @Option(names = "--asset", paramLabel = "ID",
            description = "The model's AssetRegistry id: its registered parents (datasets, base model) join the lineage.")
    Long asset;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("cyclonedx") && !format.equals("spdx")) {
            throw HyphaException.input("unknown --format '" + format + "'; use cyclonedx or spdx");
        }
        if (asset != null && asset < 1) throw HyphaException.input("--asset must be an asset id (1 or more), was " + asset);
        Path home = Hypha.of(spec).resolvedHome();
        ModelStore store = new ModelStore(home, Clock.systemUTC());
        ModelName model = ModelName.parse(name);
        ModelManifest manifest = store.show(model);
        String sha256 = HexFormat.of().formatHex(Hashes.sha256(store.resolveVerified(model)));
        ModelLineage lineage;
        if (asset == null) {
            lineage = LineageSources.of(new ContentStore(home), manifest, Optional.empty(), OptionalLong.empty());
        } else {
            try (Session session = Session.of(spec)) {
                lineage = LineageSources.of(new ContentStore(home), manifest,
                        Optional.of(session.contractsForReading().assets()), OptionalLong.of(asset));
            }
        }
        ModelDescription description = new ModelDescription(manifest, sha256, Optional.ofNullable(license),
                Optional.ofNullable(supplier), lineage);
        String json = format.equals("cyclonedx") ? CycloneDxModelBom.json(description) : SpdxAiDocument.json(description);
        if (out == null) {
            spec.commandLine().getOut().println(json);
        } else {
            Files.createDirectories(out.toAbsolutePath().getParent());
            DurableFiles.replace(out.toAbsolutePath(), (json + "\n").getBytes(StandardCharsets.UTF_8));
            spec.commandLine().getOut().println("Wrote the " + (format.equals("cyclonedx") ? "CycloneDX 1.6 ML-BOM" : "SPDX 3.0.1 AI document")
                    + " of " + manifest.name() + " to " + out);
        }
        return CommandLine.ExitCode.OK;
    }
}

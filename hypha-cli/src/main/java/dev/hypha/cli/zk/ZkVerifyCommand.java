package dev.hypha.cli.zk;


import dev.hypha.cli.model.GlobalOptions;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.mlp.MlpProofFile;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.MlpStatement;
import dev.hypha.zk.mlp.MlpTables;
import dev.hypha.zk.mlp.MlpVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha zk verify PROOF [--model ID]}: exit 0 and the proven class when the proof is valid for the model (the
 * one the proof names, or --model, which must be it), non-zero with the reason otherwise. The model must be in the
 * local content store: its weight commitment is recomputed from it, which is what ties the proof to those weights.
 */
@Command(name = "verify", description = "Verify a proof from hypha zk prove: prints the proven class, or why it is "
        + "invalid (exit 3).")
public final class ZkVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROOF", description = "A proof file.")
    Path proof;

    @Option(names = "--model", paramLabel = "ID", description = "The int8 model (content id or name) the proof must be "
            + "about; default: the one it names.")
    String model;

    @Override
    public Integer call() {
        byte[] bytes = read(proof);
        long decodeStart = System.nanoTime();
        MlpProofFile file;
        try {
            file = MlpProofFile.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("invalid proof: " + e.getMessage(), e);
        }
        MlpStatement st = file.statement();
        ZkModels models = new ZkModels(new ContentStore(GlobalOptions.of(spec).resolvedHome()));
        ZkModels.Resolved resolved = models.forVerifying(model != null ? model : st.modelId());
        if (!resolved.id().toString().equals(st.modelId())) {
            throw HyphaException.input("invalid proof: it is about model " + st.modelId() + ", not " + resolved.id());
        }
        if (!MlpShape.of(resolved.file().model()).equals(st.shape())) {
            throw HyphaException.input("invalid proof: its layer shapes are not model " + resolved.id() + "'s");
        }
        long commitStart = System.nanoTime();
        byte[] root = MlpTables.modelCommitment(resolved.file().model()).root();
        long commitNanos = System.nanoTime() - commitStart;
        if (!Arrays.equals(root, st.modelRoot())) {
            throw HyphaException.input("invalid proof: it commits to other weights than model " + resolved.id());
        }
        long start = System.nanoTime();
        try {
            MlpVerifier.verify(st, file.proof());
        } catch (Rejected e) {
            throw HyphaException.input("invalid proof: " + e.getMessage(), e);
        }
        long verifyNanos = System.nanoTime() - start + (commitStart - decodeStart);
        spec.commandLine().getOut().println("valid: class " + st.predictedClass() + " (int8 model " + st.modelId()
                + ", input sha256 " + HexFormat.of().formatHex(st.inputHash()) + ", logits "
                + Arrays.toString(st.logits()) + ")");
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "verified in %.1f ms (+ %.0f ms to recompute the model's commitment from its weights)",
                verifyNanos / 1e6, commitNanos / 1e6));
        return 0;
    }

    private static byte[] read(Path file) {
        try {
            if (Files.size(file) > MlpProofFile.MAX_BYTES) {
                throw HyphaException.input("invalid proof: " + file + " is larger than " + MlpProofFile.MAX_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no proof file " + file, e);
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

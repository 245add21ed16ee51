package dev.hypha.cli.zk;


import dev.hypha.cli.model.GlobalOptions;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.cnn.CnnProofFile;
import dev.hypha.zk.cnn.CnnShape;
import dev.hypha.zk.cnn.CnnStatement;
import dev.hypha.zk.cnn.CnnTables;
import dev.hypha.zk.cnn.CnnVerifier;
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
        ZkModels models = new ZkModels(new ContentStore(GlobalOptions.of(spec).resolvedHome()));
        if (CnnProofFile.isCnn(bytes)) {
            return verifyCnn(bytes, models, decodeStart);
        }
        MlpProofFile file;
        try {
            file = MlpProofFile.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("invalid proof: " + e.getMessage(), e);
        }
        MlpStatement st = file.statement();
        ZkModels.Resolved resolved = models.forVerifying(model != null ? model : st.modelId());
        checkModel(resolved, st.modelId());
        if (resolved.isCnn() || !MlpShape.of(resolved.file().model()).equals(st.shape())) {
            throw HyphaException.input("invalid proof: its layer shapes are not model " + resolved.id() + "'s");
        }
        long commitStart = System.nanoTime();
        byte[] root = MlpTables.modelCommitment(resolved.file().model()).root();
        long commitNanos = System.nanoTime() - commitStart;
        checkRoot(resolved, root, st.modelRoot());
        long start = System.nanoTime();
        try {
            MlpVerifier.verify(st, file.proof());
        } catch (Rejected e) {
            throw HyphaException.input("invalid proof: " + e.getMessage(), e);
        }
        long verifyNanos = System.nanoTime() - start + (commitStart - decodeStart);
        report(st.predictedClass(), st.modelId(), st.inputHash(), st.logits(), verifyNanos, commitNanos);
        return 0;
    }

    /** The same steps for a CNN proof (kind 2). */
    private int verifyCnn(byte[] bytes, ZkModels models, long decodeStart) {
        CnnProofFile file;
        try {
            file = CnnProofFile.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("invalid proof: " + e.getMessage(), e);
        }
        CnnStatement st = file.statement();
        ZkModels.Resolved resolved = models.forVerifying(model != null ? model : st.modelId());
        checkModel(resolved, st.modelId());
        if (!resolved.isCnn() || !CnnShape.of(resolved.cnn().model()).equals(st.shape())) {
            throw HyphaException.input("invalid proof: its layer shapes are not model " + resolved.id() + "'s");
        }
        long commitStart = System.nanoTime();
        byte[] root = CnnTables.modelCommitment(resolved.cnn().model()).root();
        long commitNanos = System.nanoTime() - commitStart;
        checkRoot(resolved, root, st.modelRoot());
        long start = System.nanoTime();
        try {
            CnnVerifier.verify(st, file.proof());
        } catch (Rejected e) {
            throw HyphaException.input("invalid proof: " + e.getMessage(), e);
        }
        long verifyNanos = System.nanoTime() - start + (commitStart - decodeStart);
        report(st.predictedClass(), st.modelId(), st.inputHash(), st.logits(), verifyNanos, commitNanos);
        return 0;
    }

    private static void checkModel(ZkModels.Resolved resolved, String claimed) {
        if (!resolved.id().toString().equals(claimed)) {
            throw HyphaException.input("invalid proof: it is about model " + claimed + ", not " + resolved.id());
        }
    }

    private static void checkRoot(ZkModels.Resolved resolved, byte[] root, byte[] claimed) {
        if (!Arrays.equals(root, claimed)) {
            throw HyphaException.input("invalid proof: it commits to other weights than model " + resolved.id());
        }
    }

    private void report(int proven, String modelId, byte[] inputHash, long[] logits, long verifyNanos, long commitNanos) {
        spec.commandLine().getOut().println("valid: class " + proven + " (int8 model " + modelId
                + ", input sha256 " + HexFormat.of().formatHex(inputHash) + ", logits " + Arrays.toString(logits) + ")");
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "verified in %.1f ms (+ %.0f ms to recompute the model's commitment from its weights)",
                verifyNanos / 1e6, commitNanos / 1e6));
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

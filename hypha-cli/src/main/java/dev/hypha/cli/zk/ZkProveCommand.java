package dev.hypha.cli.zk;


import dev.hypha.cli.model.GlobalOptions;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.zk.cnn.CnnProofFile;
import dev.hypha.zk.cnn.CnnProver;
import dev.hypha.zk.cnn.CnnTrace;
import dev.hypha.zk.mlp.MlpProofFile;
import dev.hypha.zk.mlp.MlpProver;
import dev.hypha.zk.mlp.MlpTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha zk prove MODEL --input FILE --out PROOF}: proves the int8 model's classification of one input. */
@Command(name = "prove", description = "Prove an int8 MLP's or CNN's classification of one input; prints the class, prove time "
        + "and proof size.")
public final class ZkProveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A trained MLP's or CNN's name or content id (quantized to int8 "
            + "once), or an int8 model's content id.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "A PNG of the model's input size (28 x 28 for Fashion-MNIST) or that many raw pixel bytes.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "PROOF", description = "Where to write the proof.")
    Path out;

    @Option(names = "--calibration", paramLabel = "DATASET", defaultValue = "fashion-mnist",
            description = "Dataset (name or id) whose first 1000 training images calibrate the int8 quantization of a "
                    + "trained model (default: ${DEFAULT-VALUE}).")
    String calibration;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ContentStore store = new ContentStore(GlobalOptions.of(spec).resolvedHome());
        ZkModels.Resolved resolved = new ZkModels(store).forProving(model, calibration);
        if (resolved.quantizedNow()) {
            stderr.println("quantized " + resolved.source() + " to int8 model " + resolved.id() + " (calibrated on "
                    + resolved.calibration() + ")");
        }
        byte[] pixels = InputImage.read(input, resolved.inputSize());
        Consumer<String> progress = phaseLogger(stderr, System.nanoTime());
        long inferenceNanos;
        long proveNanos;
        byte[] bytes;
        int predicted;
        byte[] inputHash;
        if (resolved.isCnn()) {
            long inferenceStart = System.nanoTime();
            CnnTrace.of(resolved.cnn().model(), pixels);
            inferenceNanos = System.nanoTime() - inferenceStart;
            long start = System.nanoTime();
            CnnProver.Result result = CnnProver.prove(resolved.cnn().model(), resolved.id().toString(), pixels, progress);
            proveNanos = System.nanoTime() - start;
            bytes = new CnnProofFile(result.statement(), result.proof()).encode();
            predicted = result.statement().predictedClass();
            inputHash = result.statement().inputHash();
        } else {
            long inferenceStart = System.nanoTime();
            MlpTrace.of(resolved.file().model(), pixels);
            inferenceNanos = System.nanoTime() - inferenceStart;
            long start = System.nanoTime();
            MlpProver.Result result = MlpProver.prove(resolved.file().model(), resolved.id().toString(), pixels, progress);
            proveNanos = System.nanoTime() - start;
            bytes = new MlpProofFile(result.statement(), result.proof()).encode();
            predicted = result.statement().predictedClass();
            inputHash = result.statement().inputHash();
        }
        write(out, bytes);

        stdout.println("class " + predicted + " (int8 " + (resolved.isCnn() ? "CNN " : "") + "model " + resolved.id()
                + ", input sha256 " + HexFormat.of().formatHex(inputHash) + ")");
        stdout.println(String.format(Locale.ROOT, "proved in %.0f ms (int8 inference alone: %.2f ms); proof %,d bytes -> %s",
                proveNanos / 1e6, inferenceNanos / 1e6, bytes.length, out));
        return 0;
    }

    /** Prints each proving phase with the milliseconds since {@code start}. */
    private static Consumer<String> phaseLogger(PrintWriter stderr, long start) {
        return phase -> stderr.println(String.format(Locale.ROOT, "[%6.0f ms] %s", (System.nanoTime() - start) / 1e6, phase));
    }

    /** Written beside the target and renamed over it, so a crash never leaves half a proof under the name. */
    static void write(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}

package dev.hypha.cli.model;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.quant.FileType;
import dev.hypha.ml.quant.ModelQuantizer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha model quantize IN.gguf OUT.gguf --type Q4_K_M}: llama-quantize's mixes, without an importance matrix. */
@Command(name = "quantize", description = {"Write a GGUF model re-encoded as a quantization type or mix, as llama-quantize does.",
    "Types: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL IQ4_XS MXFP4_MOE",
    "(Q3_K, Q4_K and Q5_K mean their _M mixes)."})
final class ModelQuantizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The .gguf model to read (best an F32, F16 or BF16 one).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .gguf file to write (replaced if it exists).")
    Path output;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Quantization type or mix, e.g. Q4_K_M.")
    String type;

    @Option(names = "--allow-requantize", description = "Re-encode tensors that are already quantized (worse than quantizing the original).")
    boolean allowRequantize;

    @Override
    public Integer call() {
        ModelQuantizer.Result result;
        FileType fileType;
        try {
            fileType = FileType.parse(type);
            ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "quantizing " + input.getFileName());
            try {
                result = ModelQuantizer.quantize(input, output, fileType, allowRequantize, progress::update);
            } finally {
                progress.finish();
            }
        } catch (IllegalArgumentException e) {
            // What the quantizer refuses is the user's input (a type, a file already quantized, an output path): say
            // so with the input exit code, not as an internal error.
            throw new HyphaException(ErrorCategory.INPUT, e.getMessage(), e);
        }
        String types = result.tensorsPerType().entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
        spec.commandLine().getOut().println(String.format(Locale.ROOT, "Wrote %s as %s (%s -> %s): %s", output, fileType,
                Formats.bytes(result.inputBytes()), Formats.bytes(result.outputBytes()), types));
        return CommandLine.ExitCode.OK;
    }
}

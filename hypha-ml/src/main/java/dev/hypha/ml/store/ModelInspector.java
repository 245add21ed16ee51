package dev.hypha.ml.store;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufFormatException;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.llm.Architecture;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that a file is a GGUF model this engine can run, and summarises it for the store's manifest. Only the
 * header and tensor table are read (the file is memory-mapped, so weights are never paged in).
 */
public final class ModelInspector {

    /** llama.cpp's {@code enum llama_ftype} names (llama.h), for the file types people download. */
    private static final Map<Long, String> FILE_TYPES = Map.ofEntries(
            Map.entry(0L, "F32"), Map.entry(1L, "F16"), Map.entry(2L, "Q4_0"), Map.entry(3L, "Q4_1"),
            Map.entry(7L, "Q8_0"), Map.entry(8L, "Q5_0"), Map.entry(9L, "Q5_1"), Map.entry(10L, "Q2_K"),
            Map.entry(11L, "Q3_K_S"), Map.entry(12L, "Q3_K_M"), Map.entry(13L, "Q3_K_L"), Map.entry(14L, "Q4_K_S"),
            Map.entry(15L, "Q4_K_M"), Map.entry(16L, "Q5_K_S"), Map.entry(17L, "Q5_K_M"), Map.entry(18L, "Q6_K"),
            Map.entry(25L, "IQ4_NL"), Map.entry(30L, "IQ4_XS"), Map.entry(32L, "BF16"), Map.entry(38L, "MXFP4_MOE"));

    private ModelInspector() {
    }

    /**
     * Opens {@code file}, checks it is a GGUF model of a supported architecture and summarises it.
     *
     * @throws ModelStoreException INPUT when the file is not a valid GGUF file or its architecture is not supported,
     *                             NOT_FOUND when it does not exist, IO when it cannot be read
     */
    public static ModelSummary inspect(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            return summarise(gguf, file);
        } catch (GgufFormatException e) {
            throw new ModelStoreException(ErrorCategory.INPUT,
                    file + " is not a valid GGUF model file: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            boolean missing = e.getCause() instanceof java.nio.file.NoSuchFileException;
            throw new ModelStoreException(missing ? ErrorCategory.NOT_FOUND : ErrorCategory.IO,
                    missing ? "no such file: " + file : "cannot read " + file + ": " + e.getCause().getMessage(), e);
        }
    }

    /** Summarises an open GGUF file; {@code file} only names it in errors. */
    public static ModelSummary summarise(GgufFile gguf, Path file) {
        String architecture = gguf.architecture();
        try {
            if (!dev.hypha.ml.encoder.EncoderConfig.isEncoder(gguf)) { // embedding encoders (bert, nomic-bert) load too
                Architecture.fromGguf(architecture);
            }
        } catch (IllegalArgumentException e) {
            throw new ModelStoreException(ErrorCategory.INPUT, file + ": " + e.getMessage()
                    + "; embedding encoders: bert, nomic-bert", e);
        }
        long parameters = 0;
        Map<String, Integer> typeCounts = new TreeMap<>();
        Map<String, Long> weightElements = new HashMap<>();
        for (GgufTensor tensor : gguf.tensors()) {
            long elements = tensor.elementCount();
            parameters = Math.addExact(parameters, elements);
            typeCounts.merge(tensor.type().name(), 1, Math::addExact);
            if (tensor.shape().length >= 2) {
                weightElements.merge(tensor.type().name(), elements, Math::addExact);
            }
        }
        String quantization = gguf.integer("general.file_type").map(FILE_TYPES::get)
                .orElseGet(() -> dominantType(weightElements));
        long context = gguf.integer(architecture + ".context_length").orElse(0L);
        if (context < 0) {
            throw new ModelStoreException(ErrorCategory.INPUT,
                    file + ": " + architecture + ".context_length is negative (" + context + ")");
        }
        return new ModelSummary(architecture, parameters, quantization, typeCounts, context);
    }

    /** The type with the most matrix elements; ties go to the alphabetically first name, so the answer is stable. */
    private static String dominantType(Map<String, Long> weightElements) {
        return weightElements.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("none");
    }
}

package dev.hypha.ml.quant;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Writes a GGUF model re-encoded in a {@link FileType} mix, as llama-quantize does without an importance matrix: the
 * metadata copied (split keys dropped, {@code general.quantization_version} = 2 and {@code general.file_type} set last),
 * tensors in llama.cpp's order (the non-block tensors by name, then each block's by name, blocks ascending), each
 * tensor's type chosen by {@link TensorTypeRules}; a tensor already of its target type is copied byte for byte, any
 * other is decoded to float rows and encoded with the same quantizers llama-quantize uses. Rows are encoded in
 * parallel; each row depends only on itself, so the output does not depend on the thread count.
 *
 * <p>The new tensors are held in memory until the file is written (about the output's size), and the file is written
 * to a temporary file then moved into place.
 */
public final class ModelQuantizer {
    private ModelQuantizer() {}

    /** Progress in source bytes processed out of the total. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);
    }

    /** What was written: tensors per type and the file sizes. */
    public record Result(FileType fileType, Map<GgmlType, Integer> tensorsPerType, long inputBytes, long outputBytes) {}

    /** llama.cpp's {@code weight_name_comparer}: tensors outside blocks first, then by block number, then by name. */
    public static final Comparator<String> LLAMA_ORDER = Comparator.comparingInt(ModelQuantizer::blockOf)
            .thenComparing(Comparator.naturalOrder());

    private static int blockOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        try {
            return Integer.parseInt(name.substring(4, end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Quantizes {@code input} into {@code output}.
     *
     * @param allowRequantize whether tensors already quantized (not F32/F16/BF16) may be re-encoded in another type
     *                        (llama-quantize's {@code --allow-requantize}: the result is worse than quantizing the original)
     * @throws IllegalArgumentException naming the tensor or setting at fault (same file, requantizing without permission,
     *                                  an unsupported source type, rows that fit no type)
     */
    public static Result quantize(Path input, Path output, FileType fileType, boolean allowRequantize, Progress progress) {
        try {
            if (Files.exists(output) && Files.isSameFile(input, output)) {
                throw new IllegalArgumentException("the output " + output + " is the input file; write to another path");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compare " + input + " and " + output + ": " + e.getMessage(), e);
        }
        try (GgufFile in = GgufFile.open(input)) {
            String arch = in.architecture();
            List<GgufTensor> tensors = new ArrayList<>(in.tensors());
            tensors.sort(Comparator.comparing(GgufTensor::name, LLAMA_ORDER));
            int heads = in.integer(arch + ".attention.head_count").map(Long::intValue).orElse(1);
            int kvHeads = in.integer(arch + ".attention.head_count_kv").map(Long::intValue).orElse(heads);
            int layers = in.integer(arch + ".block_count").map(Long::intValue).orElse(0);
            TensorTypeRules rules = new TensorTypeRules(fileType, heads, kvHeads, layers, arch.equals("llama"),
                    tensors.stream().map(GgufTensor::name).toList());
            List<GgmlType> targets = new ArrayList<>();
            long total = 0;
            for (GgufTensor t : tensors) {
                GgmlType target = rules.targetType(t.name(), t.shape(), t.type());
                if (target != t.type()) {
                    boolean sourceQuantized = t.type() != GgmlType.F32 && t.type() != GgmlType.F16 && t.type() != GgmlType.BF16;
                    if (sourceQuantized && !allowRequantize) {
                        throw new IllegalArgumentException("tensor '" + t.name() + "' of " + input + " is already " + t.type()
                                + "; re-encoding it as " + target + " loses more accuracy than quantizing the original "
                                + "F32/F16/BF16 model (pass --allow-requantize to do it anyway)");
                    }
                    TensorCodec.requireSupported(t.type(), "tensor '" + t.name() + "' of " + input);
                }
                targets.add(target);
                total += t.byteSize();
            }

            GgufWriter w = new GgufWriter();
            for (Map.Entry<String, GgufValue> e : in.metadata().entrySet()) {
                String key = e.getKey();
                if (!key.equals("general.quantization_version") && !key.equals("general.file_type") && !key.startsWith("split.")) {
                    w.put(key, e.getValue());
                }
            }
            w.putUInt32("general.quantization_version", 2);
            w.putUInt32("general.file_type", fileType.id());

            Map<GgmlType, Integer> perType = new EnumMap<>(GgmlType.class);
            long done = 0;
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensor t = tensors.get(i);
                GgmlType target = targets.get(i);
                MemorySegment data = target == t.type() ? t.data() : MemorySegment.ofArray(encode(t, target));
                w.addTensor(t.name(), target, t.shape(), data);
                perType.merge(target, 1, Integer::sum);
                done += t.byteSize();
                progress.update(done, total);
            }
            w.write(output);
            long outBytes;
            try {
                outBytes = Files.size(output);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + output + ": " + e.getMessage(), e);
            }
            return new Result(fileType, perType, sizeOf(input), outBytes);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + p + ": " + e.getMessage(), e);
        }
    }

    /** Decodes {@code t} row by row and encodes each row as {@code target}, rows in parallel. */
    static byte[] encode(GgufTensor t, GgmlType target) {
        long cols = t.shape()[0];
        long rows = t.rows();
        long outBytes = target.bytesFor(t.elementCount());
        if (outBytes > Integer.MAX_VALUE - 8 || cols > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' would take " + outBytes + " bytes as " + target
                    + "; tensors over 2 GiB are not supported yet");
        }
        int n = (int) cols;
        long srcRowBytes = t.type().bytesFor(cols);
        int dstRowBytes = (int) target.bytesFor(cols);
        byte[] out = new byte[(int) outBytes];
        MemorySegment src = t.data();
        IntStream.range(0, Math.toIntExact(rows)).parallel().forEach(r -> {
            float[] row = new float[n];
            TensorCodec.dequantize(t.type(), src, r * srcRowBytes, row, 0, n);
            byte[] enc = TensorCodec.quantize(target, row, 0, n);
            System.arraycopy(enc, 0, out, r * dstRowBytes, dstRowBytes);
        });
        return out;
    }

    /** The tensors of {@code file} with their types, in file order (for reports and tests). */
    public static Map<String, GgmlType> types(GgufFile file) {
        Map<String, GgmlType> m = new LinkedHashMap<>();
        for (GgufTensor t : file.tensors()) {
            m.put(t.name(), t.type());
        }
        return m;
    }
}

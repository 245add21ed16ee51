package dev.hypha.cli.model;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufFormatException;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.store.ModelStoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha model show NAME}: the manifest, the model's shape and tokenizer, and a summary of its tensors. */
@Command(name = "show", description = "Show a stored model: id, shape, tokenizer, chat template, tensors.")
final class ModelShowCommand implements Callable<Integer> {
    /** Architecture keys worth showing, in this order (each prefixed with the architecture name). */
    private static final List<String> SHAPE_KEYS = List.of("context_length", "embedding_length", "block_count",
            "feed_forward_length", "attention.head_count", "attention.head_count_kv", "rope.dimension_count",
            "rope.freq_base", "attention.layer_norm_rms_epsilon", "expert_count", "expert_used_count",
            "expert_feed_forward_length");
    private static final int MAX_TEXT = 80;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The model to show.")
    String name;

    @Option(names = "--metadata", description = "Also list every metadata key of the GGUF file.")
    boolean allMetadata;

    @Override
    public Integer call() {
        ModelStore store = StoreAccess.store(spec);
        ModelName modelName = ModelName.parse(name);
        ModelManifest m = store.show(modelName);
        Path blob = store.resolve(modelName);
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile gguf = GgufFile.open(blob)) {
            String arch = m.summary().architecture();
            List<String[]> rows = new ArrayList<>();
            rows.add(row("name", m.name().toString()));
            rows.add(row("id", m.cid().toString()));
            rows.add(row("size", Formats.bytes(m.size()) + " (" + m.size() + " bytes)"));
            rows.add(row("format", "gguf v" + gguf.version()));
            rows.add(row("architecture", arch));
            gguf.string("general.name").ifPresent(n -> rows.add(row("model name", clip(n))));
            rows.add(row("parameters", Formats.count(m.summary().parameterCount())));
            rows.add(row("quantization", m.summary().quantization()));
            rows.add(row("imported", Formats.date(m.created()) + " from " + m.sourceFile()));
            m.adapter().ifPresent(a -> rows.add(row("adapter", "LoRA " + a.cid() + " (" + Formats.bytes(a.size()) + ", from "
                    + a.sourceFile() + "), applied to the base above")));
            for (String key : SHAPE_KEYS) {
                gguf.value(arch + "." + key).ifPresent(v -> rows.add(row(key, text(v))));
            }
            rows.add(row("tokenizer", gguf.string("tokenizer.ggml.model").orElse("none")
                    + gguf.string("tokenizer.ggml.pre").map(p -> " (pre-tokenizer " + p + ")").orElse("")));
            gguf.value("tokenizer.ggml.tokens").ifPresent(v -> rows.add(row("vocabulary", text(v))));
            rows.add(row("chat template", gguf.string("tokenizer.chat_template")
                    .map(t -> "yes (" + t.length() + " characters)").orElse("no")));
            Formats.table(rows).forEach(out::println);

            out.println();
            out.println("tensors: " + gguf.tensors().size());
            Map<String, long[]> byType = new TreeMap<>(); // type -> {tensors, bytes}
            for (GgufTensor t : gguf.tensors()) {
                long[] sums = byType.computeIfAbsent(t.type().name(), k -> new long[2]);
                sums[0]++;
                sums[1] = Math.addExact(sums[1], t.byteSize());
            }
            List<String[]> typeRows = new ArrayList<>();
            byType.forEach((type, sums) -> typeRows.add(new String[] {"  " + type, sums[0] + " tensors",
                Formats.bytes(sums[1])}));
            Formats.table(typeRows).forEach(out::println);

            if (allMetadata) {
                out.println();
                out.println("metadata:");
                List<String[]> metaRows = new ArrayList<>();
                gguf.metadata().forEach((key, value) -> metaRows.add(new String[] {"  " + key, text(value)}));
                Formats.table(metaRows).forEach(out::println);
            }
        } catch (GgufFormatException e) {
            throw new ModelStoreException(ErrorCategory.IO, "the stored file of '" + m.name()
                    + "' no longer reads as GGUF (" + e.getMessage() + "); check it with `hypha model verify`", e);
        }
        return CommandLine.ExitCode.OK;
    }

    private static String[] row(String key, String value) {
        return new String[] {key, value};
    }

    /** A metadata value in one short line: arrays as their length and first items, long strings clipped. */
    static String text(GgufValue value) {
        return switch (value) {
            case GgufValue.Str s -> clip(s.value());
            case GgufValue.Array a -> {
                StringBuilder b = new StringBuilder("[" + a.size() + " " + a.elementType().name().toLowerCase()
                        + (a.size() == 1 ? "" : "s") + "]");
                if (a.size() > 0 && a.elementType() != dev.hypha.ml.gguf.GgufValueType.ARRAY) {
                    List<String> first = new ArrayList<>();
                    for (int i = 0; i < Math.min(4, a.size()); i++) {
                        first.add(text(a.elements().get(i)));
                    }
                    b.append(" ").append(String.join(", ", first)).append(a.size() > 4 ? ", ..." : "");
                }
                yield clip(b.toString());
            }
            case GgufValue.UInt8 v -> Integer.toString(v.value());
            case GgufValue.Int8 v -> Byte.toString(v.value());
            case GgufValue.UInt16 v -> Integer.toString(v.value());
            case GgufValue.Int16 v -> Short.toString(v.value());
            case GgufValue.UInt32 v -> Long.toString(v.value());
            case GgufValue.Int32 v -> Integer.toString(v.value());
            case GgufValue.UInt64 v -> Long.toUnsignedString(v.value());
            case GgufValue.Int64 v -> Long.toString(v.value());
            case GgufValue.Float32 v -> Float.toString(v.value());
            case GgufValue.Float64 v -> Double.toString(v.value());
            case GgufValue.Bool v -> Boolean.toString(v.value());
        };
    }

    /** One line, at most {@value #MAX_TEXT} characters, control characters escaped (metadata is outside input). */
    private static String clip(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.length() >= MAX_TEXT && s.length() > MAX_TEXT ? b + "..." : b.toString();
    }
}

package dev.hypha.ml.train;

import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a trained {@link Decoder} as an F32 GGUF in the llama layout the inference engine and llama.cpp load: the
 * architecture keys with the value types llama.cpp checks (uint32 counts, float32 epsilon and frequency base), the
 * vocabulary's {@code tokenizer.*} keys, then the tensors in the converter's order.
 */
public final class DecoderGguf {
    private DecoderGguf() {}

    /** With a vocabulary of exactly {@code vocabSize} tokens (a file llama.cpp can load). */
    public static void write(Decoder decoder, String name, TokenizerConfig vocabulary, Path path) {
        write(decoder, name, vocabulary, path, GgmlType.F32);
    }

    /**
     * As {@link #write(Decoder, String, TokenizerConfig, Path)} with the matrices stored as {@code type} (F32, F16 or
     * Q8_0, as llama.cpp's converter's {@code --outtype}; norms stay F32, and a matrix whose rows are not a whole number
     * of the type's blocks stays F32), and {@code general.file_type} set accordingly.
     */
    public static void write(Decoder decoder, String name, TokenizerConfig vocabulary, Path path, GgmlType type) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0) {
            throw new IllegalArgumentException("a decoder is written as F32, F16 or Q8_0, not " + type);
        }
        if (vocabulary.size() != decoder.config().vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " tokens, the decoder " + decoder.config().vocabSize());
        }
        GgufWriter w = architecture(decoder.config(), name, type);
        vocabulary.writeTo(w);
        tensors(decoder, w, type);
        w.write(path);
    }

    /** Without a vocabulary (loads in Hypha's engine, not in llama.cpp): for tests of the weights alone. */
    public static void writeWithoutVocabulary(Decoder decoder, String name, Path path) {
        GgufWriter w = architecture(decoder.config(), name, GgmlType.F32);
        tensors(decoder, w, GgmlType.F32);
        w.write(path);
    }

    private static GgufWriter architecture(DecoderConfig c, String name, GgmlType type) {
        String p = c.architecture().ggufName() + ".";
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", new GgufValue.Str(c.architecture().ggufName()));
        w.put("general.name", new GgufValue.Str(name));
        for (Map.Entry<String, Integer> e : Map.of(
                "vocab_size", c.vocabSize(), "context_length", c.contextLength(), "embedding_length", c.dim(),
                "block_count", c.layers(), "feed_forward_length", c.ffnDim(), "attention.head_count", c.heads(),
                "attention.head_count_kv", c.kvHeads(), "attention.key_length", c.headDim(),
                "attention.value_length", c.headDim(), "rope.dimension_count", c.headDim()).entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            w.put(p + e.getKey(), new GgufValue.UInt32(e.getValue()));
        }
        w.put(p + "rope.freq_base", new GgufValue.Float32(c.ropeBase()));
        w.put(p + "attention.layer_norm_rms_epsilon", new GgufValue.Float32(c.rmsEps()));
        // llama_ftype: ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7
        w.put("general.file_type", new GgufValue.UInt32(switch (type) {
            case F16 -> 1;
            case Q8_0 -> 7;
            default -> 0;
        }));
        return w;
    }

    private static void tensors(Decoder decoder, GgufWriter w, GgmlType type) {
        decoder.named().forEach((name, t) -> {
            long[] shape = t.rank() == 1 ? new long[] {t.dim(0)} : new long[] {t.dim(1), t.dim(0)};
            GgmlType stored = t.rank() == 1 || t.dim(1) % type.blockSize() != 0 ? GgmlType.F32 : type;
            w.addTensor(name, stored, shape, java.lang.foreign.MemorySegment.ofArray(TensorCodec.quantize(stored, t.data(), 0, t.size())));
        });
    }
}

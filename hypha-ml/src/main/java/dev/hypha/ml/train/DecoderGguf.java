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
        if (vocabulary.size() != decoder.config().vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " tokens, the decoder " + decoder.config().vocabSize());
        }
        GgufWriter w = architecture(decoder.config(), name);
        vocabulary.writeTo(w);
        tensors(decoder, w);
        w.write(path);
    }

    /** Without a vocabulary (loads in Hypha's engine, not in llama.cpp): for tests of the weights alone. */
    public static void writeWithoutVocabulary(Decoder decoder, String name, Path path) {
        GgufWriter w = architecture(decoder.config(), name);
        tensors(decoder, w);
        w.write(path);
    }

    private static GgufWriter architecture(DecoderConfig c, String name) {
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
        w.put("general.file_type", new GgufValue.UInt32(0)); // all F32
        return w;
    }

    private static void tensors(Decoder decoder, GgufWriter w) {
        decoder.named().forEach((name, t) -> {
            long[] shape = t.rank() == 1 ? new long[] {t.dim(0)} : new long[] {t.dim(1), t.dim(0)};
            w.addTensor(name, GgmlType.F32, shape, java.lang.foreign.MemorySegment.ofArray(TensorCodec.quantize(GgmlType.F32, t.data(), 0, t.size())));
        });
    }
}

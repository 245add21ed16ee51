package dev.hypha.ml.encoder;

import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.llm.Pooling;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes seeded random-weight encoder models (bert, nomic-bert) with a small WordPiece vocabulary, with the keys and
 * tensor names llama.cpp's converter writes, so llama.cpp loads the same file (no pretrained weights can be downloaded
 * here). The same spec always gives the same bytes.
 */
public final class RandomEncoderFactory {
    private RandomEncoderFactory() {}

    /** Ids of the special tokens in the written vocabulary. */
    public static final int PAD = 0;
    public static final int UNK = 1;
    public static final int CLS = 2;
    public static final int SEP = 3;
    public static final int MASK = 4;

    /**
     * @param architecture bert or nomic-bert
     * @param type         type of the matrices (rows that are not whole blocks fall back as {@link RandomModelFactory#typeFor})
     */
    public record Spec(EncoderArchitecture architecture, int dim, int ffnDim, int layers, int heads, int contextLength,
                       Pooling pooling, GgmlType type, long seed) {
        public Spec {
            if (dim % 32 != 0 || ffnDim % 32 != 0 || dim % heads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("random encoder needs dim and ffnDim multiples of 32 and an even head "
                        + "length: " + this);
            }
        }

        /** dim 64, 2 layers, 4 heads, feed-forward 128, context 128. */
        public static Spec tiny(EncoderArchitecture arch, Pooling pooling, long seed) {
            return new Spec(arch, 64, 128, 2, 4, 128, pooling, GgmlType.F32, seed);
        }
    }

    /**
     * The vocabulary: [PAD] [UNK] [CLS] [SEP] [MASK], then every printable ASCII character as a word start ("▁x") and as
     * a continuation ("x"), then whole words and common suffixes, so the tokenizer has long matches to find.
     */
    public static List<String> vocabulary() {
        LinkedHashSet<String> v = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (char ch = '!'; ch <= '~'; ch++) {
            if (Character.isUpperCase(ch)) {
                continue; // the tokenizer lower-cases first, as BERT's uncased vocabularies do
            }
            v.add("\u2581" + ch);
            v.add(String.valueOf(ch));
        }
        for (String w : List.of("the", "a", "of", "and", "to", "in", "is", "it", "that", "for", "fortune", "favours",
                "bold", "embed", "embedding", "model", "hypha", "network", "token", "sentence", "word", "piece", "cafe",
                "über", "naïve", "hello", "world", "quick", "brown", "fox", "jump", "lazy", "dog")) {
            v.add("\u2581" + w);
        }
        for (String s : List.of("s", "ing", "ed", "er", "ly", "tion", "ment", "ness", "ful", "able", "ize", "ous", "est")) {
            v.add(s);
        }
        v.add("\u2581\u4e2d"); // a CJK ideograph, its own word
        return new ArrayList<>(v);
    }

    /** Writes the model to {@code path} (atomically). */
    public static void write(Spec s, Path path) {
        List<String> vocab = vocabulary();
        String p = s.architecture().ggufName() + ".";
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", s.architecture().ggufName());
        w.putString("general.name", "hypha-random-" + s.architecture().ggufName());
        w.putUInt32(p + "context_length", s.contextLength());
        w.putUInt32(p + "embedding_length", s.dim());
        w.putUInt32(p + "feed_forward_length", s.ffnDim());
        w.putUInt32(p + "block_count", s.layers());
        w.putUInt32(p + "attention.head_count", s.heads());
        w.putFloat32(p + "attention.layer_norm_epsilon", 1e-12f);
        w.putBool(p + "attention.causal", false);
        w.putUInt32(p + "pooling_type", switch (s.pooling()) {
            case MEAN -> 1;
            case CLS -> 2;
            case LAST -> 3;
        });
        if (s.architecture() == EncoderArchitecture.NOMIC_BERT) {
            w.putFloat32(p + "rope.freq_base", 1000f);
        }
        w.putUInt32("general.file_type", s.type() == GgmlType.F32 ? 0 : s.type() == GgmlType.F16 ? 1 : 7);
        w.putString("tokenizer.ggml.model", "bert");
        w.putStrings("tokenizer.ggml.tokens", vocab);
        int[] types = new int[vocab.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = i == UNK ? 2 : i <= MASK ? 3 : 1; // unknown, control, normal
        }
        w.putInts("tokenizer.ggml.token_type", types);
        w.putUInt32("tokenizer.ggml.token_type_count", 2);
        w.putUInt32("tokenizer.ggml.bos_token_id", CLS);
        w.putUInt32("tokenizer.ggml.unknown_token_id", UNK);
        w.putUInt32("tokenizer.ggml.padding_token_id", PAD);
        w.putUInt32("tokenizer.ggml.seperator_token_id", SEP);
        w.putUInt32("tokenizer.ggml.mask_token_id", MASK);
        w.putUInt32("tokenizer.ggml.cls_token_id", CLS);

        SplittableRandom rnd = new SplittableRandom(s.seed());
        int d = s.dim();
        boolean bert = s.architecture() == EncoderArchitecture.BERT;
        matrix(w, "token_embd.weight", s.type(), d, vocab.size(), 1.0, rnd);
        vector(w, "token_types.weight", d * 2, 0, 0.2, rnd, new long[] {d, 2});
        if (bert) {
            vector(w, "position_embd.weight", d * s.contextLength(), 0, 0.5, rnd, new long[] {d, s.contextLength()});
        }
        vector(w, "token_embd_norm.weight", d, 1, 0.1, rnd, null);
        vector(w, "token_embd_norm.bias", d, 0, 0.1, rnd, null);
        double in = 1 / Math.sqrt(d);
        for (int l = 0; l < s.layers(); l++) {
            String b = "blk." + l + ".";
            if (bert) {
                for (String m : List.of("attn_q", "attn_k", "attn_v")) {
                    matrix(w, b + m + ".weight", s.type(), d, d, in, rnd);
                    vector(w, b + m + ".bias", d, 0, 0.1, rnd, null);
                }
            } else {
                matrix(w, b + "attn_qkv.weight", s.type(), d, 3 * d, in, rnd);
            }
            matrix(w, b + "attn_output.weight", s.type(), d, d, in, rnd);
            if (bert) {
                vector(w, b + "attn_output.bias", d, 0, 0.1, rnd, null);
            }
            vector(w, b + "attn_output_norm.weight", d, 1, 0.1, rnd, null);
            vector(w, b + "attn_output_norm.bias", d, 0, 0.1, rnd, null);
            matrix(w, b + "ffn_up.weight", s.type(), d, s.ffnDim(), in, rnd);
            if (bert) {
                vector(w, b + "ffn_up.bias", s.ffnDim(), 0, 0.1, rnd, null);
            } else {
                matrix(w, b + "ffn_gate.weight", s.type(), d, s.ffnDim(), in, rnd);
            }
            matrix(w, b + "ffn_down.weight", s.type(), s.ffnDim(), d, 1 / Math.sqrt(s.ffnDim()), rnd);
            if (bert) {
                vector(w, b + "ffn_down.bias", d, 0, 0.1, rnd, null);
            }
            vector(w, b + "layer_output_norm.weight", d, 1, 0.1, rnd, null);
            vector(w, b + "layer_output_norm.bias", d, 0, 0.1, rnd, null);
        }
        w.write(path);
    }

    private static void matrix(GgufWriter w, String name, GgmlType wanted, int cols, int rows, double std,
                               SplittableRandom rnd) {
        GgmlType type = RandomModelFactory.typeFor(wanted, cols);
        float[] x = new float[Math.multiplyExact(cols, rows)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * std);
        }
        w.addTensor(name, type, new long[] {cols, rows}, TensorCodec.quantize(type, x, 0, x.length));
    }

    private static void vector(GgufWriter w, String name, int n, double mean, double std, SplittableRandom rnd,
                               long[] shape) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mean + rnd.nextGaussian() * std);
        }
        w.addTensor(name, GgmlType.F32, shape == null ? new long[] {n} : shape, TensorCodec.quantize(GgmlType.F32, x, 0, n));
    }
}

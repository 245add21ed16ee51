package dev.hypha.ml.quant;

import dev.hypha.ml.tensor.GgmlType;
import java.util.List;

/**
 * Which type each tensor of a model gets in a {@link FileType} mix: llama.cpp's {@code llama_tensor_get_type}
 * ({@code src/llama-quant.cpp}) without an importance matrix, for dense (non-expert), non-Falcon models. Stateful like
 * the original: attention-value and feed-forward-down tensors are counted as they are asked for, so call
 * {@link #targetType} once per tensor in {@link ModelQuantizer#llamaOrder} order.
 *
 * <p>The rules, in short: the output matrix (and a tied token embedding) gets Q6_K unless the mix is Q8_0 (then Q8_0);
 * attn_v and ffn_down get more bits in the K mixes (Q4_K_M and Q5_K_M: Q6_K on the first and last eighth of the layers
 * and every third in between; Q3_K_M: Q5_K/Q4_K; Q2_K: Q3_K/Q4_K; IQ4: Q5_K); attn_output more in Q2_K and Q3_K_M/L.
 * Rows that are not a whole number of the chosen type's blocks fall back to a 32-block type, then F16.
 */
public final class TensorTypeRules {
    private final FileType fileType;
    private final int gqa;
    private final boolean seventyB;
    private final boolean tiedEmbeddings;
    private final int attentionValues;
    private final int layers;
    private int attentionValueIndex;
    private int ffnDownIndex;

    /**
     * @param fileType   the mix
     * @param heads      {@code attention.head_count}
     * @param kvHeads    {@code attention.head_count_kv}
     * @param layers     {@code block_count}
     * @param llama      whether the architecture is llama (an 80-layer llama with grouped-query attention is a 70B, whose
     *                   attn_v gets Q5_K instead of Q3_K/Q4_K)
     * @param names      every tensor name of the model
     */
    public TensorTypeRules(FileType fileType, int heads, int kvHeads, int layers, boolean llama, List<String> names) {
        this.fileType = fileType;
        this.gqa = kvHeads > 0 ? heads / kvHeads : 1;
        this.seventyB = llama && layers == 80 && heads != kvHeads;
        this.tiedEmbeddings = !names.contains("output.weight");
        this.attentionValues = (int) names.stream().filter(n -> isAttentionValue(category(n))).count();
        this.layers = layers;
    }

    enum Category { TOKEN_EMBD, ATTENTION_Q, ATTENTION_V, ATTENTION_K, ATTENTION_QKV, ATTENTION_KV_B, ATTENTION_OUTPUT,
        FFN_UP, FFN_GATE, FFN_DOWN, OUTPUT, OTHER }

    static Category category(String name) {
        if (name.equals("output.weight")) {
            return Category.OUTPUT;
        }
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) {
            return Category.TOKEN_EMBD;
        }
        if (name.contains("attn_qkv.weight")) {
            return Category.ATTENTION_QKV;
        }
        if (name.contains("attn_kv_b.weight")) {
            return Category.ATTENTION_KV_B;
        }
        if (name.contains("attn_v.weight")) {
            return Category.ATTENTION_V;
        }
        if (name.contains("attn_k.weight")) {
            return Category.ATTENTION_K;
        }
        if (name.contains("attn_q.weight")) {
            return Category.ATTENTION_Q;
        }
        if (name.contains("attn_output.weight")) {
            return Category.ATTENTION_OUTPUT;
        }
        if (name.contains("ffn_up")) {
            return Category.FFN_UP;
        }
        if (name.contains("ffn_gate")) {
            return Category.FFN_GATE;
        }
        if (name.contains("ffn_down")) {
            return Category.FFN_DOWN;
        }
        return Category.OTHER;
    }

    private static boolean isAttentionValue(Category c) {
        return c == Category.ATTENTION_V || c == Category.ATTENTION_QKV || c == Category.ATTENTION_KV_B;
    }

    /** {@code tensor_allows_quantization}: 2-D (or more) tensors named *weight, except norms and a few small kinds. */
    static boolean allowsQuantization(String name, long[] shape) {
        int dims = 1;
        for (int i = shape.length - 1; i >= 1; i--) {
            if (shape[i] > 1) {
                dims = i + 1;
                break;
            }
        }
        if (dims < 2 || !name.endsWith("weight") || name.contains("_norm.weight")) {
            return false;
        }
        for (String skip : List.of("ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
                "shortconv.conv.weight", "time_mix_", "attn_rel_b.weight", ".position_embd", ".rel_pos", ".patch_embd")) {
            if (name.contains(skip)) {
                return false;
            }
        }
        return !name.equals("position_embd.weight") && !name.equals("token_types.weight");
    }

    private static boolean useMoreBits(int layer, int n) {
        return layer < n / 8 || layer >= 7 * n / 8 || (layer - n / 8) % 3 == 2;
    }

    private static boolean quantized(GgmlType t) {
        return t != GgmlType.F32 && t != GgmlType.F16 && t != GgmlType.BF16;
    }

    /**
     * The type tensor {@code name} of shape {@code shape} (ggml order, innermost first) is written in; {@code current}
     * is its type in the source file (kept for tensors that are not quantized, such as norms).
     *
     * @throws IllegalArgumentException when the rows fit no type of the mix (a row length not a multiple of 32 under a
     *                                  32-block type), naming the tensor
     */
    public GgmlType targetType(String name, long[] shape, GgmlType current) {
        if (!allowsQuantization(name, shape)) {
            return current;
        }
        GgmlType type = fileType.defaultType();
        if (!quantized(type)) {
            return type;
        }
        type = mix(name, shape, type);
        return fallback(name, shape[0], type);
    }

    private GgmlType mix(String name, long[] shape, GgmlType type) {
        Category c = category(name);
        FileType f = fileType;
        if (c == Category.OUTPUT || (tiedEmbeddings && c == Category.TOKEN_EMBD)) {
            if (f == FileType.MXFP4_MOE || shape[0] % type.blockSize() != 0) {
                return GgmlType.Q8_0;
            }
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
        }
        if (f == FileType.MXFP4_MOE) {
            return shape.length > 2 && shape[2] > 1 ? GgmlType.MXFP4 : GgmlType.Q8_0;
        }
        if (c == Category.TOKEN_EMBD) {
            return type;
        }
        if (isAttentionValue(c)) {
            int i = attentionValueIndex++;
            if (f == FileType.Q2_K) {
                type = gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_M) {
                type = i < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (f == FileType.Q3_K_L) {
                type = GgmlType.Q5_K;
            } else if ((f == FileType.IQ4_NL || f == FileType.IQ4_XS) && gqa >= 4) {
                type = GgmlType.Q5_K;
            } else if ((f == FileType.Q4_K_M || f == FileType.Q5_K_M) && useMoreBits(i, attentionValues)) {
                type = GgmlType.Q6_K;
            } else if (f == FileType.Q4_K_S && i < 4) {
                type = GgmlType.Q5_K;
            }
            if (seventyB && (type == GgmlType.Q3_K || type == GgmlType.Q4_K)) {
                type = GgmlType.Q5_K;
            }
            return type;
        }
        if (c == Category.FFN_DOWN) {
            int i = ffnDownIndex++;
            int n = layers;
            if (f == FileType.Q2_K) {
                type = GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_M) {
                type = i < n / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (f == FileType.Q3_K_L) {
                type = GgmlType.Q5_K;
            } else if (f == FileType.Q4_K_M) {
                if (useMoreBits(i, n)) {
                    type = GgmlType.Q6_K;
                }
            } else if (i < n / 8 && (f == FileType.IQ4_NL || f == FileType.IQ4_XS)) {
                type = GgmlType.Q5_K;
            } else if (f == FileType.Q5_K_M && useMoreBits(i, n)) {
                type = GgmlType.Q6_K;
            } else if (f == FileType.Q4_K_S && i < n / 8) {
                type = GgmlType.Q5_K;
            }
            return type;
        }
        if (c == Category.ATTENTION_OUTPUT) {
            if (f == FileType.Q2_K) {
                type = GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_M) {
                type = GgmlType.Q4_K;
            } else if (f == FileType.Q3_K_L) {
                type = GgmlType.Q5_K;
            }
        }
        return type;
    }

    /** {@code tensor_type_fallback}: a type whose blocks divide the rows, else F16. */
    private static GgmlType fallback(String name, long cols, GgmlType type) {
        if (cols % type.blockSize() == 0) {
            return type;
        }
        GgmlType other = switch (type) {
            case IQ4_XS -> GgmlType.IQ4_NL;
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> throw new IllegalArgumentException("tensor '" + name + "' has rows of " + cols + " elements, not a whole "
                    + "number of " + type + " blocks of " + type.blockSize() + ", and " + type + " has no fallback type");
        };
        return cols % other.blockSize() == 0 ? other : GgmlType.F16;
    }
}

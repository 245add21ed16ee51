package dev.hypha.ml.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** llama-quantize's per-tensor type choices (llama-quant.cpp's {@code llama_tensor_get_type}) for an 8-layer llama. */
class TensorTypeRulesTest {
    static final int LAYERS = 8;

    /** The tensors of an 8-layer llama in llama.cpp's order, with their shapes (rows of 256). */
    static Map<String, long[]> model(boolean tied) {
        Map<String, long[]> m = new LinkedHashMap<>();
        if (!tied) {
            m.put("output.weight", new long[] {256, 1000});
        }
        m.put("output_norm.weight", new long[] {256});
        m.put("token_embd.weight", new long[] {256, 1000});
        for (int i = 0; i < LAYERS; i++) {
            for (String t : List.of("attn_k", "attn_norm", "attn_output", "attn_q", "attn_v", "ffn_down", "ffn_gate", "ffn_norm", "ffn_up")) {
                m.put("blk." + i + "." + t + ".weight", t.endsWith("norm") ? new long[] {256} : new long[] {256, 256});
            }
        }
        return m;
    }

    static Map<String, GgmlType> choose(FileType f, int heads, int kvHeads, Map<String, long[]> model) {
        TensorTypeRules rules = new TensorTypeRules(f, heads, kvHeads, LAYERS, true, new ArrayList<>(model.keySet()));
        Map<String, GgmlType> out = new LinkedHashMap<>();
        model.forEach((name, shape) -> out.put(name, rules.targetType(name, shape, GgmlType.F32)));
        return out;
    }

    @Test
    void q4_K_MGivesQ6_KToOutputAndToAttnVAndFfnDownOfTheUseMoreBitsLayers() {
        Map<String, GgmlType> t = choose(FileType.Q4_K_M, 8, 4, model(false));
        assertThat(t.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(t.get("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(t.get("output_norm.weight")).isEqualTo(GgmlType.F32);
        // use_more_bits(i, 8): i < 1, i >= 7, or (i - 1) % 3 == 2 -> layers 0, 3, 6, 7
        for (int i = 0; i < LAYERS; i++) {
            GgmlType more = i == 0 || i == 3 || i == 6 || i == 7 ? GgmlType.Q6_K : GgmlType.Q4_K;
            assertThat(t.get("blk." + i + ".attn_v.weight")).as("attn_v " + i).isEqualTo(more);
            assertThat(t.get("blk." + i + ".ffn_down.weight")).as("ffn_down " + i).isEqualTo(more);
            assertThat(t.get("blk." + i + ".attn_q.weight")).isEqualTo(GgmlType.Q4_K);
            assertThat(t.get("blk." + i + ".ffn_up.weight")).isEqualTo(GgmlType.Q4_K);
            assertThat(t.get("blk." + i + ".attn_norm.weight")).isEqualTo(GgmlType.F32);
        }
    }

    @Test
    void q3_K_MAndQ2_KRaiseAttentionAndFeedForwardDown() {
        Map<String, GgmlType> q3 = choose(FileType.Q3_K_M, 8, 4, model(false));
        assertThat(q3.get("blk.0.attn_v.weight")).isEqualTo(GgmlType.Q5_K);
        assertThat(q3.get("blk.1.attn_v.weight")).isEqualTo(GgmlType.Q5_K);
        assertThat(q3.get("blk.2.attn_v.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(q3.get("blk.0.ffn_down.weight")).isEqualTo(GgmlType.Q4_K);   // i < 8/16 = 0 never holds
        assertThat(q3.get("blk.5.attn_output.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(q3.get("blk.5.ffn_gate.weight")).isEqualTo(GgmlType.Q3_K);

        Map<String, GgmlType> q2 = choose(FileType.Q2_K, 8, 4, model(false));
        assertThat(q2.get("blk.3.attn_v.weight")).isEqualTo(GgmlType.Q3_K);   // grouped-query factor 2 < 4
        assertThat(q2.get("blk.3.ffn_down.weight")).isEqualTo(GgmlType.Q3_K);
        assertThat(q2.get("blk.3.attn_output.weight")).isEqualTo(GgmlType.Q3_K);
        assertThat(q2.get("blk.3.attn_k.weight")).isEqualTo(GgmlType.Q2_K);
        assertThat(choose(FileType.Q2_K, 8, 2, model(false)).get("blk.3.attn_v.weight")).isEqualTo(GgmlType.Q4_K);
    }

    @Test
    void smallAndIq4MixesAndPlainTypes() {
        Map<String, GgmlType> s = choose(FileType.Q4_K_S, 8, 4, model(false));
        assertThat(s.get("blk.3.attn_v.weight")).isEqualTo(GgmlType.Q5_K);    // first four attn_v
        assertThat(s.get("blk.4.attn_v.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(s.get("blk.0.ffn_down.weight")).isEqualTo(GgmlType.Q5_K);  // first eighth
        assertThat(s.get("blk.1.ffn_down.weight")).isEqualTo(GgmlType.Q4_K);

        Map<String, GgmlType> iq = choose(FileType.IQ4_XS, 32, 4, model(false));
        assertThat(iq.get("blk.5.attn_v.weight")).isEqualTo(GgmlType.Q5_K);   // grouped-query factor 8
        assertThat(iq.get("blk.0.ffn_down.weight")).isEqualTo(GgmlType.Q5_K);
        assertThat(iq.get("blk.5.ffn_down.weight")).isEqualTo(GgmlType.IQ4_XS);

        Map<String, GgmlType> q40 = choose(FileType.Q4_0, 8, 4, model(false));
        assertThat(q40.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(q40.get("blk.0.attn_v.weight")).isEqualTo(GgmlType.Q4_0);
        assertThat(choose(FileType.Q8_0, 8, 4, model(false)).get("output.weight")).isEqualTo(GgmlType.Q8_0);
        assertThat(choose(FileType.F16, 8, 4, model(false)).get("output.weight")).isEqualTo(GgmlType.F16);
        assertThat(choose(FileType.MXFP4_MOE, 8, 4, model(false)).get("blk.0.ffn_up.weight")).isEqualTo(GgmlType.Q8_0);
    }

    @Test
    void aTiedTokenEmbeddingIsTreatedAsTheOutput() {
        assertThat(choose(FileType.Q4_K_M, 8, 4, model(true)).get("token_embd.weight")).isEqualTo(GgmlType.Q6_K);
    }

    @Test
    void rowsThatAreNotWholeBlocksFallBack() {
        TensorTypeRules rules = new TensorTypeRules(FileType.Q4_K_M, 8, 4, LAYERS, true, List.of("blk.0.ffn_up.weight"));
        assertThat(rules.targetType("blk.0.ffn_up.weight", new long[] {96, 10}, GgmlType.F32)).isEqualTo(GgmlType.Q5_0);
        assertThat(rules.targetType("blk.0.ffn_up.weight", new long[] {80, 10}, GgmlType.F32)).isEqualTo(GgmlType.F16);
        TensorTypeRules q40 = new TensorTypeRules(FileType.Q4_0, 8, 4, LAYERS, true, List.of("blk.0.ffn_up.weight"));
        assertThatThrownBy(() -> q40.targetType("blk.0.ffn_up.weight", new long[] {80, 10}, GgmlType.F32))
                .hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining("no fallback");
        // a [n, 1] matrix is one-dimensional to ggml and stays as it is
        assertThat(q40.targetType("blk.0.ffn_up.weight", new long[] {64, 1}, GgmlType.F32)).isEqualTo(GgmlType.F32);
    }

    @Test
    void fileTypeNamesFollowLlamaQuantize() {
        assertThat(FileType.parse("q4_k_m")).isEqualTo(FileType.Q4_K_M);
        assertThat(FileType.parse("Q4_K")).isEqualTo(FileType.Q4_K_M);
        assertThat(FileType.parse("mxfp4")).isEqualTo(FileType.MXFP4_MOE);
        assertThat(FileType.Q4_K_M.id()).isEqualTo(15);
        assertThat(FileType.IQ4_XS.id()).isEqualTo(30);
        assertThatThrownBy(() -> FileType.parse("Q9_K")).hasMessageContaining("Q9_K").hasMessageContaining("Q4_K_M");
    }
}

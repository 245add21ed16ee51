package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.tensor.GgmlType;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Adapter files are outside input: each kind of damage is refused with an error naming the tensor or key. */
class LoraAdapterValidationTest {
    /** dim 64, q 64, kv 32, ffn 96, 2 blocks. */
    static final ModelConfig BASE = new ModelConfig(Architecture.LLAMA, 64, 96, 2, 4, 2, 16, 400, 128, 1e-5f, 10000f, 16, 1f,
            Optional.empty(), Pooling.MEAN);

    @Test
    void aWellFormedAdapterLoadsWithAlphaOverRankAsItsScale() {
        LoraAdapter a = LoraAdapter.load(file(w -> {
            pair(w, "blk.1.attn_v.weight", 64, 4, 32, 4);
            pair(w, "blk.0.ffn_down.weight", 96, 2, 64, 2);
        }), BASE);
        assertThat(a.pairs()).containsOnlyKeys("blk.1.attn_v.weight", "blk.0.ffn_down.weight");
        assertThat(a.pair(1, LoraTarget.V).scale()).isEqualTo(8f / 4);
        assertThat(a.pair(0, LoraTarget.DOWN).scale()).isEqualTo(8f / 2);
        assertThat(a.pair(0, LoraTarget.Q)).isNull();
    }

    @Test
    void wrongShapesAreRefused() {
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> pair(w, "blk.0.attn_q.weight", 32, 4, 64, 4)), BASE))
                .hasMessageContaining("blk.0.attn_q.weight.lora_a").hasMessageContaining("[64, rank]");
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> pair(w, "blk.0.attn_k.weight", 64, 4, 64, 4)), BASE))
                .hasMessageContaining("blk.0.attn_k.weight.lora_b").hasMessageContaining("[rank, 32]");
        // A and B swapped (peft's matrices written without llama.cpp's orientation)
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> {
            w.addTensor("blk.0.ffn_up.weight.lora_a", GgmlType.F32, new long[] {4, 96}, new byte[4 * 96 * 4]);
            w.addTensor("blk.0.ffn_up.weight.lora_b", GgmlType.F32, new long[] {64, 4}, new byte[64 * 4 * 4]);
        }), BASE)).hasMessageContaining("blk.0.ffn_up.weight.lora_a").hasMessageContaining("swapped");
    }

    @Test
    void aRankMismatchIsRefused() {
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> pair(w, "blk.0.attn_q.weight", 64, 4, 64, 8)), BASE))
                .hasMessageContaining("rank mismatch for 'blk.0.attn_q.weight'");
    }

    @Test
    void namesThatMatchNoBaseTensorAreRefused() {
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> pair(w, "blk.2.attn_q.weight", 64, 4, 64, 4)), BASE))
                .hasMessageContaining("adapts 'blk.2.attn_q.weight', which is not a projection of the base model");
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> pair(w, "output.weight", 64, 4, 400, 4)), BASE))
                .hasMessageContaining("'output.weight'");
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> pair(w, "blk.00.attn_q.weight", 64, 4, 64, 4)), BASE))
                .hasMessageContaining("'blk.00.attn_q.weight'");
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> w.addTensor("blk.0.attn_norm.weight", GgmlType.F32, new long[] {64},
                new byte[256])), BASE)).hasMessageContaining("'blk.0.attn_norm.weight'");
    }

    @Test
    void aHalfPairIsRefused() {
        assertThatThrownBy(() -> LoraAdapter.load(file(w -> w.addTensor("blk.0.attn_q.weight.lora_a", GgmlType.F32,
                new long[] {64, 4}, new byte[64 * 4 * 4])), BASE))
                .hasMessageContaining("'blk.0.attn_q.weight.lora_a' without 'blk.0.attn_q.weight.lora_b'");
    }

    @Test
    void wrongMetadataIsRefused() {
        assertThatThrownBy(() -> LoraAdapter.load(parse(header("model", "lora", "llama", 8f)), BASE))
                .hasMessageContaining("general.type 'model'");
        assertThatThrownBy(() -> LoraAdapter.load(parse(header("adapter", "control_vector", "llama", 8f)), BASE))
                .hasMessageContaining("adapter.type 'control_vector'");
        assertThatThrownBy(() -> LoraAdapter.load(parse(header("adapter", "lora", "qwen2", 8f)), BASE))
                .hasMessageContaining("architecture 'qwen2'");
        assertThatThrownBy(() -> LoraAdapter.load(parse(header("adapter", "lora", "llama", Float.NaN)), BASE))
                .hasMessageContaining("adapter.lora.alpha");
        GgufWriter uint = header("adapter", "lora", "llama", null).putUInt32(LoraAdapter.ALPHA, 8);
        assertThatThrownBy(() -> LoraAdapter.load(parse(uint), BASE)).hasMessageContaining("float32");
        assertThatThrownBy(() -> LoraAdapter.load(parse(header("adapter", "lora", "llama", 8f)), BASE))
                .hasMessageContaining("no tensors");
    }

    private static GgufFile file(Consumer<GgufWriter> tensors) {
        GgufWriter w = header("adapter", "lora", "llama", 8f);
        tensors.accept(w);
        return parse(w);
    }

    private static GgufFile parse(GgufWriter w) {
        return GgufFile.parse(w.toByteArray(), "test-adapter.gguf");
    }

    private static GgufWriter header(String type, String adapterType, String arch, Float alpha) {
        GgufWriter w = new GgufWriter().putString("general.architecture", arch).putString(LoraAdapter.GENERAL_TYPE, type)
                .putString(LoraAdapter.ADAPTER_TYPE, adapterType);
        return alpha == null ? w : w.putFloat32(LoraAdapter.ALPHA, alpha);
    }

    /** W.lora_a of GGUF shape [aIn, aRank] and W.lora_b of [bRank, bOut], zeros. */
    private static void pair(GgufWriter w, String weight, int aIn, int aRank, int bOut, int bRank) {
        w.addTensor(weight + ".lora_a", GgmlType.F32, new long[] {aIn, aRank}, new byte[aIn * aRank * 4]);
        w.addTensor(weight + ".lora_b", GgmlType.F32, new long[] {bRank, bOut}, new byte[bRank * bOut * 4]);
    }
}

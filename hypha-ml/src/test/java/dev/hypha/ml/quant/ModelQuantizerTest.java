package dev.hypha.ml.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelQuantizerTest {
    @TempDir
    Path dir;

    static RandomModelFactory.Spec spec(GgmlType type) {
        return new RandomModelFactory.Spec(Architecture.LLAMA, 256, 512, 2, 8, 4, 32, 300, 256, type, false, 7);
    }

    Path write(GgmlType type) {
        Path p = dir.resolve(type.name().toLowerCase() + ".gguf");
        RandomModelFactory.write(spec(type), Map.of(), p);
        return p;
    }

    @Test
    void q8_0OfAnF32ModelIsByteForByteWhatTheFactoryQuantizesDirectly() {
        Path f32 = write(GgmlType.F32);
        Path direct = write(GgmlType.Q8_0);
        Path out = dir.resolve("out.gguf");
        List<long[]> progress = new ArrayList<>();
        ModelQuantizer.Result r = ModelQuantizer.quantize(f32, out, FileType.Q8_0, false, (d, t) -> progress.add(new long[] {d, t}));
        assertThat(progress.getLast()[0]).isEqualTo(progress.getLast()[1]);
        assertThat(r.outputBytes()).isLessThan(r.inputBytes());
        try (GgufFile a = GgufFile.open(out); GgufFile b = GgufFile.open(direct)) {
            for (GgufTensor t : b.tensors()) {
                GgufTensor q = a.requireTensor(t.name());
                assertThat(q.type()).as(t.name()).isEqualTo(t.type());
                assertThat(q.data().toArray(ValueLayout.JAVA_BYTE)).as(t.name()).isEqualTo(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
            assertThat(a.integer("general.file_type")).contains(7L);
            assertThat(a.integer("general.quantization_version")).contains(2L);
            assertThat(a.string("general.architecture")).contains("llama");
            assertThat(a.integer("llama.block_count")).contains(2L);
        }
    }

    @Test
    void q4_K_MWritesTheMixInLlamaCppsTensorOrder() {
        Path out = dir.resolve("q4km.gguf");
        ModelQuantizer.Result r = ModelQuantizer.quantize(write(GgmlType.F32), out, FileType.Q4_K_M, false, (d, t) -> { });
        try (GgufFile f = GgufFile.open(out)) {
            Map<String, GgmlType> types = ModelQuantizer.types(f);
            List<String> names = new ArrayList<>(types.keySet());
            assertThat(names.subList(0, 3)).containsExactly("output.weight", "output_norm.weight", "token_embd.weight");
            assertThat(names.get(3)).isEqualTo("blk.0.attn_k.weight");
            assertThat(types.get("output.weight")).isEqualTo(GgmlType.Q6_K);
            assertThat(types.get("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
            // two layers: use_more_bits(i, 2) holds for layer 1 only
            assertThat(types.get("blk.0.attn_v.weight")).isEqualTo(GgmlType.Q4_K);
            assertThat(types.get("blk.1.attn_v.weight")).isEqualTo(GgmlType.Q6_K);
            assertThat(types.get("blk.1.ffn_down.weight")).isEqualTo(GgmlType.Q6_K);
            assertThat(types.get("blk.1.ffn_norm.weight")).isEqualTo(GgmlType.F32);
            assertThat(f.integer("general.file_type")).contains(15L);
        }
        assertThat(r.tensorsPerType()).containsEntry(GgmlType.Q6_K, 3).containsEntry(GgmlType.F32, 5);
    }

    @Test
    void quantizedSourcesNeedAllowRequantizeAndTheOutputMustBeAnotherFile() {
        Path q8 = write(GgmlType.Q8_0);
        assertThatThrownBy(() -> ModelQuantizer.quantize(q8, dir.resolve("x.gguf"), FileType.Q4_K_M, false, (d, t) -> { }))
                .hasMessageContaining("already Q8_0").hasMessageContaining("--allow-requantize");
        ModelQuantizer.quantize(q8, dir.resolve("x.gguf"), FileType.Q4_K_M, true, (d, t) -> { });
        assertThatThrownBy(() -> ModelQuantizer.quantize(q8, q8, FileType.Q4_0, true, (d, t) -> { }))
                .hasMessageContaining("is the input file");
    }
}

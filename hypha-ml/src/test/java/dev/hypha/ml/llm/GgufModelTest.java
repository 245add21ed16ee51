package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.tensor.GgmlType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelTest {

    @Test
    void aWrittenModelLoadsFromItsFileWithTheSameLogitsAsInMemory(@TempDir Path dir) {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, 96, 9);
        Path file = dir.resolve("qwen2.gguf");
        RandomModelFactory.write(spec, Map.of(), file);
        float[] fromMemory;
        try (Model m = Model.load(RandomModelFactory.inMemory(spec), Model.Options.defaults())) {
            fromMemory = m.newSession(32).process(ForwardPassTest.PROMPT);
        }
        try (GgufFile gguf = GgufFile.open(file); Model m = Model.load(gguf, Model.Options.defaults())) {
            assertThat(gguf.integer("qwen2.block_count")).contains(2L);
            assertThat(gguf.value("qwen2.context_length")).containsInstanceOf(GgufValue.UInt32.class);
            assertThat(gguf.value("qwen2.rope.freq_base")).containsInstanceOf(GgufValue.Float32.class);
            assertThat(gguf.requireTensor("blk.0.attn_q.bias").type()).isEqualTo(GgmlType.F32);
            assertThat(m.config().vocabSize()).isEqualTo(96);
            assertThat(m.newSession(32).process(ForwardPassTest.PROMPT)).isEqualTo(fromMemory);
        }
    }

    @Test
    void theVocabularyMustMatchTheSpec(@TempDir Path dir) {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.F32, 96, 9);
        Map<String, GgufValue> vocab = Map.of("tokenizer.ggml.tokens", GgufValue.Array.ofStrings(List.of("a", "b")));
        assertThatThrownBy(() -> RandomModelFactory.write(spec, vocab, dir.resolve("x.gguf")))
                .hasMessageContaining("the vocabulary has 2 tokens but the model spec asks for 96");
    }

    @Test
    void kQuantModelsFallBackToQ8_0ForShortRows() {
        assertThat(RandomModelFactory.typeFor(GgmlType.Q4_K, 64)).isEqualTo(GgmlType.Q8_0);
        assertThat(RandomModelFactory.typeFor(GgmlType.Q4_K, 512)).isEqualTo(GgmlType.Q4_K);
        assertThat(RandomModelFactory.typeFor(GgmlType.Q8_0, 48)).isEqualTo(GgmlType.F32);
    }
}

package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ForwardPassTest {
    static final int VOCAB = 96;
    static final int[] PROMPT = {1, 17, 42, 5, 88, 23, 9};

    /** Relative error of the engine's logits against the reference: max |diff| over the reference's max |logit|. */
    static double relativeError(float[] got, float[] want) {
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < want.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            maxAbs = Math.max(maxAbs, Math.abs(want[i]));
        }
        return maxDiff / maxAbs;
    }

    @ParameterizedTest
    @CsvSource({
        // float weights: only float rounding differs (measured ~3e-7); quantized weights: the engine also quantizes
        // activations to Q8_0/Q8_K as llama.cpp does, which the float reference does not (measured 1-2.5%)
        "LLAMA, F32, 1e-5", "MISTRAL, F32, 1e-5", "QWEN2, F32, 1e-5", "QWEN3, F32, 1e-5",
        "LLAMA, F16, 1e-5", "LLAMA, BF16, 1e-5",
        "LLAMA, Q8_0, 0.04", "QWEN2, Q8_0, 0.04", "QWEN3, Q4_0, 0.04",
        "LLAMA, Q4_K, 0.05", "QWEN3, Q6_K, 0.04"})
    void logitsMatchTheScalarReference(Architecture arch, GgmlType type, double tolerance) {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(arch, type, VOCAB, 7);
        if (type == GgmlType.Q4_K || type == GgmlType.Q6_K) {
            spec = spec.withShape(256, 512, 2, 4, 2); // k-quants need rows of 256
        }
        InMemoryModelSource src = RandomModelFactory.inMemory(spec);
        ReferenceTransformer ref = new ReferenceTransformer(src, 64);
        try (Model model = Model.load(src, Model.Options.defaults().withThreads(2).withBatchSize(4))) {
            Session session = model.newSession(64);
            float[] refLogits = null;
            for (int t : PROMPT) {
                refLogits = ref.next(t);
            }
            float[] logits = session.process(PROMPT);
            assertThat(relativeError(logits, refLogits)).as("prompt logits").isLessThan(tolerance);
            for (int t : new int[] {3, 60, 3}) {
                float[] next = session.process(new int[] {t});
                assertThat(relativeError(next, ref.next(t))).as("logits after token " + t).isLessThan(tolerance);
            }
            assertThat(session.position()).isEqualTo(PROMPT.length + 3);
        }
    }

    @Test
    void headsWiderThanTheEmbeddingWorkAsInQwen3() {
        // Qwen3-0.6B has 16 heads of 128 over an embedding of 1024: q is twice as long as the residual stream
        RandomModelFactory.Spec spec = new RandomModelFactory.Spec(Architecture.QWEN3, 64, 128, 2, 4, 2, 32, VOCAB, 64,
                GgmlType.F32, true, 19);
        InMemoryModelSource src = RandomModelFactory.inMemory(spec);
        ReferenceTransformer ref = new ReferenceTransformer(src, 16);
        try (Model model = Model.load(src, Model.Options.defaults())) {
            assertThat(model.config().qDim()).isEqualTo(128);
            float[] logits = model.newSession(16).process(new int[] {8, 9, 10});
            ref.next(8);
            ref.next(9);
            assertThat(relativeError(logits, ref.next(10))).isLessThan(1e-5);
        }
    }

    @Test
    void tiedEmbeddingsUseTheTokenEmbeddingAsOutput() {
        InMemoryModelSource src = RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.F32, VOCAB, 3)
                .withTiedEmbeddings(true));
        assertThat(src.tensor("output.weight")).isEmpty();
        ReferenceTransformer ref = new ReferenceTransformer(src, 16);
        try (Model model = Model.load(src, Model.Options.defaults())) {
            assertThat(model.weights().output()).isSameAs(model.weights().tokenEmbedding());
            float[] logits = model.newSession(16).process(new int[] {4, 5});
            ref.next(4);
            assertThat(relativeError(logits, ref.next(5))).isLessThan(1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"Q8_0, false", "Q4_K, true", "F32, true", "Q4_0, false"})
    void batchedPromptGivesTheSameBitsAsOneTokenAtATime(GgmlType type, boolean deterministic) {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.QWEN3, type, VOCAB, 11).withShape(256, 256, 2, 4, 2);
        InMemoryModelSource src = RandomModelFactory.inMemory(spec);
        float[] batched;
        float[] single = null;
        try (Model model = Model.load(src, Model.Options.defaults().withBatchSize(3).withDeterministic(deterministic))) {
            batched = model.newSession(32).process(PROMPT);
        }
        try (Model model = Model.load(src, Model.Options.defaults().withBatchSize(1).withDeterministic(deterministic))) {
            Session s = model.newSession(32);
            for (int t : PROMPT) {
                single = s.process(new int[] {t});
            }
        }
        assertThat(batched).isEqualTo(single);
    }

    @Test
    void threadCountDoesNotChangeABit() {
        InMemoryModelSource src = RandomModelFactory.inMemory(
                RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q8_0, VOCAB, 5).withShape(128, 256, 2, 8, 2));
        float[] first = null;
        for (int threads = 1; threads <= 3; threads++) {
            try (Model model = Model.load(src, new Model.Options(threads, true, 4))) {
                float[] logits = model.newSession(32).process(PROMPT);
                if (first == null) {
                    first = logits;
                } else {
                    assertThat(logits).as(threads + " threads").isEqualTo(first);
                }
            }
        }
    }

    @Test
    void rewindRecomputesTheSameLogits() {
        InMemoryModelSource src = RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.F32, VOCAB, 5));
        try (Model model = Model.load(src, Model.Options.defaults())) {
            Session s = model.newSession(32);
            float[] a = s.process(PROMPT);
            s.rewind(2);
            float[] b = s.process(Arrays.copyOfRange(PROMPT, 2, PROMPT.length));
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void overflowingTheContextIsAClearErrorThatChangesNothing() {
        InMemoryModelSource src = RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.F32, VOCAB, 5));
        try (Model model = Model.load(src, Model.Options.defaults())) {
            Session s = model.newSession(8);
            s.process(new int[] {1, 2, 3, 4, 5});
            assertThatThrownBy(() -> s.process(new int[] {1, 2, 3, 4}))
                    .isInstanceOf(ContextOverflowException.class)
                    .hasMessageContaining("5 tokens are already in the context of 8");
            assertThat(s.position()).isEqualTo(5);
            assertThatThrownBy(() -> s.process(new int[] {VOCAB})).hasMessageContaining("outside the vocabulary of " + VOCAB);
            assertThatThrownBy(() -> model.newSession(100000)).hasMessageContaining("context length 256");
        }
    }

    @Test
    void badModelsGetClearErrors() {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.F32, VOCAB, 5);
        var meta = new java.util.LinkedHashMap<>(RandomModelFactory.metadata(spec));
        var tensors = new java.util.LinkedHashMap<>(RandomModelFactory.tensors(spec));
        assertThatThrownBy(() -> Model.load(new InMemoryModelSource("gpt-neox", meta, tensors), Model.Options.defaults()))
                .hasMessageContaining("unsupported model architecture 'gpt-neox'").hasMessageContaining("llama, mistral, qwen2, qwen3");
        meta.remove("llama.block_count");
        assertThatThrownBy(() -> Model.load(new InMemoryModelSource("llama", meta, tensors), Model.Options.defaults()))
                .hasMessageContaining("llama.block_count");
        meta.put("llama.block_count", 2L);
        tensors.remove("blk.1.ffn_up.weight");
        assertThatThrownBy(() -> Model.load(new InMemoryModelSource("llama", meta, tensors), Model.Options.defaults()))
                .hasMessageContaining("blk.1.ffn_up.weight");
        meta.put("llama.rope.scaling.type", "longrope");
        assertThatThrownBy(() -> Model.load(new InMemoryModelSource("llama", meta, RandomModelFactory.tensors(spec)), Model.Options.defaults()))
                .hasMessageContaining("unsupported rope.scaling.type 'longrope'");
    }
}

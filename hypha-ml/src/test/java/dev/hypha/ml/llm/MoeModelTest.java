package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mixture-of-experts models in our engine alone: metadata and tensors read with llama.cpp's keys, what is refused,
 * that only the selected experts are touched, and batch invariance. Agreement with llama.cpp is
 * {@code MoeAgreementTest}.
 */
class MoeModelTest {
    static final int VOCAB = 64;

    static RandomModelFactory.Spec qwen3moe(GgmlType type) {
        return new RandomModelFactory.Spec(Architecture.QWEN3MOE, 64, 192, 2, 4, 2, 16, VOCAB, 256, type, false, 7, 0,
                new ModelConfig.Experts(8, 2, 64));
    }

    static RandomModelFactory.Spec mixtral(GgmlType type) {
        return new RandomModelFactory.Spec(Architecture.LLAMA, 64, 64, 2, 4, 2, 16, VOCAB, 256, type, false, 7, 0,
                new ModelConfig.Experts(4, 2, 64));
    }

    static RandomModelFactory.Spec gptOss(GgmlType type) {
        return new RandomModelFactory.Spec(Architecture.GPT_OSS, 64, 64, 2, 4, 2, 16, VOCAB, 256, type, false, 7, 4,
                new ModelConfig.Experts(4, 2, 64, ModelConfig.Experts.Style.GPT_OSS));
    }

    static InMemoryModelSource withMetadata(RandomModelFactory.Spec spec, Map<String, Object> put, String... removed) {
        Map<String, Object> m = new LinkedHashMap<>(RandomModelFactory.metadata(spec));
        m.putAll(put);
        for (String key : removed) {
            assertThat(m.remove(key)).as("metadata key %s", key).isNotNull();
        }
        return new InMemoryModelSource(spec.architecture().ggufName(), m, RandomModelFactory.tensors(spec));
    }

    static InMemoryModelSource withTensor(RandomModelFactory.Spec spec, String name, WeightTensor replacement) {
        Map<String, WeightTensor> t = new LinkedHashMap<>(RandomModelFactory.tensors(spec));
        if (replacement == null) {
            assertThat(t.remove(name)).as("tensor %s", name).isNotNull();
        } else {
            t.put(name, replacement);
        }
        return new InMemoryModelSource(spec.architecture().ggufName(), RandomModelFactory.metadata(spec), t);
    }

    @Test
    void readsExpertsWithLlamaCppsKeys() {
        ModelConfig q = ModelConfig.from(RandomModelFactory.inMemory(qwen3moe(GgmlType.F32)));
        assertThat(q.experts()).isEqualTo(new ModelConfig.Experts(8, 2, 64));
        assertThat(q.ffnDim()).isEqualTo(192);
        // without expert_feed_forward_length, llama.cpp takes feed_forward_length / expert_used_count
        ModelConfig fallback = ModelConfig.from(withMetadata(qwen3moe(GgmlType.F32), Map.of(),
                "qwen3moe.expert_feed_forward_length"));
        assertThat(fallback.experts().ffnDim()).isEqualTo(96);
        ModelConfig m = ModelConfig.from(RandomModelFactory.inMemory(mixtral(GgmlType.F32)));
        assertThat(m.experts()).isEqualTo(new ModelConfig.Experts(4, 2, 64));
        // expert_count 0 is a dense llama, as in llama.cpp
        RandomModelFactory.Spec dense = new RandomModelFactory.Spec(Architecture.LLAMA, 64, 64, 2, 4, 2, 16, VOCAB, 256,
                GgmlType.F32, false, 7);
        assertThat(ModelConfig.from(withMetadata(dense, Map.of("llama.expert_count", 0L))).experts()).isNull();
    }

    @Test
    void refusesBadExpertMetadataByName() {
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(qwen3moe(GgmlType.F32),
                Map.of("qwen3moe.expert_used_count", 9L))))
                .hasMessageContaining("qwen3moe.expert_used_count (9) exceeds expert_count (8)");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(qwen3moe(GgmlType.F32), Map.of(),
                "qwen3moe.expert_used_count")))
                .hasMessageContaining("lacks required metadata key qwen3moe.expert_used_count");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(qwen3moe(GgmlType.F32), Map.of(), "qwen3moe.expert_count")))
                .hasMessageContaining("qwen3moe.expert_count must be between 1 and 512, got 0 (missing)");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(qwen3moe(GgmlType.F32),
                Map.of("qwen3moe.expert_count", 100_000L))))
                .hasMessageContaining("expert_count must be between 1 and 512, got 100000");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(mixtral(GgmlType.F32), Map.of("llama.expert_group_count", 4L))))
                .hasMessageContaining("llama.expert_group_count (4)");
        RandomModelFactory.Spec qwen2 = new RandomModelFactory.Spec(Architecture.QWEN2, 64, 64, 2, 4, 2, 16, VOCAB, 256,
                GgmlType.F32, false, 7);
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(qwen2, Map.of("qwen2.expert_count", 8L))))
                .hasMessageContaining("routed experts are supported for llama, qwen3moe and gpt-oss, not qwen2");
    }

    @Test
    void refusesMisshapenOrMissingExpertTensorsByName() {
        RandomModelFactory.Spec spec = qwen3moe(GgmlType.F32);
        WeightTensor up = RandomModelFactory.tensors(spec).get("blk.1.ffn_up_exps.weight");
        long bytes = up.data().byteSize();
        WeightTensor sevenExperts = new WeightTensor(up.name(), up.type(), new long[] {64, 64, 7},
                up.data().asSlice(0, bytes / 8 * 7));
        assertThatThrownBy(() -> Model.load(withTensor(spec, up.name(), sevenExperts), Model.Options.defaults()))
                .hasMessageContaining("tensor 'blk.1.ffn_up_exps.weight' must have shape [64, 64, 8]");
        WeightTensor truncated = new WeightTensor(up.name(), up.type(), up.shape(), up.data().asSlice(0, bytes - 4));
        assertThatThrownBy(() -> Model.load(withTensor(spec, up.name(), truncated), Model.Options.defaults()))
                .hasMessageContaining("tensor 'blk.1.ffn_up_exps.weight' holds " + (bytes - 4) + " bytes, not 8 experts");
        assertThatThrownBy(() -> Model.load(withTensor(spec, "blk.0.ffn_gate_exps.weight", null), Model.Options.defaults()))
                .hasMessageContaining("blk.0.ffn_gate_exps.weight");
        assertThatThrownBy(() -> Model.load(withTensor(spec, "blk.0.ffn_gate_inp.weight", null), Model.Options.defaults()))
                .hasMessageContaining("no tensor 'blk.0.ffn_gate_inp.weight'");
        WeightTensor router = RandomModelFactory.tensors(spec).get("blk.0.ffn_gate_inp.weight");
        WeightTensor narrowRouter = new WeightTensor(router.name(), router.type(), new long[] {64, 4},
                router.data().asSlice(0, 64 * 4 * 4));
        assertThatThrownBy(() -> Model.load(withTensor(spec, router.name(), narrowRouter), Model.Options.defaults()))
                .hasMessageContaining("tensor 'blk.0.ffn_gate_inp.weight' must have shape [64, 8]");
        WeightTensor shared = new WeightTensor("blk.0.ffn_gate_shexp.weight", GgmlType.F32, new long[] {64, 64},
                MemorySegment.ofArray(new float[64 * 64]));
        Map<String, WeightTensor> t = new LinkedHashMap<>(RandomModelFactory.tensors(spec));
        t.put(shared.name(), shared);
        assertThatThrownBy(() -> Model.load(new InMemoryModelSource("qwen3moe", RandomModelFactory.metadata(spec), t),
                Model.Options.defaults())).hasMessageContaining("shared experts");
    }

    @Test
    void readsGptOssWithLlamaCppsKeys() {
        ModelConfig c = ModelConfig.from(RandomModelFactory.inMemory(gptOss(GgmlType.F32)));
        assertThat(c.experts()).isEqualTo(new ModelConfig.Experts(4, 2, 64, ModelConfig.Experts.Style.GPT_OSS));
        assertThat(c.traits().slidingWindow()).isEqualTo(4);
        // llama.cpp's default pattern 2: even layers local, odd layers global
        assertThat(c.traits().isSliding(0)).isTrue();
        assertThat(c.traits().isSliding(1)).isFalse();
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gptOss(GgmlType.F32), Map.of(),
                "gpt-oss.attention.sliding_window")))
                .hasMessageContaining("lacks required metadata key gpt-oss.attention.sliding_window");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gptOss(GgmlType.F32), Map.of(),
                "gpt-oss.expert_feed_forward_length")))
                .hasMessageContaining("lacks required metadata key gpt-oss.expert_feed_forward_length");
        assertThatThrownBy(() -> Model.load(withTensor(gptOss(GgmlType.F32), "blk.1.attn_sinks.weight", null),
                Model.Options.defaults())).hasMessageContaining("no tensor 'blk.1.attn_sinks.weight'");
        assertThatThrownBy(() -> Model.load(withTensor(gptOss(GgmlType.F32), "blk.0.ffn_down_exps.bias", null),
                Model.Options.defaults())).hasMessageContaining("no tensor 'blk.0.ffn_down_exps.bias'");
    }

    /** The attention sinks take part: sinks far below every score (weight ~0) give other logits. */
    @Test
    void gptOssSinksChangeTheResult() {
        RandomModelFactory.Spec spec = gptOss(GgmlType.F32);
        int[] prompt = {1, 17, 42, 3, 9, 60};
        Map<String, WeightTensor> t = new LinkedHashMap<>(RandomModelFactory.tensors(spec));
        for (int l = 0; l < spec.layers(); l++) {
            float[] silent = new float[spec.heads()];
            Arrays.fill(silent, -1e30f);
            t.put("blk." + l + ".attn_sinks.weight", new WeightTensor("blk." + l + ".attn_sinks.weight", GgmlType.F32,
                    new long[] {spec.heads()}, MemorySegment.ofArray(silent)));
        }
        Model.Options options = Model.Options.defaults().withThreads(1).withDeterministic(true);
        try (Model with = Model.load(RandomModelFactory.inMemory(spec), options);
             Model without = Model.load(new InMemoryModelSource("gpt-oss", RandomModelFactory.metadata(spec), t), options)) {
            float[] a = with.newSession(16).process(prompt);
            float[] b = without.newSession(16).process(prompt);
            assertThat(a).isNotEqualTo(b);
            assertThat(Arrays.stream(toDouble(b)).allMatch(Double::isFinite)).isTrue();
        }
    }

    /** One token selects {@code used} experts per block: only those are packed (read), the others stay untouched. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K"})
    void onlySelectedExpertsAreTouched(GgmlType type) {
        RandomModelFactory.Spec spec = qwen3moe(type);
        try (Model model = Model.load(RandomModelFactory.inMemory(spec), Model.Options.defaults().withThreads(2))) {
            for (LayerWeights l : model.weights().layers()) {
                assertThat(l.experts().gate().packedCount()).isZero();
            }
            Session s = model.newSession(16);
            s.process(new int[] {5});
            for (LayerWeights l : model.weights().layers()) {
                ExpertWeights e = l.experts();
                assertThat(e.gate().packedCount()).isEqualTo(2);
                assertThat(e.up().packedCount()).isEqualTo(2);
                assertThat(e.down().packedCount()).isEqualTo(2);
            }
            // more tokens reach more experts, never more than exist
            s.process(new int[] {1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13});
            for (LayerWeights l : model.weights().layers()) {
                assertThat(l.experts().gate().packedCount()).isBetween(2, 8);
            }
        }
    }

    /** A prompt processed in one batch gives the same logits, bit for bit, as token by token (grouping by expert). */
    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0", "Q4_K"})
    void batchedEqualsTokenByToken(GgmlType type) {
        for (RandomModelFactory.Spec spec : new RandomModelFactory.Spec[] {qwen3moe(type), mixtral(type), gptOss(type)}) {
            int[] prompt = {1, 17, 42, 3, 9, 60, 22, 5, 31, 8, 13, 50};
            Model.Options options = Model.Options.defaults().withThreads(2).withDeterministic(true).withBatchSize(8);
            try (Model model = Model.load(RandomModelFactory.inMemory(spec), options)) {
                float[] batched = model.newSession(32).process(prompt);
                Session one = model.newSession(32);
                float[] single = null;
                for (int t : prompt) {
                    single = one.process(new int[] {t});
                }
                assertThat(single).as(spec.architecture() + " " + type).containsExactly(batched);
                assertThat(Arrays.stream(toDouble(batched)).allMatch(Double::isFinite)).isTrue();
            }
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}

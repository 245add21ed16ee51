package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import org.junit.jupiter.api.Test;

/** F16 and Q8_0 KV caches: memory, refusals, and logits that do not depend on how the prompt was batched. */
class KvCacheTest {
    static final int VOCAB = 96;

    @Test
    void reducedCachesTakeHalfOrAboutAQuarterOfTheMemory() {
        ModelConfig c;
        try (Model m = Model.load(RandomModelFactory.inMemory(spec()), Model.Options.defaults())) {
            c = m.config();
        }
        long f32 = new KvCache(c, 64).byteSize();
        assertThat(f32).isEqualTo(2L * c.layers() * 64 * c.kvDim() * 4);
        assertThat(new KvCache(c, 64, KvCache.Type.F16).byteSize()).isEqualTo(f32 / 2);
        assertThat(new KvCache(c, 64, KvCache.Type.Q8_0).byteSize()).isEqualTo(f32 * 34 / 128);
    }

    @Test
    void q8NeedsHeadsOfWholeBlocksAndTypesAreNamed() {
        try (Model small = Model.load(RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA,
                GgmlType.Q8_0, VOCAB, 1)), Model.Options.defaults())) {
            assertThatThrownBy(() -> small.newSession(32, KvCache.Type.Q8_0))
                    .hasMessageContaining("multiple of 32").hasMessageContaining("16");
            assertThat(small.newSession(32, KvCache.Type.F16).contextSize()).isEqualTo(32);
        }
        assertThat(KvCache.Type.parse("Q8_0")).isEqualTo(KvCache.Type.Q8_0);
        assertThat(KvCache.Type.parse("f16")).isEqualTo(KvCache.Type.F16);
        assertThatThrownBy(() -> KvCache.Type.parse("q4_0")).hasMessageContaining("q4_0").hasMessageContaining("f16");
    }

    @Test
    void batchedAndTokenByTokenPromptsGiveTheSameBitsAndStayCloseToF32() {
        try (Model m = Model.load(RandomModelFactory.inMemory(spec()), Model.Options.defaults())) {
            int[] prompt = {1, 5, 9, 14, 20, 33, 41, 2, 7, 60};
            float[] reference = m.newSession(64).process(prompt);
            for (KvCache.Type type : new KvCache.Type[] {KvCache.Type.F16, KvCache.Type.Q8_0}) {
                float[] batched = m.newSession(64, type).process(prompt);
                Session one = m.newSession(64, type);
                float[] single = null;
                for (int t : prompt) {
                    single = one.process(new int[] {t});
                }
                assertThat(single).as(type.name()).containsExactly(batched);
                double worst = 0;
                for (int i = 0; i < reference.length; i++) {
                    worst = Math.max(worst, Math.abs(reference[i] - batched[i]));
                }
                assertThat(worst).as(type + " against the F32 cache").isLessThan(0.25).isPositive();
            }
        }
    }

    private static RandomModelFactory.Spec spec() {
        return RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q8_0, VOCAB, 3).withShape(128, 256, 2, 4, 2);
    }
}

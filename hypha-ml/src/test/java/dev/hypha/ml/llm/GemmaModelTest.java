package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufValueType;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gemma2/gemma3 in our engine alone: metadata read with llama.cpp's keys and defaults, what is refused, the sliding
 * window's reach, soft-capping, batch invariance and ggml's GELU table. Agreement with llama.cpp itself is
 * {@code GemmaAgreementTest}.
 */
class GemmaModelTest {
    static final int VOCAB = 64;

    @TempDir
    Path dir;

    static RandomModelFactory.Spec gemma2(int window) {
        return new RandomModelFactory.Spec(Architecture.GEMMA2, 64, 128, 2, 4, 2, 16, VOCAB, 256, GgmlType.F32, true, 7, window);
    }

    static RandomModelFactory.Spec gemma3(int layers, int window) {
        return new RandomModelFactory.Spec(Architecture.GEMMA3, 64, 128, layers, 4, 2, 32, VOCAB, 256, GgmlType.Q8_0, false, 7, window);
    }

    /** The spec's model with metadata values {@code put} and keys {@code removed}. */
    static InMemoryModelSource withMetadata(RandomModelFactory.Spec spec, Map<String, Object> put, String... removed) {
        Map<String, Object> m = new LinkedHashMap<>(RandomModelFactory.metadata(spec));
        m.putAll(put);
        for (String key : removed) {
            assertThat(m.remove(key)).as("metadata key %s", key).isNotNull();
        }
        return new InMemoryModelSource(spec.architecture().ggufName(), m, RandomModelFactory.tensors(spec));
    }

    static boolean[] sliding(ModelConfig c) {
        boolean[] out = new boolean[c.layers()];
        for (int l = 0; l < out.length; l++) {
            out[l] = c.traits().isSliding(l);
        }
        return out;
    }

    @Test
    void gemma2DefaultsAreLlamaCpps() {
        ModelConfig c = ModelConfig.from(withMetadata(gemma2(8), Map.of(), "gemma2.attention.sliding_window"));
        LayoutTraits t = c.traits();
        // attention.sliding_window absent: 4096; the caps as written by the factory
        assertThat(t.slidingWindow()).isEqualTo(4096);
        assertThat(sliding(c)).containsExactly(true, false);
        assertThat(t.embeddingScale()).isEqualTo((float) Math.sqrt(64f));
        assertThat(t.queryScale()).isEqualTo(1.0f / (float) Math.sqrt(16f));
        assertThat(t.attnSoftcap()).isEqualTo((float) RandomModelFactory.GEMMA2_ATTN_SOFTCAP);
        assertThat(t.finalSoftcap()).isEqualTo((float) RandomModelFactory.GEMMA2_FINAL_SOFTCAP);
        assertThat(t.ropeBaseSliding()).isEqualTo(c.ropeBase());
        assertThat(t.activation()).isEqualTo(LayoutTraits.Activation.GELU_TANH);
        assertThat(t.postNorms()).isTrue();

        ModelConfig noCaps = ModelConfig.from(withMetadata(gemma2(8), Map.of(),
                "gemma2.attn_logit_softcapping", "gemma2.final_logit_softcapping"));
        assertThat(noCaps.traits().attnSoftcap()).isEqualTo(50f);
        assertThat(noCaps.traits().finalSoftcap()).isEqualTo(30f);
    }

    @Test
    void gemma3PatternAndRopePerLayer() {
        ModelConfig c = ModelConfig.from(withMetadata(gemma3(6, 8), Map.of()));
        assertThat(sliding(c)).containsExactly(true, true, true, true, true, false);
        assertThat(c.traits().attnSoftcap()).isZero();
        assertThat(c.traits().finalSoftcap()).isZero();
        assertThat(c.traits().ropeBaseSliding()).isEqualTo(10000f);
        assertThat(c.traits().ropeFreqScaleSliding()).isEqualTo(1f);
        assertThat(c.ropeBase()).isEqualTo(1e6f);
        assertThat(c.ropeFreqScale()).isEqualTo(1f / 8);
        // head length 32 is not dim / heads (64 / 4)
        assertThat(c.headDim()).isEqualTo(32);
        assertThat(c.traits().queryScale()).isEqualTo(1.0f / (float) Math.sqrt(32f));

        ModelConfig pattern3 = ModelConfig.from(withMetadata(gemma3(6, 8), Map.of(
                "gemma3.attention.sliding_window_pattern", 3L), "gemma3.rope.freq_base_swa"));
        assertThat(sliding(pattern3)).containsExactly(true, true, false, true, true, false);
        assertThat(pattern3.traits().ropeBaseSliding()).isEqualTo(10000f);

        ModelConfig global = ModelConfig.from(withMetadata(gemma3(6, 0), Map.of()));
        assertThat(sliding(global)).containsOnly(false);
        assertThat(global.traits().hasSlidingLayers()).isFalse();
    }

    @Test
    void the27bModelsScaleQueriesByDimOverHeadsAsLlamaCppDoes() {
        // gemma3 27B: 62 layers, query_pre_attn_scalar = n_embd / n_head (here 64 / 4), not the head length (32)
        ModelConfig c = ModelConfig.from(withMetadata(gemma3(6, 8), Map.of("gemma3.block_count", 62L)));
        assertThat(c.traits().queryScale()).isEqualTo(0.25f);
        // gemma2 27B: 46 layers
        ModelConfig g2 = ModelConfig.from(withMetadata(gemma2(8), Map.of("gemma2.block_count", 46L)));
        assertThat(g2.traits().queryScale()).isEqualTo(0.25f);
        ModelConfig g2Small = ModelConfig.from(withMetadata(gemma2(8), Map.of("gemma2.block_count", 26L)));
        assertThat(g2Small.traits().queryScale()).isEqualTo(0.25f); // head length 16 = 64 / 4 here: both rules agree
        assertThat(ModelConfig.from(withMetadata(gemma3(6, 8), Map.of("gemma3.block_count", 34L))).traits().queryScale())
                .isEqualTo(1.0f / (float) Math.sqrt(32f));
    }

    @Test
    void refusesWhatItDoesNotRun() {
        Path file = dir.resolve("pattern-array.gguf");
        RandomModelFactory.write(gemma3(2, 8), Map.of("gemma3.attention.sliding_window_pattern",
                new GgufValue.Array(GgufValueType.BOOL, List.of(new GgufValue.Bool(true), new GgufValue.Bool(false)))), file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThatThrownBy(() -> Model.load(gguf, Model.Options.defaults().withThreads(1)))
                    .hasMessageContaining("gemma3.attention.sliding_window_pattern");
        }
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gemma3(2, 8), Map.of(
                "gemma3.rope.scaling.type", "llama3"))))
                .hasMessageContaining("rope.scaling.type 'llama3' is not supported for gemma3");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gemma3(2, 8), Map.of(
                "gemma3.rope.scaling.type", "yarn"))))
                .hasMessageContaining("rope.scaling.type 'yarn' is not supported for gemma3");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gemma3(2, 8), Map.of(
                "gemma3.attention.value_length", 64L))))
                .hasMessageContaining("attention.value_length (64) differs from attention.key_length (32)");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gemma2(8), Map.of(
                "gemma2.final_logit_softcapping", 0.0))))
                .hasMessageContaining("final_logit_softcapping must be positive for gemma2");
        assertThatThrownBy(() -> ModelConfig.from(withMetadata(gemma2(8), Map.of(
                "gemma2.attention.sliding_window", -1L))))
                .hasMessageContaining("gemma2.attention.sliding_window");

        Map<String, WeightTensor> tensors = new LinkedHashMap<>(RandomModelFactory.tensors(gemma2(8)));
        tensors.put("output.weight", tensors.get("token_embd.weight"));
        InMemoryModelSource untied = new InMemoryModelSource("gemma2", RandomModelFactory.metadata(gemma2(8)), tensors);
        assertThatThrownBy(() -> Model.load(untied, Model.Options.defaults().withThreads(1)))
                .hasMessageContaining("gemma2 ties its output to token_embd.weight");

        Map<String, WeightTensor> noNorm = new LinkedHashMap<>(RandomModelFactory.tensors(gemma3(2, 8)));
        noNorm.remove("blk.1.post_ffw_norm.weight");
        InMemoryModelSource missing = new InMemoryModelSource("gemma3", RandomModelFactory.metadata(gemma3(2, 8)), noNorm);
        assertThatThrownBy(() -> Model.load(missing, Model.Options.defaults().withThreads(1)))
                .hasMessageContaining("blk.1.post_ffw_norm.weight");
    }

    @Test
    void visionTensorsOfAGemma3FileAreIgnoredForText() {
        RandomModelFactory.Spec spec = gemma3(2, 8);
        Map<String, WeightTensor> tensors = new LinkedHashMap<>(RandomModelFactory.tensors(spec));
        tensors.put("mm.input_projection.weight", f32("mm.input_projection.weight", 32, 64));
        tensors.put("v.blk.0.attn_q.weight", f32("v.blk.0.attn_q.weight", 32, 32));
        int[] prompt = {1, 5, 9, 13};
        float[] withVision;
        try (Model m = Model.load(new InMemoryModelSource("gemma3", RandomModelFactory.metadata(spec), tensors),
                Model.Options.defaults().withThreads(1))) {
            withVision = m.newSession(32).process(prompt);
        }
        try (Model m = Model.load(RandomModelFactory.inMemory(spec), Model.Options.defaults().withThreads(1))) {
            assertThat(m.newSession(32).process(prompt)).isEqualTo(withVision);
        }
    }

    @Test
    void aTokenOutsideEveryWindowDoesNotChangeTheLogits() {
        // one layer, sliding (pattern 0: every layer local), window 4: the last token sees positions 6..9 only
        Map<String, Object> allLocal = Map.of("gemma3.attention.sliding_window_pattern", 0L);
        int[] a = {1, 20, 21, 22, 23, 24, 25, 26, 27, 28};
        int[] b = a.clone();
        b[0] = 2;
        b[3] = 40;
        try (Model m = Model.load(withMetadata(gemma3(1, 4), allLocal), Model.Options.defaults().withThreads(2))) {
            assertThat(m.config().traits().isSliding(0)).isTrue();
            assertThat(m.newSession(32).process(b)).isEqualTo(m.newSession(32).process(a));
            // within the window, a different token does change them
            int[] c = a.clone();
            c[7] = 40;
            assertThat(m.newSession(32).process(c)).isNotEqualTo(m.newSession(32).process(a));
        }
        // the same model without a window sees the whole prompt
        try (Model m = Model.load(withMetadata(gemma3(1, 0), allLocal), Model.Options.defaults().withThreads(2))) {
            assertThat(m.newSession(32).process(b)).isNotEqualTo(m.newSession(32).process(a));
        }
    }

    @Test
    void finalLogitsStayWithinTheCap() {
        float cap = (float) RandomModelFactory.GEMMA2_FINAL_SOFTCAP;
        try (Model m = Model.load(RandomModelFactory.inMemory(gemma2(8)), Model.Options.defaults().withThreads(1))) {
            float[] logits = m.newSession(32).process(new int[] {1, 2, 3, 4, 5});
            for (float l : logits) {
                assertThat(Math.abs(l)).isLessThanOrEqualTo(cap);
            }
            // and they are spread (not all pinned at the cap): the test models are meant to have peaked distributions
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
                min = Math.min(min, l);
            }
            assertThat(max - min).isGreaterThan(5f).isLessThan(2 * cap);
        }
    }

    @Test
    void batchesAndSplitsGiveTheSameBitsAcrossTheWindow() {
        int[] tokens = IntStream.range(0, 23).map(i -> (i * 7 + 3) % VOCAB).toArray();
        for (RandomModelFactory.Spec spec : List.of(gemma2(5), gemma3(3, 5).withType(GgmlType.Q4_0))) {
            InMemoryModelSource src = withMetadata(spec, spec.architecture() == Architecture.GEMMA3
                    ? Map.of("gemma3.attention.sliding_window_pattern", 2L) : Map.of());
            for (boolean deterministic : new boolean[] {false, true}) {
                float[] whole;
                try (Model m = Model.load(src, new Model.Options(1, deterministic, 32))) {
                    whole = m.newSession(32).process(tokens);
                }
                try (Model m = Model.load(src, new Model.Options(2, deterministic, 3))) {
                    Session s = m.newSession(32);
                    s.process(Arrays.copyOfRange(tokens, 0, 9));
                    for (int i = 9; i < tokens.length - 1; i++) {
                        s.process(new int[] {tokens[i]});
                    }
                    assertThat(s.process(new int[] {tokens[tokens.length - 1]})).as(spec.architecture() + " " + deterministic)
                            .isEqualTo(whole);
                }
            }
        }
    }

    @Test
    void geluFollowsGgmlsFp16Table() {
        float[] gate = {-12f, -10f, -1.5f, -0.001f, 0f, 0.5f, 1f, 3.3f, 9.99f, 10f, 20f};
        float[] up = new float[gate.length];
        Arrays.fill(up, 2f);
        float[] out = new float[gate.length];
        Gelu.geglu(gate, up, out, gate.length);
        assertThat(out[0]).isZero();
        assertThat(out[1]).isZero();
        assertThat(out[9]).isEqualTo(20f);
        assertThat(out[10]).isEqualTo(40f);
        for (int i = 2; i < 9; i++) {
            // the table: gate rounded to fp16, GELU in float, result rounded to fp16
            float g16 = Float.float16ToFloat(Float.floatToFloat16(gate[i]));
            float expected = Float.float16ToFloat(Float.floatToFloat16(Gelu.gelu(g16))) * 2f;
            assertThat(out[i]).as("gate %s", gate[i]).isEqualTo(expected);
            // and close to the exact tanh-GELU of the unrounded gate
            double x = gate[i];
            double exact = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))) * 2;
            assertThat((double) out[i]).isCloseTo(exact, org.assertj.core.data.Offset.offset(2e-3 * Math.max(1, Math.abs(exact))));
        }
        assertThat(Gelu.gelu(1f)).isCloseTo(0.841192f, org.assertj.core.data.Offset.offset(1e-5f));
    }

    private static WeightTensor f32(String name, int cols, int rows) {
        float[] x = new float[cols * rows];
        Arrays.fill(x, 0.5f);
        return new WeightTensor(name, GgmlType.F32, new long[] {cols, rows},
                MemorySegment.ofArray(TensorCodec.quantize(GgmlType.F32, x, 0, x.length)));
    }
}

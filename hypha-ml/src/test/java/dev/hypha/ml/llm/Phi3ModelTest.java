package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.WeightMatrix;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** phi3 in our engine alone: fused tensors split into views, LongRoPE chosen by context size, what is refused. */
class Phi3ModelTest {
    static RandomModelFactory.Spec phi3() {
        return new RandomModelFactory.Spec(Architecture.PHI3, 64, 128, 2, 4, 2, 16, 64, 256, GgmlType.Q8_0, false, 3);
    }

    @Test
    void readsLlamaCppsKeysAndSplitsTheFusedTensors() {
        try (Model m = Model.load(RandomModelFactory.inMemory(phi3()), Model.Options.defaults().withThreads(1))) {
            ModelConfig c = m.config();
            assertThat(c.ropeDim()).isEqualTo(12); // 3/4 of the head, as the factory writes phi3
            assertThat(c.traits().queryScale()).isEqualTo(0.25f);
            assertThat(c.traits().isSliding(0)).as("llama.cpp ignores phi3's sliding window").isFalse();
            assertThat(c.traits().ropeLongContext().originalContext()).isEqualTo(128);
            LayerWeights l = m.weights().layers().getFirst();
            assertThat(l.wq().rows()).isEqualTo(64);
            assertThat(l.wk().rows()).isEqualTo(32);
            assertThat(l.wv().rows()).isEqualTo(32);
            assertThat(l.gate().rows()).isEqualTo(128);
            assertThat(l.up().rows()).isEqualTo(128);
            // the views are the fused tensor's rows in order: v's first row is row qDim + kvDim of attn_qkv
            WeightTensor fused = RandomModelFactory.tensors(phi3()).get("blk.0.attn_qkv.weight");
            WeightMatrix all = new WeightMatrix("all", fused.type(), 128, 64, fused.data());
            float[] expected = new float[64];
            float[] actual = new float[64];
            all.dequantizeRow(96, expected, 0);
            l.wv().dequantizeRow(0, actual, 0);
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void longRopeFactorsApplyOnlyBeyondTheOriginalContext() {
        int[] prompt = {1, 7, 9, 11, 13, 2, 5};
        try (Model m = Model.load(RandomModelFactory.inMemory(phi3()), Model.Options.defaults().withThreads(1))) {
            float[] shortCtx = m.newSession(128).process(prompt);
            assertThat(m.newSession(64).process(prompt)).isEqualTo(shortCtx);
            assertThat(m.newSession(129).process(prompt)).isNotEqualTo(shortCtx);
            assertThat(m.newSession(256).process(prompt)).isEqualTo(m.newSession(129).process(prompt));
        }
    }

    @Test
    void refusesHalfALongRope() {
        Map<String, WeightTensor> tensors = new LinkedHashMap<>(RandomModelFactory.tensors(phi3()));
        tensors.remove("rope_factors_short.weight");
        InMemoryModelSource src = new InMemoryModelSource("phi3", RandomModelFactory.metadata(phi3()), tensors);
        assertThatThrownBy(() -> Model.load(src, Model.Options.defaults().withThreads(1)))
                .hasMessageContaining("rope_factors_long.weight and rope_factors_short.weight");
        Map<String, WeightTensor> wrongShape = new LinkedHashMap<>(RandomModelFactory.tensors(phi3()));
        wrongShape.put("blk.1.ffn_up.weight", wrongShape.get("blk.1.ffn_down.weight"));
        InMemoryModelSource bad = new InMemoryModelSource("phi3", RandomModelFactory.metadata(phi3()), wrongShape);
        assertThatThrownBy(() -> Model.load(bad, Model.Options.defaults().withThreads(1)))
                .hasMessageContaining("blk.1.ffn_up.weight").hasMessageContaining("[64, 256]");
    }
}

package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LoRA training changes only the adapter, lowers the loss, and gives the same bits on one and two threads. */
class LoraTrainingTest {
    static final int LENGTH = 16;
    static final int STEPS = 6;

    @Test
    void onlyTheAdapterChangesAndTheLossFalls() {
        Decoder base = LoraTestModels.frozen(LoraTestModels.CONFIG, 5);
        Map<String, float[]> before = new LinkedHashMap<>();
        base.named().forEach((name, t) -> before.put(name, t.data().clone()));
        LoraWeights adapter = LoraWeights.initialize(LoraTestModels.CONFIG, new LoraSettings(4, 8f, LoraSettings.DEFAULT_TARGETS), 1);
        List<float[]> adapterBefore = adapter.parameters().stream().map(t -> t.data().clone()).toList();
        int[] batch = repeatingBatch();
        try (Parallel parallel = new Parallel(2)) {
            LoraTraining training = new LoraTraining(base, adapter, new FloatMatMul(parallel), LENGTH, 0f, 1f);
            float first = training.loss(batch);
            for (int step = 0; step < STEPS; step++) {
                training.step(batch, 1e-2f, step);
            }
            assertThat(training.loss(batch)).as("loss on the trained batch").isLessThan(first - 0.1f);
        }
        base.named().forEach((name, t) -> assertThat(t.data()).as("frozen %s", name).isEqualTo(before.get(name)));
        assertThat(adapter.pairs().keySet()).containsExactly("blk.0.attn_q.weight", "blk.0.attn_v.weight",
                "blk.1.attn_q.weight", "blk.1.attn_v.weight");
        for (int i = 0; i < adapterBefore.size(); i++) {
            assertThat(adapter.parameters().get(i).data()).as("adapter tensor %d", i).isNotEqualTo(adapterBefore.get(i));
        }
    }

    @Test
    void oneAndTwoThreadsGiveTheSameAdapterBits() {
        assertThat(trainedBits(2)).isEqualTo(trainedBits(1));
    }

    @Test
    void aBaseWithTrainableTensorsIsRefused() {
        Decoder trainable = Decoder.initialize(LoraTestModels.CONFIG, 1);
        LoraWeights adapter = LoraWeights.initialize(LoraTestModels.CONFIG, new LoraSettings(2, 2f, EnumSet.of(LoraTarget.Q)), 1);
        try (Parallel parallel = new Parallel(1)) {
            assertThatThrownBy(() -> new LoraTraining(trainable, adapter, new FloatMatMul(parallel), LENGTH, 0f, 1f))
                    .hasMessageContaining("frozen");
        }
    }

    private static List<String> trainedBits(int threads) {
        Decoder base = LoraTestModels.frozen(LoraTestModels.CONFIG, 5);
        LoraWeights adapter = LoraWeights.initialize(LoraTestModels.CONFIG,
                new LoraSettings(4, 8f, EnumSet.allOf(LoraTarget.class)), 1);
        List<String> out = new ArrayList<>();
        try (Parallel parallel = new Parallel(threads)) {
            LoraTraining training = new LoraTraining(base, adapter, new FloatMatMul(parallel), LENGTH, 0.01f, 1f);
            for (int step = 0; step < 3; step++) {
                float loss = training.step(repeatingBatch(), 1e-2f, step);
                StringBuilder s = new StringBuilder("loss " + Float.floatToRawIntBits(loss));
                for (Tensor t : adapter.parameters()) {
                    s.append(' ').append(Arrays.hashCode(t.data()));
                }
                for (float[] m : training.optimizerState()) {
                    s.append(' ').append(Arrays.hashCode(m));
                }
                out.add(s.toString());
            }
        }
        return out;
    }

    /** Four windows of a short repeating random pattern: easy to learn, so a few steps visibly lower the loss. */
    static int[] repeatingBatch() {
        SplittableRandom r = new SplittableRandom(9);
        int[] pattern = new int[5];
        Arrays.setAll(pattern, i -> r.nextInt(LoraTestModels.CONFIG.vocabSize()));
        int[] batch = new int[4 * (LENGTH + 1)];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = pattern[(i + i / (LENGTH + 1)) % pattern.length];
        }
        return batch;
    }
}

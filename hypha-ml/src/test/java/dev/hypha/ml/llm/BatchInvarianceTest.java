package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.tensor.GgmlType;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** However a token sequence is split into calls and batches, the logits after it are the same bits. */
class BatchInvarianceTest {
    static InMemoryModelSource source;

    @BeforeContainer
    static void build() {
        source = RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q4_0, 64, 29));
    }

    @AfterContainer
    static void release() {
        source = null;
    }

    @Provide
    Arbitrary<int[]> tokens() {
        return Arbitraries.integers().between(0, 63).array(int[].class).ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 25)
    void splitsAndBatchSizesDoNotChangeLogits(@ForAll("tokens") int[] tokens, @ForAll @IntRange(min = 1, max = 7) int batch,
                                              @ForAll @IntRange(min = 0, max = 19) int split, @ForAll boolean deterministic) {
        int cut = Math.min(split, tokens.length - 1);
        float[] whole;
        try (Model m = Model.load(source, new Model.Options(1, deterministic, 16))) {
            whole = m.newSession(32).process(tokens);
        }
        try (Model m = Model.load(source, new Model.Options(2, deterministic, batch))) {
            Session s = m.newSession(32);
            if (cut > 0) {
                s.process(Arrays.copyOfRange(tokens, 0, cut));
            }
            assertThat(s.process(Arrays.copyOfRange(tokens, cut, tokens.length))).isEqualTo(whole);
        }
    }
}

package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.tensor.GgmlType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    static final int VOCAB = 96;
    static Model model;

    /** Token i decodes to a letter and a space; token 95 ends generation; token 94 is the first half of "é". */
    static final TokenDecoder DECODER = new TokenDecoder() {
        @Override
        public byte[] bytes(int token) {
            if (token == 94) {
                return new byte[] {(byte) 0xC3};
            }
            if (token == 93) {
                return new byte[] {(byte) 0xA9};
            }
            return ((char) ('a' + token % 26) + " ").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return token == 95;
        }
    };

    @BeforeAll
    static void load() {
        model = Model.load(RandomModelFactory.inMemory(RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.Q8_0, VOCAB, 13)),
                Model.Options.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyGenerationIsStableAndStreamsEveryToken() {
        StringBuilder streamed = new StringBuilder();
        Generator.Result a = new Generator(model.newSession(64), DECODER).generate(new int[] {1, 2, 3}, Generator.Options.greedy(12),
                (token, text) -> streamed.append(text));
        Generator.Result b = new Generator(model.newSession(64), DECODER).generate(new int[] {1, 2, 3}, Generator.Options.greedy(12),
                (token, text) -> { });
        assertThat(a.tokens()).isEqualTo(b.tokens());
        assertThat(streamed.toString()).isEqualTo(a.text());
        assertThat(a.stats().promptTokens()).isEqualTo(3);
        assertThat(a.stats().generatedTokens()).isEqualTo(a.tokens().length);
        if (a.stopReason() == Generator.StopReason.MAX_TOKENS) {
            assertThat(a.tokens()).hasSize(12);
        } else {
            assertThat(a.stopReason()).isEqualTo(Generator.StopReason.END_OF_GENERATION);
        }
    }

    @Test
    void stopSequencesEndGenerationAndAreNeverStreamed() {
        Generator.Result full = new Generator(model.newSession(64), DECODER).generate(new int[] {4, 5}, Generator.Options.greedy(10), (t, s) -> { });
        assertThat(full.text().length()).isGreaterThan(6);
        String stop = full.text().substring(3, 6);
        int expectedEnd = full.text().indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        Generator.Result cut = new Generator(model.newSession(64), DECODER).generate(new int[] {4, 5},
                new Generator.Options(10, SamplingOptions.greedy(), List.of("zzz-never", stop)), (t, s) -> streamed.append(s));
        assertThat(cut.stopReason()).isEqualTo(Generator.StopReason.STOP_SEQUENCE);
        assertThat(cut.text()).isEqualTo(full.text().substring(0, expectedEnd));
        assertThat(streamed.toString()).isEqualTo(cut.text());
    }

    @Test
    void aFullContextEndsGenerationAndAnOversizedPromptIsRefused() {
        Generator.Result r = new Generator(model.newSession(6), DECODER).generate(new int[] {1, 2, 3, 4}, Generator.Options.greedy(50), (t, s) -> { });
        assertThat(r.stopReason()).isIn(Generator.StopReason.CONTEXT_FULL, Generator.StopReason.END_OF_GENERATION);
        assertThat(r.tokens().length).isLessThanOrEqualTo(3);
        assertThatThrownBy(() -> new Generator(model.newSession(4), DECODER).generate(new int[] {1, 2, 3, 4, 5}, Generator.Options.greedy(5), (t, s) -> { }))
                .isInstanceOf(ContextOverflowException.class);
    }

    @Test
    void seededSamplingIsReproducible() {
        Generator.Options o = new Generator.Options(16, SamplingOptions.defaults().withTemperature(1.5f).withSeed(77), List.of());
        int[] a = new Generator(model.newSession(64), DECODER).generate(new int[] {7}, o, (t, s) -> { }).tokens();
        int[] b = new Generator(model.newSession(64), DECODER).generate(new int[] {7}, o, (t, s) -> { }).tokens();
        assertThat(a).isEqualTo(b);
    }

    @Test
    void utf8CharactersSplitAcrossTokensAreHeldUntilComplete() {
        Utf8Stream s = new Utf8Stream();
        assertThat(s.push(DECODER.bytes(94))).isEmpty();
        assertThat(s.push(DECODER.bytes(93))).isEqualTo("é");
        assertThat(s.push(new byte[] {(byte) 0xE2, (byte) 0x82})).isEmpty();
        assertThat(s.push(new byte[] {(byte) 0xAC, 'x'})).isEqualTo("€x");
        assertThat(s.push(new byte[] {(byte) 0xF0})).isEmpty();
        assertThat(s.flush()).isEqualTo("\uFFFD");
    }

    @Test
    void embeddingsAreUnitLengthAndReproducible() {
        Embedder e = new Embedder(model);
        float[] a = e.embed(new int[] {3, 4, 5});
        double norm = 0;
        for (float f : a) {
            norm += f * f;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(e.embed(new int[] {3, 4, 5})).isEqualTo(a);
        assertThat(e.embed(new int[] {3, 4, 6})).isNotEqualTo(a);
        assertThatThrownBy(() -> e.embed(new int[0])).hasMessageContaining("empty");
    }
}

package dev.hypha.ml.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Vocabularies from a hostile or broken file (random token texts, types, scores, merges naming absent tokens, special
 * ids out of range): building either succeeds or fails with a {@link TokenizerException}; encoding any text then only
 * yields ids inside the vocabulary and decoding never throws.
 */
class HostileVocabularyTest {

    @Property(tries = 300)
    void brokenVocabulariesNeverCrashEncodingOrDecoding(@ForAll("configs") TokenizerConfig config,
                                                        @ForAll @StringLength(max = 40) String text) {
        Tokenizer t;
        try {
            t = Tokenizer.create(config);
        } catch (TokenizerException rejected) {
            return;
        }
        for (boolean special : new boolean[] {false, true}) {
            int[] ids = t.encode(text, special, special);
            for (int id : ids) {
                assertThat(id).isBetween(0, t.vocabSize() - 1);
            }
            t.decode(ids);
            t.decode(ids, false, true);
            for (int id : ids) {
                t.decodeBytes(id);
            }
        }
    }

    @Provide
    Arbitrary<TokenizerConfig> configs() {
        Arbitrary<String> token = Arbitraries.oneOf(List.of(
                Arbitraries.strings().withChars("ab▁ <>|/s0xĠ\n").ofMinLength(0).ofMaxLength(6),
                Arbitraries.of("<s>", "</s>", "<unk>", "<0x41>", "<0xZZ>", "<|im_end|>", "<|endoftext|>", "▁", "Ġ")));
        Arbitrary<List<String>> tokens = token.list().ofMinSize(1).ofMaxSize(30).map(l -> new ArrayList<>(new LinkedHashSet<>(l)));
        return tokens.flatMap(toks -> {
            int n = toks.size();
            Arbitrary<int[]> types = Arbitraries.integers().between(-1, 8).array(int[].class).ofSize(n);
            Arbitrary<float[]> scores = Arbitraries.floats().between(-100, 100).array(float[].class).ofSize(n);
            Arbitrary<List<String>> merges = Arbitraries.strings().withChars("ab▁ Ġ<>").ofMaxLength(6).list().ofMaxSize(20);
            Arbitrary<OptionalInt> id = Arbitraries.integers().between(-2, n + 2)
                    .map(i -> i < 0 ? OptionalInt.empty() : OptionalInt.of(i));
            Arbitrary<String> model = Arbitraries.of("llama", "gpt2");
            Arbitrary<String> pre = Arbitraries.of("default", "qwen2", "llama-bpe", "gpt-2", "smollm");
            Arbitrary<Optional<Boolean>> flag = Arbitraries.of(Optional.empty(), Optional.of(true), Optional.of(false));
            List<Arbitrary<Object>> parts = List.of(types.map(x -> (Object) x), scores.map(x -> (Object) x),
                    merges.map(x -> (Object) x), id.map(x -> (Object) x), id.map(x -> (Object) x), model.map(x -> (Object) x),
                    pre.map(x -> (Object) x), flag.map(x -> (Object) x), flag.map(x -> (Object) x));
            return net.jqwik.api.Combinators.combine(parts)
                    .as(v -> new TokenizerConfig((String) v.get(5), Optional.of((String) v.get(6)), toks, (float[]) v.get(1),
                            (int[]) v.get(0), castList(v.get(2)), (OptionalInt) v.get(3), (OptionalInt) v.get(4),
                            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), castFlag(v.get(7)),
                            castFlag(v.get(8)), Optional.empty(), Optional.empty()));
        });
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    @SuppressWarnings("unchecked")
    private static Optional<Boolean> castFlag(Object o) {
        return (Optional<Boolean>) o;
    }
}

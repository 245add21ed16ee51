package dev.hypha.ml.tokenizer;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Small hand-made vocabularies whose expected tokenizations can be worked out from llama.cpp's algorithms. */
final class TokenizerFixtures {
    private TokenizerFixtures() {}

    static TokenizerConfig spm(List<String> tokens, float[] scores, int[] types) {
        return new TokenizerConfig("llama", Optional.empty(), tokens, scores, types, List.of(),
                OptionalInt.of(1), OptionalInt.of(2), OptionalInt.of(0), OptionalInt.empty(), OptionalInt.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static TokenizerConfig bpe(String pre, List<String> tokens, int[] types, List<String> merges) {
        return new TokenizerConfig("gpt2", Optional.of(pre), tokens, new float[0], types, merges,
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
                Optional.of(false), Optional.of(false), Optional.empty(), Optional.empty());
    }
}

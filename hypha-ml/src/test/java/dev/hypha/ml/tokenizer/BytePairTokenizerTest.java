package dev.hypha.ml.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.testmodel.TestVocabularies.BpeStyle;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class BytePairTokenizerTest {
    static final Tokenizer QWEN = Tokenizer.create(TestVocabularies.byteLevelBpe(3000, BpeStyle.QWEN2));
    static final Tokenizer LLAMA3 = Tokenizer.create(TestVocabularies.byteLevelBpe(3000, BpeStyle.LLAMA3));

    // --- pre-tokenizers: expected splits worked out from the regexes in llama.cpp's llm_tokenizer_bpe ---

    @Test
    void llama3SplitsContractionsCaseInsensitivelyAndDigitsInThrees() {
        PreTokenizer p = PreTokenizer.named("llama-bpe");
        assertThat(p.split("I'M here, 12345 apples!!\n\n  ok"))
                .containsExactly("I", "'M", " here", ",", " ", "123", "45", " apples", "!!\n\n", " ", " ok");
    }

    @Test
    void qwen2SplitsEveryDigit() {
        PreTokenizer p = PreTokenizer.named("qwen2");
        assertThat(p.split("a 2024 b")).containsExactly("a", " ", "2", "0", "2", "4", " b");
    }

    @Test
    void gpt2ContractionsAreCaseSensitiveAndSpacesAttachToTheNextWord() {
        PreTokenizer p = PreTokenizer.named("gpt-2");
        assertThat(p.split("it's IT'S  x")).containsExactly("it", "'s", " IT", "'", "S", " ", " x");
    }

    @Test
    void defaultPreTokenizerAppliesItsFourRegexesInTurn() {
        PreTokenizer p = PreTokenizer.named("default");
        // punctuation runs split first; the gpt2 regex keeps " 1234"; "\p{N}+" then splits the space off (the gap
        // between matches is kept as a piece) and "[0-9][0-9][0-9]" cuts the digits into 123 | 4
        assertThat(p.split("hi!! 1234")).containsExactly("hi", "!!", " ", "123", "4");
    }

    @Test
    void unknownPreTokenizerIsNamed() {
        assertThatThrownBy(() -> PreTokenizer.named("klingon"))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("'klingon'").hasMessageContaining("qwen2");
    }

    // --- merging ---

    /** Merges ranked: "a b" (0), "b c" (1), "ab c" (2); "Ġa" absent. */
    static Tokenizer tiny(String pre) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteUnicode.charFor(b)));
        }
        tokens.addAll(List.of("ab", "bc", "abc", "<|end|>"));
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, TokenType.NORMAL.id());
        types[types.length - 1] = TokenType.CONTROL.id();
        return Tokenizer.create(TokenizerFixtures.bpe(pre, tokens, types, List.of("a b", "b c", "ab c")));
    }

    @Test
    void mergesLowestRankFirst() {
        Tokenizer t = tiny("qwen2");
        // "abc": a+b (rank 0) before b+c (rank 1), then ab+c (rank 2)
        assertThat(t.encode("abc", false, false)).containsExactly(256 + 2);
        // "bcab": b+c and a+b both apply; results bc, ab (no merge "bc ab")
        assertThat(t.encode("bcab", false, false)).containsExactly(256 + 1, 256);
        // " ab" is one word "Ġab"; only "a b" applies, and no merge joins "Ġ" with "ab"
        assertThat(t.encode(" ab", false, false)).containsExactly(id(t, "Ġ"), 256);
    }

    @Test
    void controlTokensNeedParseSpecialAndRenderOnlyWhenAsked() {
        Tokenizer t = tiny("qwen2");
        int end = t.vocabSize() - 1;
        assertThat(t.encode("ab<|end|>", false, true)).containsExactly(256, end);
        assertThat(t.encode("ab<|end|>", false, false)).doesNotContain(end);
        assertThat(t.isEndOfGeneration(end)).isTrue(); // "<|end|>" is one of llama.cpp's end-of-generation texts
        assertThat(t.eot()).hasValue(end);
        assertThat(t.decode(new int[] {256, end})).isEqualTo("ab");
        assertThat(new String(t.decodeBytes(end), StandardCharsets.UTF_8)).isEqualTo("<|end|>");
    }

    @Test
    void llama3IgnoresMergesForWholeWordTokens() {
        // with ignore_merges a word that is itself a token is emitted whole even if merges would split it differently
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteUnicode.charFor(b)));
        tokens.add("ab");
        tokens.add("abc");
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, TokenType.NORMAL.id());
        TokenizerConfig c = TokenizerFixtures.bpe("llama-bpe", tokens, types, List.of("a b"));
        assertThat(Tokenizer.create(c).encode("abc", false, false)).containsExactly(257);
        TokenizerConfig q = TokenizerFixtures.bpe("qwen2", tokens, types, List.of("a b"));
        assertThat(Tokenizer.create(q).encode("abc", false, false)).containsExactly(256, 'c');
    }

    @Test
    void gpt2StyleDecodingCleansSpacesBeforePunctuation() {
        Tokenizer t = tiny("gpt-2");
        assertThat(t.decode(t.encode("a , b .", false, false))).isEqualTo("a, b.");
        Tokenizer q = tiny("qwen2"); // qwen2 keeps them (clean_spaces = false)
        assertThat(q.decode(q.encode("a , b .", false, false))).isEqualTo("a , b .");
    }

    @Test
    void multiByteCharactersStreamAsBytes() {
        String s = "naïve 😀 漢字";
        int[] ids = QWEN.encode(s, false, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(QWEN.decodeBytes(id));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(s);
        assertThat(QWEN.decode(ids)).isEqualTo(s);
    }

    @Test
    void addSpecialFollowsTheModelFlags() {
        assertThat(LLAMA3.encode("hi", true, false)[0]).isEqualTo(LLAMA3.bos());
        assertThat(LLAMA3.encode("hi", false, false)[0]).isNotEqualTo(LLAMA3.bos());
        assertThat(QWEN.encode("hi", true, false)).isEqualTo(QWEN.encode("hi", false, false)); // qwen2 adds no BOS
        assertThat(QWEN.encode("", true, false)).isEmpty();
        int imEnd = QWEN.eos();
        assertThat(QWEN.tokenText(imEnd)).isEqualTo("<|im_end|>");
        assertThat(QWEN.encode("<|im_start|>user\nhi<|im_end|>", false, true)).endsWith(imEnd);
    }

    @Test
    void fortunesRoundTripAndCompression() {
        String text = FortunesCorpus.text().substring(0, 300_000);
        for (Tokenizer t : List.of(QWEN, LLAMA3)) {
            assertThat(t.encode(text, false, false).length).isLessThan(text.length() / 2);
        }
        assertThat(QWEN.decode(QWEN.encode(text, false, false))).isEqualTo(text);
        // llama-bpe decodes with clean_up_tokenization_spaces, which only ever drops spaces
        String cleaned = LLAMA3.decode(LLAMA3.encode(text, false, false));
        assertThat(cleaned.replace(" ", "")).isEqualTo(text.replace(" ", ""));
    }

    @Test
    void megabyteInput() {
        String big = FortunesCorpus.text().substring(0, 1 << 20);
        int[] ids = QWEN.encode(big, false, false);
        assertThat(QWEN.decode(ids)).isEqualTo(big);
    }

    @Test
    void missingMergesAndUnknownModelsAreClearErrors() {
        List<String> tokens = List.of("a", "b");
        int[] types = {1, 1};
        assertThatThrownBy(() -> Tokenizer.create(TokenizerFixtures.bpe("qwen2", tokens, types, List.of())))
                .hasMessageContaining("tokenizer.ggml.merges");
        TokenizerConfig rwkv = new TokenizerConfig("rwkv", java.util.Optional.empty(), tokens, new float[0], types,
                List.of(), java.util.OptionalInt.empty(), java.util.OptionalInt.empty(), java.util.OptionalInt.empty(),
                java.util.OptionalInt.empty(), java.util.OptionalInt.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
        assertThatThrownBy(() -> Tokenizer.create(rwkv)).hasMessageContaining("'rwkv'");
        assertThatThrownBy(() -> Tokenizer.create(TokenizerFixtures.bpe("qwen2", List.of("a", "a"), types, List.of("a a"))))
                .hasMessageContaining("duplicate token");
    }

    @Property(tries = 300)
    void anyTextRoundTripsByteExactly(@ForAll @StringLength(max = 60) String s) {
        String text = BaseTokenizer.replaceLoneSurrogates(s);
        assertThat(QWEN.decode(QWEN.encode(text, false, false))).isEqualTo(text);
        assertThat(QWEN.decode(QWEN.encode(text, false, true))).isEqualTo(text.replace("<|im_start|>", "")
                .replace("<|im_end|>", "").replace("<|endoftext|>", ""));
    }

    static int id(Tokenizer t, String text) {
        for (int i = 0; i < t.vocabSize(); i++) {
            if (t.tokenText(i).equals(text)) return i;
        }
        throw new AssertionError("no token " + text);
    }
}

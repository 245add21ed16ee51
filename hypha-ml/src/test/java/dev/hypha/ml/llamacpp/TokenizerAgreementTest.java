package dev.hypha.ml.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.testmodel.TestVocabularies.BpeStyle;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our tokenizers and llama.cpp's give the same ids for a varied corpus (fortunes, code, many scripts, emoji,
 * whitespace runs, digits, special-token texts), with special-token parsing on and off, and the same text back.
 * The vocabularies are the fortunes-trained test vocabularies, written into tiny models llama.cpp loads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenizerAgreementTest {
    /** Every this many fortunes goes into the corpus (a few hundred of them). */
    private static final int FORTUNE_STRIDE = 60;

    @TempDir
    Path dir;
    LlamaCppDriver llama;
    List<String> corpus;

    @BeforeAll
    void start() {
        llama = LlamaCppDriver.start();
        corpus = corpus();
    }

    @AfterAll
    void stop() {
        llama.close();
    }

    static Stream<Arguments> vocabularies() {
        return Stream.of(
                Arguments.of("spm (llama)", (java.util.function.Supplier<TokenizerConfig>) () -> TestVocabularies.sentencePiece(2000)),
                Arguments.of("bpe qwen2", (java.util.function.Supplier<TokenizerConfig>) () -> TestVocabularies.byteLevelBpe(2000, BpeStyle.QWEN2)),
                Arguments.of("bpe llama-bpe", (java.util.function.Supplier<TokenizerConfig>) () -> TestVocabularies.byteLevelBpe(2000, BpeStyle.LLAMA3)),
                Arguments.of("bpe gpt-2", (java.util.function.Supplier<TokenizerConfig>) () -> TestVocabularies.byteLevelBpe(2000, BpeStyle.GPT2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabularies")
    void sameIdsAndTextAsLlamaCpp(String name, java.util.function.Supplier<TokenizerConfig> vocabulary) {
        TokenizerConfig vocab = vocabulary.get();
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.LLAMA, GgmlType.F32, vocab.size(), 1);
        Path file = dir.resolve(name.replaceAll("[^a-z0-9]+", "-") + ".gguf");
        RandomModelFactory.write(spec, AgreementModels.tokenizerMetadata(vocab), file);
        Tokenizer ours = Tokenizer.create(vocab);
        llama.load(file, 1, 64);

        assertThat(corpus).hasSizeGreaterThan(200);
        List<List<int[]>> bySpecial = new ArrayList<>();
        for (boolean special : new boolean[] {false, true}) {
            List<int[]> theirs = llama.tokenize(corpus, special);
            bySpecial.add(theirs);
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) {
                int[] mine = ours.encode(corpus.get(i), false, special);
                if (!Arrays.equals(mine, theirs.get(i))) {
                    mismatches.add(String.format("%s%n    ours      %s%n    llama.cpp %s", escape(corpus.get(i)),
                            Arrays.toString(mine), Arrays.toString(theirs.get(i))));
                }
            }
            assertThat(mismatches).as("%s, parse special %s: texts tokenized differently", name, special).isEmpty();
        }
        // The flag reached llama.cpp: some special-token text (e.g. "<s>" or "<|im_start|>") tokenizes differently.
        assertThat(java.util.stream.IntStream.range(0, corpus.size())
                .filter(i -> !Arrays.equals(bySpecial.get(0).get(i), bySpecial.get(1).get(i))).count())
                .as("texts whose ids depend on special-token parsing").isPositive();

        List<int[]> ids = corpus.stream().map(text -> ours.encode(text, false, false)).toList();
        List<String> theirText = llama.detokenize(ids, false);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ours.decode(ids.get(i))).as("%s: decode of %s", name, escape(corpus.get(i)))
                    .isEqualTo(theirText.get(i));
        }
    }

    /** Fortunes plus hand-picked hard cases. */
    static List<String> corpus() {
        List<String> texts = new ArrayList<>(List.of(
                "", " ", "  ", "\n", "\t", " \n ", "hello", " hello", "  hello  ", "Hello, World!", "HELLO world",
                "don't I'll we've they're it's JOHN'S", "a  b   c    d\t\te\n\nf\r\ng",
                "trailing spaces   ", "\n\n\nleading newlines", "mixed \t\n whitespace \u00a0 nbsp",
                "1234567890", "3.14159 2,718 1,000,000 0x1F 1e-9 -42 +7", "12 123 1234 12345 123456", "phone: 555-0100",
                "int main(void) {\n    printf(\"%d\\n\", 42);\n    return 0;\n}\n",
                "def f(x):\n\treturn [i ** 2 for i in range(x) if i % 2 == 0]  # squares\n",
                "{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\"}}",
                "for f in *.gguf; do sha256sum \"$f\" | cut -c1-12; done",
                "https://example.org/path?q=a+b&x=%20#frag", "user@example.com",
                "caf\u00e9 na\u00efve r\u00e9sum\u00e9 e\u0301 (combining)", "Stra\u00dfe \u00c5ngstr\u00f6m \u0141\u00f3d\u017a",
                "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3002\u6f22\u5b57\u3068\u304b\u306a\u3002",
                "\u4e2d\u6587\u6587\u672c\uff0c\u6807\u70b9\u7b26\u53f7\u3002", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
                "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0646\u0635", "\u05e2\u05d1\u05e8\u05d9\u05ea",
                "\u0939\u093f\u0928\u094d\u0926\u0940 \u092a\u093e\u0920", "\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442",
                "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22",
                "emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud83c\uddef\ud83c\uddf5",
                "math \u2211 \u221e \u2260 \u2264 \u03c0\u00b2 \u221a2", "!!!???... ---- ==== **** ____ ~~~~",
                "<s>", "</s>", "<unk>", "<s> hi </s>", "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>\n",
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", "a<|im_end|>b",
                "\u2581already \u2581has \u2581markers", "\u0120gpt2 \u010a byte chars", "<0x0A> literal"));
        Path dir = FortunesCorpus.directory();
        int n = 0;
        for (Path file : FortunesCorpus.files(dir)) {
            for (String fortune : read(file).split("\n%\n")) {
                if (n++ % FORTUNE_STRIDE == 0 && !fortune.isBlank()) {
                    texts.add(fortune);
                }
            }
        }
        return texts;
    }

    private static String read(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "\"";
    }
}

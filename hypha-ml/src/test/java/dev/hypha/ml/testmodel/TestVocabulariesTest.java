package dev.hypha.ml.testmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufValueType;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.testmodel.TestVocabularies.BpeStyle;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestVocabulariesTest {

    @Test
    void sentencePieceVocabularyHasTheLlamaLayoutAndExactSize() {
        TokenizerConfig c = TestVocabularies.sentencePiece(2000);
        assertThat(c.size()).isEqualTo(2000);
        assertThat(c.model()).isEqualTo("llama");
        assertThat(c.tokens().subList(0, 4)).containsExactly("<unk>", "<s>", "</s>", "<0x00>");
        assertThat(c.tokens().get(3 + 0x0A)).isEqualTo("<0x0A>");
        assertThat(new HashSet<>(c.tokens())).hasSize(2000);
        assertThat(c.tokens()).contains("\u2581the", "\u2581a");
        // learned pieces score higher the earlier they were merged
        int the = c.tokens().indexOf("\u2581the");
        assertThat(c.scores()[the]).isGreaterThan(c.scores()[1999]);
    }

    @Test
    void byteLevelVocabularyHasAllBytesMergesAndSpecials() {
        TokenizerConfig c = TestVocabularies.byteLevelBpe(1000);
        assertThat(c.size()).isEqualTo(1000);
        assertThat(c.model()).isEqualTo("gpt2");
        assertThat(c.pre()).contains("qwen2");
        assertThat(c.merges()).isNotEmpty();
        assertThat(c.tokens().subList(997, 1000)).containsExactly("<|endoftext|>", "<|im_start|>", "<|im_end|>");
        assertThat(c.tokens()).contains("\u0120the"); // "Ġthe"
        assertThat(new HashSet<>(c.tokens())).hasSize(1000);
        // every merge's parts and result are tokens
        var tokens = new HashSet<>(c.tokens());
        for (String m : c.merges()) {
            String[] p = m.split(" ", 2);
            assertThat(tokens).contains(p[0], p[1], p[0] + p[1]);
        }
    }

    @Test
    void trainingIsDeterministic() {
        // build twice without the cache by using sizes not used elsewhere, compare token lists
        TokenizerConfig a = TestVocabularies.byteLevelBpe(700, BpeStyle.GPT2);
        TokenizerConfig b = TestVocabularies.byteLevelBpe(701, BpeStyle.GPT2);
        assertThat(b.tokens().subList(0, 699)).isEqualTo(a.tokens().subList(0, 699));
        assertThat(b.merges().subList(0, a.merges().size())).isEqualTo(a.merges());
    }

    @Test
    void tooSmallSizesAreRejectedWithTheMinimum() {
        assertThatThrownBy(() -> TestVocabularies.sentencePiece(100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs at least");
        assertThatThrownBy(() -> TestVocabularies.byteLevelBpe(200))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 259");
    }

    @Test
    void writtenMetadataHasTheTypesLlamaCppRequiresAndReadsBack() {
        TokenizerConfig c = TestVocabularies.byteLevelBpe(800, BpeStyle.LLAMA3);
        byte[] image = c.writeTo(new GgufWriter().put("general.architecture", "llama")).toByteArray();
        try (GgufFile g = GgufFile.parse(image, "vocab")) {
            assertThat(g.value("tokenizer.ggml.bos_token_id").orElseThrow()).isInstanceOf(GgufValue.UInt32.class);
            assertThat(g.value("tokenizer.ggml.add_bos_token")).contains(new GgufValue.Bool(true));
            assertThat(((GgufValue.Array) g.value("tokenizer.ggml.token_type").orElseThrow()).elementType())
                    .isEqualTo(GgufValueType.INT32);
            assertThat(g.string("tokenizer.ggml.pre")).contains("llama-bpe");
            TokenizerConfig back = TokenizerConfig.fromGguf(g);
            assertThat(back.tokens()).isEqualTo(c.tokens());
            assertThat(back.merges()).isEqualTo(c.merges());
            Tokenizer t = Tokenizer.fromGguf(g);
            assertThat(t.bos()).isEqualTo(c.tokens().indexOf("<|begin_of_text|>"));
            assertThat(t.eot()).hasValue(c.tokens().indexOf("<|eot_id|>"));
            int[] ids = t.encode("Hello world", true, false);
            assertThat(ids[0]).isEqualTo(t.bos());
            assertThat(t.decode(ids)).isEqualTo("Hello world");
        }
    }

    @Test
    void corpusFilesSkipIndexesAndLinks() {
        List<java.nio.file.Path> files = FortunesCorpus.files(FortunesCorpus.directory());
        assertThat(files).isNotEmpty().isSorted();
        assertThat(files).noneMatch(p -> p.toString().endsWith(".dat") || p.toString().endsWith(".u8"));
    }

    @Test
    void missingCorpusSaysHowToInstallIt() {
        assertThatThrownBy(() -> FortunesCorpus.files(java.nio.file.Path.of("/nonexistent/fortunes")))
                .hasMessageContaining("apt-get install fortunes");
    }
}

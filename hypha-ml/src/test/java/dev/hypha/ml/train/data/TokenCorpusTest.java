package dev.hypha.ml.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCorpusTest {
    private static final Tokenizer TOKENIZER = Tokenizer.create(TestVocabularies.sentencePiece(400));
    private static final int EOS = TestVocabularies.SPM_EOS;

    @Test
    void everyNthDocumentIsHeldOutWholeEachEndingInEos() {
        List<String> docs = List.of("The cat sat.\n", "A dog barked.\n", "Fish swim.\n", "Birds fly south.\n", "Rain falls.\n");
        TokenCorpus corpus = TokenCorpus.of(docs, TOKENIZER, EOS, 2);
        assertThat(corpus.heldOut()).isEqualTo(concat(docs.get(0), docs.get(2), docs.get(4)));
        assertThat(corpus.train()).isEqualTo(concat(docs.get(1), docs.get(3)));
        assertThat(corpus.train()[0]).as("BOS first").isEqualTo(TestVocabularies.SPM_BOS);
    }

    private static int[] concat(String... docs) {
        return Arrays.stream(docs).flatMapToInt(d -> IntStream.concat(Arrays.stream(TOKENIZER.encode(d, true, false)), IntStream.of(EOS)))
                .toArray();
    }

    @Test
    void windowsAreSlicesOfTheStreamDrawnFromTheSeed() {
        int[] stream = IntStream.range(0, 100).map(i -> i * 7 + 3).toArray();
        int[] w = TokenCorpus.windows(stream, 10, 6, new SplittableRandom(4));
        assertThat(w).hasSize(60);
        for (int i = 0; i < 6; i++) {
            int first = (w[i * 10] - 3) / 7;
            assertThat(Arrays.copyOfRange(w, i * 10, i * 10 + 10)).isEqualTo(Arrays.copyOfRange(stream, first, first + 10));
        }
        assertThat(TokenCorpus.windows(stream, 10, 6, new SplittableRandom(4))).isEqualTo(w);
        assertThat(TokenCorpus.windows(stream, 100, 2, new SplittableRandom(4))).as("the whole stream is one window")
                .isEqualTo(IntStream.concat(Arrays.stream(stream), Arrays.stream(stream)).toArray());
        assertThatThrownBy(() -> TokenCorpus.windows(stream, 101, 1, new SplittableRandom(4))).hasMessageContaining("no window of 101");
        assertThat(TokenCorpus.consecutiveWindows(stream, 30, 5)).isEqualTo(Arrays.copyOf(stream, 90));
    }

    @Test
    void fortunesAreTheTextsBetweenPercentLines(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("b-file"), "second file\n");
        Files.writeString(dir.resolve("a-file"), "one\n%\ntwo\nlines\n%\n\n%\nlast");
        Files.writeString(dir.resolve("a-file.dat"), "index, not text");
        assertThat(FortunesCorpus.fortunes(dir)).containsExactly("one\n", "two\nlines\n", "last\n", "second file\n");
    }
}

package dev.hypha.ml.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha dataset import text}: content ids, the recorded split, and hostile files. */
class TextDatasetsTest {
    @TempDir
    Path dir;

    private TextDatasets store(String name) {
        return new TextDatasets(new ContentStore(dir.resolve(name)));
    }

    @Test
    void fortuneFilesGiveTheCorpusFortunesAndOneIdEverywhere() {
        Path fortunes = FortunesCorpus.DEFAULT_DIR;
        assumeTrue(Files.isDirectory(fortunes), "apt-get install fortunes");
        List<Path> files = List.of(fortunes.resolve("computers"), fortunes.resolve("science"));
        TextDatasets a = store("a");
        TextDatasets.Imported imported = a.importFiles("fortunes", files, TextDocuments.FORTUNE, 20);
        TextDatasets.Loaded loaded = a.load(imported.id());
        List<String> corpus = FortunesCorpus.fortunes(files);
        assertThat(loaded.train().size() + loaded.test().size()).isEqualTo(corpus.size());
        for (int i = 0; i < corpus.size(); i++) {
            List<TextDatasets.Document> split = i % 20 == 0 ? loaded.test() : loaded.train();
            int at = i % 20 == 0 ? i / 20 : i - i / 20 - 1;
            assertThat(split.get(at).text().strip()).as("document %d", i).isEqualTo(corpus.get(i).strip());
        }
        assertThat(loaded.test().getFirst().file()).isEqualTo("computers");
        assertThat(imported.manifest().test().documents()).isEqualTo((corpus.size() + 19) / 20);
        assertThat(store("b").importFiles("fortunes", files, TextDocuments.FORTUNE, 20).id()).as("same files, same id").isEqualTo(imported.id());
        assertThat(store("c").importFiles("fortunes", files, TextDocuments.FORTUNE, 10).id()).as("the split rule is part of the id")
                .isNotEqualTo(imported.id());
        assertThat(store("d").importFiles("fortunes", files.reversed(), TextDocuments.FORTUNE, 20).id()).as("file order is part of the id")
                .isNotEqualTo(imported.id());
    }

    @Test
    void cutsParagraphsLinesAndFiles() {
        String text = "one\ntwo\n\n  \nthree\r\n\nfour";
        assertThat(TextDocuments.PARAGRAPH.split(text)).containsExactly("one\ntwo", "three", "four");
        assertThat(TextDocuments.LINE.split(text)).containsExactly("one", "two", "three", "four");
        assertThat(TextDocuments.FILE.split(text + "\n\n")).containsExactly(text);
        assertThat(TextDocuments.FORTUNE.split("a\n%\n\n%\r\nb\n% \nc\n")).containsExactly("a", "b\n% \nc");
    }

    @Test
    void recordsTheSplitInTheManifest() throws Exception {
        Path f = Files.writeString(dir.resolve("lines.txt"), "l0\nl1\nl2\nl3\nl4\nl5\nl6\n");
        TextDatasets s = store("s");
        TextDatasets.Imported imported = s.importFiles("lines", List.of(f), TextDocuments.LINE, 3);
        assertThat(new String(imported.manifest().encode(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"format\":\"hypha-text-dataset-1\",\"name\":\"lines\",\"documents\":\"line\",\"test_every\":3,\"files\":[{\"name\":"
                + "\"lines.txt\",\"bytes\":21,\"blob\":\"" + ContentIds.of(Files.readAllBytes(f)) + "\"}],\"splits\":{\"test\":"
                + "{\"documents\":3,\"bytes\":6},\"train\":{\"documents\":4,\"bytes\":8}}}");
        TextDatasets.Loaded loaded = s.load(imported.id());
        assertThat(loaded.test()).extracting(TextDatasets.Document::text).containsExactly("l0", "l3", "l6");
        assertThat(loaded.train()).extracting(TextDatasets.Document::text).containsExactly("l1", "l2", "l4", "l5");
        byte[] spaced = new String(imported.manifest().encode(), StandardCharsets.UTF_8).replace(",", ", ").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TextDatasetManifest.decode("m", spaced)).hasMessageContaining("canonical");
        ContentStore raw = new ContentStore(dir.resolve("s"));
        ContentId lying = raw.put(new String(imported.manifest().encode(), StandardCharsets.UTF_8)
                .replace("\"documents\":3,\"bytes\":6", "\"documents\":2,\"bytes\":6").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> s.load(lying)).hasMessageContaining("the manifest says");
        assertThatThrownBy(() -> new DatasetStore(raw).load(imported.id(), "train")).hasMessageContaining("is a text dataset");
    }

    @Test
    void refusesHostileFilesNamingTheProblem() throws Exception {
        TextDatasets s = store("h");
        Path binary = Files.write(dir.resolve("bin"), new byte[] {'a', 'b', 0, 'c'});
        assertThatThrownBy(() -> s.importFiles("x", List.of(binary), TextDocuments.LINE, 2)).isInstanceOf(HyphaException.class)
                .hasMessage(binary + " has a NUL byte at offset 2: it looks binary, not text");
        Path latin1 = Files.write(dir.resolve("latin1"), "caf\u00e9\nok\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> s.importFiles("x", List.of(latin1), TextDocuments.LINE, 2))
                .hasMessage(latin1 + " is not UTF-8 text: invalid byte 0xe9 at offset 3");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThatThrownBy(() -> s.importFiles("x", List.of(empty), TextDocuments.LINE, 2)).hasMessage(empty + " is empty");
        Path blank = Files.writeString(dir.resolve("blank"), "\n \n\t\n");
        assertThatThrownBy(() -> s.importFiles("x", List.of(blank), TextDocuments.PARAGRAPH, 2))
                .hasMessage(blank + " has no paragraph documents (it is blank)");
        Path longLine = Files.writeString(dir.resolve("long"), "short\n" + "x".repeat(TextDatasets.MAX_LINE_BYTES + 1) + "\n");
        assertThatThrownBy(() -> s.importFiles("x", List.of(longLine), TextDocuments.LINE, 2))
                .hasMessage(longLine + ": line 2 is longer than " + TextDatasets.MAX_LINE_BYTES + " bytes");
        assertThatThrownBy(() -> s.importFiles("x", List.of(dir), TextDocuments.LINE, 2)).hasMessageContaining("is not a regular file");
        assertThatThrownBy(() -> s.importFiles("x", List.of(dir.resolve("missing")), TextDocuments.LINE, 2))
                .hasMessageContaining("no such file");
        Path one = Files.writeString(dir.resolve("one"), "only\n");
        assertThatThrownBy(() -> s.importFiles("x", List.of(one), TextDocuments.LINE, 2)).hasMessageContaining("all in the test split");
        Files.createDirectories(dir.resolve("other"));
        Path twin = Files.writeString(dir.resolve("other/one"), "a\nb\n");
        assertThatThrownBy(() -> s.importFiles("x", List.of(one, twin), TextDocuments.LINE, 2)).hasMessageContaining("two files are named 'one'");
        assertThatThrownBy(() -> s.importFiles("Bad Name", List.of(twin), TextDocuments.LINE, 2)).hasMessageContaining("dataset name");
        assertThat(new ContentStore(dir.resolve("h")).ref(DatasetStore.REF_KIND, "x")).as("nothing was stored under the name").isEmpty();
    }
}

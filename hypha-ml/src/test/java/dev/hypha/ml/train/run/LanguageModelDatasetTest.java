package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.FortuneChats;
import dev.hypha.ml.train.data.TextDatasets;
import dev.hypha.ml.train.data.TextDocuments;
import dev.hypha.ml.train.store.ContentStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A language-model spec that names a text dataset trains on that dataset's conversations and holds out its test split. */
class LanguageModelDatasetTest {
    private static final String SPEC = """
            name = "tiny-dataset"
            corpus = "fortunes-chat"
            dataset = "%s"
            seed = 7
            steps = 2
            batch = 2
            sequence_length = 16
            eval_windows = 2
            [tokenizer]
            kind = "byte-bpe-chatml"
            vocab_size = 512
            [decoder]
            dim = 32
            ffn_dim = 64
            layers = 1
            heads = 2
            kv_heads = 1
            head_dim = 16
            context_length = 64
            [optimizer]
            learning_rate = 0.01
            """;

    @TempDir
    Path dir;

    @Test
    void trainsOnTheDatasetsConversationsAndHoldsOutItsTestSplit() {
        Path fortunes = FortunesCorpus.DEFAULT_DIR;
        assumeTrue(Files.isDirectory(fortunes), "apt-get install fortunes");
        ContentStore store = new ContentStore(dir.resolve("home"));
        List<Path> files = List.of(fortunes.resolve("computers"), fortunes.resolve("science"));
        TextDatasets texts = new TextDatasets(store);
        TextDatasets.Imported imported = texts.importFiles("two-topics", files, TextDocuments.FORTUNE, 10);
        byte[] bytes = SPEC.formatted("two-topics").getBytes(StandardCharsets.UTF_8);
        LanguageModelSpec spec = LanguageModelSpec.parse("spec.toml", bytes);
        StringWriter log = new StringWriter();
        LanguageModelTrainer.Result result = new LanguageModelTrainer(spec, bytes, dir.resolve("work"), new PrintWriter(log),
                name -> texts.load(new DatasetStore(store).resolve(name))).run(1);
        assertThat(result.stepsRun()).isEqualTo(2);
        long conversations = FortunesCorpus.fortunes(files).stream().filter(f -> f.strip().length() <= FortuneChats.MAX_CHARS).count();
        assertThat(log.toString()).contains("corpus: " + conversations + " conversations",
                "(dataset " + imported.id() + "'s test split)");

        TextDatasets.Imported lines = texts.importFiles("lines", List.of(fortunes.resolve("science")), TextDocuments.LINE, 10);
        byte[] wrong = SPEC.formatted(lines.id()).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new LanguageModelTrainer(LanguageModelSpec.parse("w.toml", wrong), wrong, dir.resolve("w"),
                new PrintWriter(new StringWriter()), id -> texts.load(new DatasetStore(store).resolve(id))).run(1))
                .hasMessageContaining("needs a text dataset imported with --documents fortune");
        byte[] both = (SPEC.formatted("x").replace("seed = 7", "seed = 7\nheld_out_every = 5")).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> LanguageModelSpec.parse("both.toml", both)).hasMessageContaining("held_out_every does not go with dataset");
    }
}

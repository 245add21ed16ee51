package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hypha dataset import text} and a language-model spec that trains on the imported dataset by name. */
class TextDatasetCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    private Run hypha(String... args) {
        CliEnvironment env = new CliEnvironment(Map.of(), dir.resolve("user"), CliEnvironment.StopSignal.of(new CountDownLatch(0)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Hypha.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(Stream.concat(Stream.of("--home", dir.resolve("home").toString()), Stream.of(args)).toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void importsTextAndTrainsALanguageModelOnIt() throws Exception {
        Path fortunes = Path.of("/usr/share/games/fortunes");
        assumeTrue(Files.isDirectory(fortunes), "apt-get install fortunes");
        Run imported = hypha("dataset", "import", "text", fortunes.resolve("computers").toString(), fortunes.resolve("science").toString(),
                "--name", "two-topics", "--documents", "fortune");
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("Imported text dataset two-topics (2 file(s), ", "fortune documents)", "split train: ",
                "(every 20th document, starting with the first)");
        Matcher id = Pattern.compile("id (baf[a-z0-9]+)").matcher(imported.out());
        assertThat(id.find()).isTrue();

        Path spec = Files.writeString(dir.resolve("lm.toml"), """
                name = "tiny-text"
                corpus = "fortunes-chat"
                dataset = "two-topics"
                seed = 1
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
                """);
        Run trained = hypha("train", spec.toString(), "--threads", "1", "--out", dir.resolve("work").toString());
        assertThat(trained.code()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("(dataset " + id.group(1) + "'s test split)", "Trained tiny-text");

        Path binary = Files.write(dir.resolve("data.bin"), new byte[] {1, 2, 0, 3});
        Run refused = hypha("dataset", "import", "text", binary.toString());
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).contains(binary + " has a NUL byte at offset 2: it looks binary, not text");
        assertThat(hypha("dataset", "import", "text").err()).contains("text needs at least one FILE");
        assertThat(hypha("dataset", "import", "text", binary.toString(), "--documents", "pages").err())
                .contains("--documents: documents must be file, line, paragraph or fortune, found 'pages'");
    }
}

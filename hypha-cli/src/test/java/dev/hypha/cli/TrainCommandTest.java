package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hypha dataset import}, {@code train} and {@code eval} in-process on a small Fashion-MNIST-shaped set. */
class TrainCommandTest {
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
    void importTrainAndEvaluate() throws IOException {
        Path idx = writeIdx(dir.resolve("idx"));
        Run imported = hypha("dataset", "import", "fashion-mnist", "--from", idx.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("split train: 300 samples", "split test: 100 samples");
        Matcher id = Pattern.compile("id (baf[a-z0-9]+)").matcher(imported.out());
        assertThat(id.find()).isTrue();
        Path spec = dir.resolve("mlp.toml");
        Files.writeString(spec, """
                name = "tiny-mlp"
                dataset = "%s"
                seed = 3
                steps = 60
                batch = 20
                checkpoint_every = 25
                layers = ["flatten", "linear 784 32", "relu", "linear 32 10"]
                [optimizer]
                kind = "sgd"
                learning_rate = 0.05
                momentum = 0.9
                warmup_steps = 5
                """.formatted(id.group(1)));
        Run trained = hypha("train", spec.toString(), "--threads", "2");
        assertThat(trained.code()).as(trained.err()).isZero();
        assertThat(trained.err()).contains("step 60/60", "samples/s", "ETA", "checkpoint after step 25", "checkpoint after step 50");
        assertThat(trained.out()).contains("Trained tiny-mlp: 60 steps", "weights sha256 ");
        Run again = hypha("train", spec.toString(), "--threads", "1");
        assertThat(again.err()).as("a finished run starts from its newest checkpoint").contains("resuming after step 50");
        assertThat(weights(again.out())).as("same weights on 1 thread after resuming").isEqualTo(weights(trained.out()));
        Path noFlatten = dir.resolve("no-flatten.toml");
        Files.writeString(noFlatten, Files.readString(spec).replace("\"flatten\", ", "").replace("tiny-mlp", "other"));
        Run refused = hypha("train", noFlatten.toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains("the layers do not fit the dataset's [1, 28, 28] images", "add flatten");
        Files.writeString(noFlatten, Files.readString(spec).replace("batch = 20", "batch = 301").replace("tiny-mlp", "other"));
        assertThat(hypha("train", noFlatten.toString()).err()).contains("batch 301 is larger than the 300 samples of split train");
        Run evaluated = hypha("eval", "tiny-mlp", "--dataset", id.group(1) + ":test");
        assertThat(evaluated.code()).as(evaluated.err()).isZero();
        Matcher acc = Pattern.compile("accuracy ([0-9.]+)%").matcher(evaluated.out());
        assertThat(acc.find()).as(evaluated.out()).isTrue();
        assertThat(Double.parseDouble(acc.group(1))).isGreaterThan(80.0);
        assertThat(hypha("eval", "tiny-mlp", "--dataset", "fashion-mnist:train").out()).contains("(300 samples)");
    }

    @Test
    void badInputIsNamed() throws IOException {
        Path spec = dir.resolve("bad.toml");
        Files.writeString(spec, "name = \"x\"\nsteps = 5\nlerning_rate = 1\n");
        Run bad = hypha("train", spec.toString());
        assertThat(bad.code()).isEqualTo(3);
        assertThat(bad.err()).contains("unknown key 'lerning_rate'");
        assertThat(hypha("eval", "nothing", "--dataset", "fashion-mnist").err()).contains("no trained model named 'nothing'");
        assertThat(hypha("dataset", "import", "cifar").err()).contains("unknown dataset kind 'cifar'; known: fashion-mnist");
        assertThat(hypha("train", dir.resolve("missing.toml").toString()).err()).contains("no such file");
    }

    private static String weights(String out) {
        return out.lines().filter(l -> l.startsWith("weights sha256 ")).findFirst().orElseThrow();
    }

    /** Fashion-MNIST's four files, 300 + 100 images; class c is a bright bar at column 2 + 2c over noise. */
    private static Path writeIdx(Path folder) throws IOException {
        Files.createDirectories(folder);
        SplittableRandom r = new SplittableRandom(9);
        for (String[] split : new String[][] {{"train", "300"}, {"t10k", "100"}}) {
            int n = Integer.parseInt(split[1]);
            byte[] images = header(new byte[16 + n * 784], n, 28, 28);
            byte[] labels = header(new byte[8 + n], n);
            for (int i = 0; i < n; i++) {
                int c = r.nextInt(10);
                labels[8 + i] = (byte) c;
                for (int p = 0; p < 784; p++) {
                    boolean on = p % 28 == 2 + 2 * c && p / 28 > 4 && p / 28 < 24;
                    images[16 + i * 784 + p] = (byte) (on ? 180 + r.nextInt(70) : r.nextInt(70));
                }
            }
            gzip(folder.resolve(split[0] + "-images-idx3-ubyte.gz"), images);
            gzip(folder.resolve(split[0] + "-labels-idx1-ubyte.gz"), labels);
        }
        return folder;
    }

    private static byte[] header(byte[] b, int... dims) {
        b[2] = 0x08;
        b[3] = (byte) dims.length;
        for (int i = 0; i < dims.length; i++) {
            for (int k = 0; k < 4; k++) {
                b[4 + 4 * i + k] = (byte) (dims[i] >>> (24 - 8 * k));
            }
        }
        return b;
    }

    private static void gzip(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }

    @Test
    void theJobSubcommandsLeaveLocalTrainingAsItWasAndCheckTheirArguments() {
        Run noSpec = hypha("train");
        assertThat(noSpec.code()).isEqualTo(2);
        assertThat(noSpec.err()).contains("missing SPEC", "hypha train submit SPEC --max-price P");
        Run badId = hypha("train", "status", "abc");
        assertThat(badId.code()).isEqualTo(3);
        assertThat(badId.err()).contains("'abc' is not an order id");
        Run noPrice = hypha("train", "submit", "x.toml");
        assertThat(noPrice.code()).isEqualTo(2);
        assertThat(noPrice.err()).contains("--max-price");
        Run offer = hypha("compute", "offer", "--price-per-hour", "0", "--cores", "1", "--memory", "64");
        assertThat(offer.code()).isEqualTo(3);
        assertThat(offer.err()).contains("--price-per-hour 0 is not a positive whole number");
    }
}

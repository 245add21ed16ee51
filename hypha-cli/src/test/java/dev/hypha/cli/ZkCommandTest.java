package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.cli.zk.ZkModels;
import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.Int8MlpFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hypha zk prove} and {@code hypha zk verify} in-process, end to end: a small MLP trained by {@code hypha train}
 * on a Fashion-MNIST-shaped set, quantized, a raw and a PNG input proved, verified (with and without --model), and
 * a changed proof, another model and a bad input refused with a named reason.
 */
class ZkCommandTest {
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
        int code = cl.execute(Stream.concat(Stream.of("--home", dir.resolve("home").toString()), Stream.of(args))
                .toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void proveAndVerifyATrainedMlp() throws IOException {
        byte[] testImage = writeIdx(dir.resolve("idx"));
        assertThat(hypha("dataset", "import", "fashion-mnist", "--from", dir.resolve("idx").toString()).code()).isZero();
        Path spec = dir.resolve("mlp.toml");
        Files.writeString(spec, """
                name = "tiny-mlp"
                dataset = "fashion-mnist"
                seed = 3
                steps = 30
                batch = 20
                checkpoint_every = 30
                layers = ["flatten", "linear 784 32", "relu", "linear 32 10"]
                [optimizer]
                kind = "sgd"
                learning_rate = 0.05
                momentum = 0.9
                warmup_steps = 5
                """);
        Run trained = hypha("train", spec.toString(), "--threads", "2");
        assertThat(trained.code()).as(trained.err()).isZero();

        Path raw = dir.resolve("image.raw");
        Files.write(raw, testImage);
        Run proved = hypha("zk", "prove", "tiny-mlp", "--input", raw.toString(), "--out", dir.resolve("a.proof").toString());
        assertThat(proved.code()).as(proved.err()).isZero();
        assertThat(proved.err()).contains("quantized ", "to int8 model baf", "committing to the model",
                "proving 2 matrix products", "requantizations");
        Matcher m = Pattern.compile("class (\\d) \\(int8 model (baf[a-z0-9]+), input sha256 ([0-9a-f]{64})\\)")
                .matcher(proved.out());
        assertThat(m.find()).as(proved.out()).isTrue();
        String proven = m.group(1);
        String modelId = m.group(2);
        assertThat(proved.out()).contains("proved in ", " ms (int8 inference alone: ", "bytes -> ");

        Path png = dir.resolve("image.png");
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < 784; p++) {
            image.getRaster().setSample(p % 28, p / 28, 0, testImage[p] & 0xff);
        }
        ImageIO.write(image, "png", png.toFile());
        Run fromPng = hypha("zk", "prove", "tiny-mlp", "--input", png.toString(), "--out", dir.resolve("b.proof").toString());
        assertThat(fromPng.code()).as(fromPng.err()).isZero();
        assertThat(fromPng.err()).as("the int8 model is quantized once").doesNotContain("quantized ");
        assertThat(fromPng.out()).contains("class " + proven + " (int8 model " + modelId + ", input sha256 " + m.group(3));
        assertThat(Files.readAllBytes(dir.resolve("b.proof"))).isEqualTo(Files.readAllBytes(dir.resolve("a.proof")));

        Run verified = hypha("zk", "verify", dir.resolve("a.proof").toString());
        assertThat(verified.code()).as(verified.err()).isZero();
        assertThat(verified.out()).contains("valid: class " + proven + " (int8 model " + modelId, "verified in ");
        assertThat(hypha("zk", "verify", dir.resolve("a.proof").toString(), "--model", "tiny-mlp").code()).isZero();
        assertThat(hypha("zk", "verify", dir.resolve("a.proof").toString(), "--model", modelId).code()).isZero();

        // any changed byte: invalid, exit 3, with the reason
        byte[] bytes = Files.readAllBytes(dir.resolve("a.proof"));
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 5; i++) {
            byte[] forged = bytes.clone();
            forged[200 + rng.nextInt(bytes.length - 200)] ^= (byte) (1 + rng.nextInt(255));
            Files.write(dir.resolve("forged.proof"), forged);
            Run refused = hypha("zk", "verify", dir.resolve("forged.proof").toString());
            assertThat(refused.code()).isEqualTo(3);
            assertThat(refused.err()).contains("invalid proof: ");
        }

        // another model (one weight changed) in the store: the proof is not about it
        ContentStore store = new ContentStore(dir.resolve("home"));
        Int8MlpFile original = Int8MlpFile.decode(store.get(ContentId.parse(modelId)));
        List<Int8Mlp.Layer> layers = new ArrayList<>(original.model().layers());
        Int8Mlp.Layer first = layers.getFirst();
        byte[] w = first.weights();
        w[0] = (byte) (w[0] == 5 ? 6 : 5);
        layers.set(0, new Int8Mlp.Layer(first.in(), first.out(), w, first.bias(), first.requant()));
        ContentId other = store.put(new Int8MlpFile(new Int8Mlp(layers), original.source(), original.calibration()).encode());
        Run otherModel = hypha("zk", "verify", dir.resolve("a.proof").toString(), "--model", other.toString());
        assertThat(otherModel.code()).isEqualTo(3);
        assertThat(otherModel.err()).contains("invalid proof: it is about model " + modelId + ", not " + other);
        // and a proof file renamed to claim the other model (its id swapped in) no longer verifies
        byte[] swapped = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace(modelId, other.toString()).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("swapped.proof"), swapped);
        Run swappedRun = hypha("zk", "verify", dir.resolve("swapped.proof").toString());
        assertThat(swappedRun.code()).isEqualTo(3);
        assertThat(swappedRun.err()).contains("invalid proof: it commits to other weights than model " + other);

        Files.write(dir.resolve("short.raw"), new byte[783]);
        Run badInput = hypha("zk", "prove", "tiny-mlp", "--input", dir.resolve("short.raw").toString(), "--out",
                dir.resolve("c.proof").toString());
        assertThat(badInput.code()).isEqualTo(3);
        assertThat(badInput.err()).contains("is neither a PNG nor 784 raw pixel bytes (it has 783 bytes)");
        assertThat(hypha("zk", "verify", dir.resolve("missing.proof").toString()).code()).isEqualTo(3);
        assertThat(store.ref(ZkModels.REF_KIND, "tiny-mlp")).contains(ContentId.parse(modelId));
    }

    /** A CNN trained by {@code hypha train}: proved (quantized to an int8 CNN) and verified; a changed byte refused. */
    @Test
    void proveAndVerifyATrainedCnn() throws IOException {
        byte[] testImage = writeIdx(dir.resolve("idx"));
        assertThat(hypha("dataset", "import", "fashion-mnist", "--from", dir.resolve("idx").toString()).code()).isZero();
        Path spec = dir.resolve("cnn.toml");
        Files.writeString(spec, """
                name = "tiny-cnn"
                dataset = "fashion-mnist"
                seed = 3
                steps = 10
                batch = 20
                checkpoint_every = 10
                layers = ["conv2d 1 2 3 1", "relu", "maxpool 2", "flatten", "linear 392 10"]
                [optimizer]
                kind = "sgd"
                learning_rate = 0.05
                momentum = 0.9
                warmup_steps = 2
                """);
        Run trained = hypha("train", spec.toString(), "--threads", "2");
        assertThat(trained.code()).as(trained.err()).isZero();
        Path raw = dir.resolve("image.raw");
        Files.write(raw, testImage);
        Run proved = hypha("zk", "prove", "tiny-cnn", "--input", raw.toString(), "--out", dir.resolve("c.proof").toString());
        assertThat(proved.code()).as(proved.err()).isZero();
        assertThat(proved.err()).contains("quantized ", "proving conv block 0 (convolution, requantization, max-pool)");
        Matcher m = Pattern.compile("class (\\d) \\(int8 CNN model (baf[a-z0-9]+), input sha256").matcher(proved.out());
        assertThat(m.find()).as(proved.out()).isTrue();
        Run verified = hypha("zk", "verify", dir.resolve("c.proof").toString());
        assertThat(verified.code()).as(verified.err()).isZero();
        assertThat(verified.out()).contains("valid: class " + m.group(1) + " (int8 model " + m.group(2), "verified in ");
        byte[] bytes = Files.readAllBytes(dir.resolve("c.proof"));
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(dir.resolve("forged.proof"), bytes);
        Run refused = hypha("zk", "verify", dir.resolve("forged.proof").toString());
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).contains("invalid proof: ");
    }

    /** Fashion-MNIST's four files, 200 + 20 images (class c: a bright bar at column 2 + 2c); returns one test image. */
    private static byte[] writeIdx(Path folder) throws IOException {
        Files.createDirectories(folder);
        SplittableRandom r = new SplittableRandom(9);
        byte[] sample = null;
        for (String[] split : new String[][] {{"train", "200"}, {"t10k", "20"}}) {
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
            sample = java.util.Arrays.copyOfRange(images, 16, 16 + 784);
            gzip(folder.resolve(split[0] + "-images-idx3-ubyte.gz"), images);
            gzip(folder.resolve(split[0] + "-labels-idx1-ubyte.gz"), labels);
        }
        return sample;
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
}

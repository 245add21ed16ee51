package dev.hypha.ml.train.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small learnable stand-in for Fashion-MNIST: the same four gzipped IDX files, 28×28 images, 10 classes;
 * class c is a bright 6×6 square at a position given by c, over noise. Tests train on it in seconds.
 */
public final class SyntheticImages {
    private SyntheticImages() {}

    public static Path write(Path folder, int train, int test, long seed) throws IOException {
        Files.createDirectories(folder);
        SplittableRandom r = new SplittableRandom(seed);
        writeSplit(folder, "train", train, r);
        writeSplit(folder, "t10k", test, r);
        return folder;
    }

    private static void writeSplit(Path folder, String prefix, int count, SplittableRandom r) throws IOException {
        byte[] images = new byte[16 + count * 784];
        byte[] labels = new byte[8 + count];
        header(images, 3, count, 28, 28);
        header(labels, 1, count);
        for (int i = 0; i < count; i++) {
            int c = r.nextInt(10);
            labels[8 + i] = (byte) c;
            int top = 2 + (c / 5) * 12 + r.nextInt(3);
            int left = 2 + (c % 5) * 5;
            for (int p = 0; p < 784; p++) {
                int y = p / 28;
                int x = p % 28;
                boolean on = y >= top && y < top + 6 && x >= left && x < left + 4;
                images[16 + i * 784 + p] = (byte) (on ? 200 + r.nextInt(56) : r.nextInt(60));
            }
        }
        gzip(folder.resolve(prefix + "-images-idx3-ubyte.gz"), images);
        gzip(folder.resolve(prefix + "-labels-idx1-ubyte.gz"), labels);
    }

    static void header(byte[] b, int rank, int... dims) {
        b[2] = 0x08;
        b[3] = (byte) rank;
        for (int i = 0; i < dims.length; i++) {
            b[4 + 4 * i] = (byte) (dims[i] >>> 24);
            b[5 + 4 * i] = (byte) (dims[i] >>> 16);
            b[6 + 4 * i] = (byte) (dims[i] >>> 8);
            b[7 + 4 * i] = (byte) dims[i];
        }
    }

    private static void gzip(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }

    /** A spec exercising every layer kind, AdamW, clipping, warm-up and dropout on the synthetic set. */
    public static String spec(String dataset, long steps, long checkpointEvery) {
        return """
                name = "probe"
                dataset = "%s"
                seed = 7
                steps = %d
                batch = 16
                checkpoint_every = %d
                layers = ["conv2d 1 4 3 1", "gelu", "maxpool 2", "conv2d 4 4 3 0", "relu", "avgpool 2", "flatten", "dropout 0.2", "linear 144 10"]
                [optimizer]
                kind = "adamw"
                learning_rate = 0.01
                min_learning_rate = 0.001
                warmup_steps = 3
                weight_decay = 0.01
                clip_norm = 1.0
                """.formatted(dataset, steps, checkpointEvery);
    }
}

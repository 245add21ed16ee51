package dev.hypha.cli.zk;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.Gzip;
import dev.hypha.ml.train.data.IdxFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * One image of the Fashion-MNIST test split by index, read from the IDX files (Debian's dataset-fashion-mnist by
 * default): its 784 row-major pixels and, when the label file is there, its label. The files are untrusted input:
 * {@link IdxFile} checks their header and size, and the index is checked against the count.
 */
public final class FashionMnistImages {
    static final String IMAGES = "t10k-images-idx3-ubyte";
    static final String LABELS = "t10k-labels-idx1-ubyte";
    /** 10,000 images of 784 bytes and a header; anything larger is not this file. */
    private static final long MAX_BYTES = 10_000L * 784 + 64;

    private FashionMnistImages() {}

    public record Image(int index, byte[] pixels, OptionalInt label) {}

    /** Test image {@code index} from {@code dir} (null: Debian's folder). */
    public static Image testImage(Path dir, int index) {
        Path folder = dir == null ? DatasetStore.DEBIAN_FASHION_MNIST : dir;
        IdxFile images = IdxFile.parse(IMAGES, Gzip.readBounded(file(folder, IMAGES), MAX_BYTES));
        int[] d = images.dimensions();
        if (d.length != 3 || d[1] != 28 || d[2] != 28) {
            throw HyphaException.input(folder.resolve(IMAGES) + " holds " + Arrays.toString(d) + " values, not 28 x 28 images");
        }
        if (index < 0 || index >= d[0]) {
            throw HyphaException.input("--index " + index + " is not a test image: there are " + d[0] + " (0.." + (d[0] - 1)
                    + ")");
        }
        byte[] all = images.values();
        byte[] pixels = Arrays.copyOfRange(all, index * 784, (index + 1) * 784);
        OptionalInt label = OptionalInt.empty();
        Path labels = findOptional(folder, LABELS);
        if (labels != null) {
            IdxFile l = IdxFile.parse(LABELS, Gzip.readBounded(labels, MAX_BYTES));
            if (l.dimensions().length == 1 && l.dimensions()[0] == d[0]) {
                label = OptionalInt.of(l.value(index));
            }
        }
        return new Image(index, pixels, label);
    }

    private static Path file(Path folder, String name) {
        Path found = findOptional(folder, name);
        if (found == null) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no " + name + "(.gz) in " + folder
                    + (folder.equals(DatasetStore.DEBIAN_FASHION_MNIST)
                            ? " (install it with: apt-get install dataset-fashion-mnist, or pass --dataset-dir DIR)"
                            : ""));
        }
        return found;
    }

    private static Path findOptional(Path folder, String name) {
        for (Path candidate : new Path[] {folder.resolve(name + ".gz"), folder.resolve(name)}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

package dev.hypha.ml.train.data;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Datasets in the content store: each IDX file is a blob, the {@link DatasetManifest} naming them is a blob, and the
 * manifest's id is the dataset's id. A reference {@code datasets/<name>} lets people use the name instead.
 */
public final class DatasetStore {
    public static final String REF_KIND = "datasets";
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    /** Larger than any split file of an MNIST-like set (Fashion-MNIST's train images are 47 MB). */
    private static final long MAX_FILE_BYTES = 256L << 20;

    private final ContentStore store;

    public DatasetStore(ContentStore store) {
        this.store = store;
    }

    /** A stored dataset: its id and its manifest. */
    public record Imported(ContentId id, DatasetManifest manifest) {}

    /**
     * Imports Fashion-MNIST from the folder Debian's package uses (or another with the same four files, gzipped or not):
     * train (60,000) and test (10,000) splits, 10 classes, 28×28.
     */
    public Imported importFashionMnist(Path folder) {
        Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
        splits.put("train", importSplit(folder, "train"));
        splits.put("test", importSplit(folder, "t10k"));
        DatasetManifest manifest = new DatasetManifest("fashion-mnist", 10, 28, 28, splits);
        ContentId id = store.put(manifest.encode());
        store.setRef(REF_KIND, manifest.name(), id);
        return new Imported(id, manifest);
    }

    private DatasetManifest.Split importSplit(Path folder, String prefix) {
        Path images = find(folder, prefix + "-images-idx3-ubyte");
        Path labels = find(folder, prefix + "-labels-idx1-ubyte");
        byte[] imageBytes = Gzip.readBounded(images, MAX_FILE_BYTES);
        byte[] labelBytes = Gzip.readBounded(labels, MAX_FILE_BYTES);
        IdxFile imageIdx = IdxFile.parse(images.toString(), imageBytes);
        IdxFile labelIdx = IdxFile.parse(labels.toString(), labelBytes);
        ImageSplit split = toSplit(prefix, images + " and " + labels, imageIdx, labelIdx, 10, 28, 28);
        return new DatasetManifest.Split(split.count(), store.put(imageBytes), store.put(labelBytes));
    }

    /**
     * Reads one Fashion-MNIST-shaped split straight from a folder ({@code PREFIX-images-idx3-ubyte} and {@code
     * PREFIX-labels-idx1-ubyte}, gzipped or not; 28×28, 10 classes) without storing it: how a data pool's scorer reads
     * a contribution it opened in a scratch folder and deletes afterwards.
     */
    public static ImageSplit readSplit(Path folder, String prefix) {
        Path images = find(folder, prefix + "-images-idx3-ubyte");
        Path labels = find(folder, prefix + "-labels-idx1-ubyte");
        IdxFile imageIdx = IdxFile.parse(images.getFileName().toString(), Gzip.readBounded(images, MAX_FILE_BYTES));
        IdxFile labelIdx = IdxFile.parse(labels.getFileName().toString(), Gzip.readBounded(labels, MAX_FILE_BYTES));
        return toSplit(prefix, images.getFileName() + " and " + labels.getFileName(), imageIdx, labelIdx, 10, 28, 28);
    }

    private static Path find(Path folder, String base) {
        for (Path p : new Path[] {folder.resolve(base + ".gz"), folder.resolve(base)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new HyphaException(ErrorCategory.NOT_FOUND, "no " + base + "(.gz) in " + folder
                + (folder.equals(DEBIAN_FASHION_MNIST) ? " (install it with: apt-get install dataset-fashion-mnist)" : ""));
    }

    /** The id a name or id text stands for: a content id as is, else a stored dataset name. */
    public ContentId resolve(String nameOrId) {
        if (nameOrId.startsWith("baf")) {
            try {
                return ContentId.parse(nameOrId);
            } catch (RuntimeException e) {
                throw new HyphaException(ErrorCategory.INPUT, "'" + nameOrId + "' is not a valid content id: " + e.getMessage(), e);
            }
        }
        Optional<ContentId> ref = ContentStore.validName(nameOrId) ? store.ref(REF_KIND, nameOrId) : Optional.empty();
        return ref.orElseThrow(() -> new HyphaException(ErrorCategory.NOT_FOUND, "no dataset named '" + nameOrId
                + "'; import one first (hypha dataset import fashion-mnist, or text FILE...) or give its content id"));
    }

    public DatasetManifest manifest(ContentId id) {
        byte[] bytes = store.get(id);
        if (TextDatasetManifest.isTextDataset(bytes)) {
            throw new HyphaException(ErrorCategory.INPUT, "dataset " + id + " is a text dataset; classifiers train and evaluate on "
                    + "image datasets (hypha dataset import fashion-mnist)");
        }
        return DatasetManifest.decode(id.toString(), bytes);
    }

    /** Loads split {@code splitName} of dataset {@code id}, checking the blobs against the manifest. */
    public ImageSplit load(ContentId id, String splitName) {
        DatasetManifest m = manifest(id);
        DatasetManifest.Split s = m.splits().get(splitName);
        if (s == null) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "dataset " + id + " has no split '" + splitName + "'; it has "
                    + String.join(", ", m.splits().keySet()));
        }
        IdxFile images = IdxFile.parse(s.images().toString(), store.get(s.images()));
        IdxFile labels = IdxFile.parse(s.labels().toString(), store.get(s.labels()));
        ImageSplit split = toSplit(splitName, "dataset " + id, images, labels, m.classes(), m.height(), m.width());
        if (split.count() != s.count()) {
            throw new HyphaException(ErrorCategory.INPUT, "dataset " + id + " split '" + splitName + "' holds " + split.count()
                    + " samples, its manifest says " + s.count());
        }
        return split;
    }

    private static ImageSplit toSplit(String name, String source, IdxFile images, IdxFile labels, int classes, int height, int width) {
        int[] d = images.dimensions();
        if (d.length != 3 || d[1] != height || d[2] != width) {
            throw new HyphaException(ErrorCategory.INPUT, source + ": images must be [count, " + height + ", " + width + "], found "
                    + java.util.Arrays.toString(d));
        }
        if (labels.dimensions().length != 1 || labels.dimensions()[0] != d[0]) {
            throw new HyphaException(ErrorCategory.INPUT, source + ": " + d[0] + " images need as many labels, found "
                    + java.util.Arrays.toString(labels.dimensions()));
        }
        try {
            return new ImageSplit(name, d[0], height, width, classes, images.values(), labels.values());
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, source + ": " + e.getMessage(), e);
        }
    }
}

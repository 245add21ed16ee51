package dev.hypha.node.compute;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.store.ContentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A classifier dataset that arrived as a sealed folder (compute-to-data), made ready for training inside the job's
 * folder: its files go into a content store of the job's own (never the provider's), and the dataset must be the one
 * the spec names. Two layouts are read: Fashion-MNIST's four IDX files (as {@code hypha dataset import fashion-mnist
 * --from DIR} reads them, so the id that command prints is the spec's {@code dataset}), or the dataset's stored
 * files themselves (its manifest and split files under any names).
 */
final class SealedDatasets {
    /** More files than a dataset's manifest and splits ever take: bounds the work a hostile folder causes. */
    static final int MAX_FILES = 64;

    private SealedDatasets() {}

    /**
     * Puts the dataset in {@code folder} into {@code jobStore} and checks it is {@code dataset}.
     *
     * @throws HyphaException (INPUT) when the folder holds too many files or not that dataset
     */
    static void load(long assetId, Path folder, ContentId dataset, ContentStore jobStore) {
        if (Files.isRegularFile(folder.resolve("train-images-idx3-ubyte"))
                || Files.isRegularFile(folder.resolve("train-images-idx3-ubyte.gz"))) {
            ContentId imported = new DatasetStore(jobStore).importFashionMnist(folder).id();
            if (!imported.equals(dataset)) {
                throw HyphaException.input("sealed asset #" + assetId + " holds Fashion-MNIST files whose dataset is "
                        + imported + ", not the spec's dataset " + dataset);
            }
            return;
        }
        List<Path> files;
        try (Stream<Path> all = Files.walk(folder)) {
            files = all.filter(Files::isRegularFile).limit(MAX_FILES + 1L).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw HyphaException.io("cannot list the job's dataset folder " + folder + ": " + e.getMessage(), e);
        }
        if (files.size() > MAX_FILES) {
            throw HyphaException.input("sealed asset #" + assetId + " holds more than " + MAX_FILES + " files: not a "
                    + "dataset's manifest and splits");
        }
        for (Path f : files) {
            try {
                jobStore.put(Files.readAllBytes(f)); // each file is bounded by the asset's size, checked when opened
            } catch (IOException e) {
                throw HyphaException.io("cannot read the job's dataset file " + f + ": " + e.getMessage(), e);
            }
        }
        if (!jobStore.contains(dataset)) {
            throw HyphaException.input("sealed asset #" + assetId + " does not hold the spec's dataset " + dataset
                    + " (its manifest), nor Fashion-MNIST's IDX files");
        }
    }

    /** Deletes {@code root} and everything under it (the job's own store of the dataset). */
    static void delete(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}

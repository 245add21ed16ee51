package dev.hypha.node.content;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The whole files a node may hand out as blocks, by content id: where each one lives. {@link ServedBlocks} indexes them.
 * Two sources exist: the models of the model store, and sealed data (ciphertext, so public by design) that
 * {@code hypha data add} put in the content store; a node serves both.
 */
@FunctionalInterface
public interface ServedFiles {
    /** The files, by root content id (sorted, so every walk over them has one order). */
    Map<ContentId, Path> files();

    /** Every model in {@code store}. */
    static ServedFiles models(ModelStore store) {
        Objects.requireNonNull(store, "store");
        return () -> {
            Map<ContentId, Path> files = new TreeMap<>();
            for (ModelManifest m : store.list().models()) {
                files.put(m.cid(), store.blobPath(m.cid()));
            }
            return files;
        };
    }

    /**
     * The blobs of {@code store} referenced under {@code refs/}{@value #SEALED_REFS}: sealed data and its datasheets,
     * never the training store's plaintext datasets (which may be private).
     */
    static ServedFiles sealedData(ContentStore store) {
        Objects.requireNonNull(store, "store");
        return () -> {
            Map<ContentId, Path> files = new TreeMap<>();
            for (ContentId id : store.refs(SEALED_REFS).values()) {
                if (store.contains(id)) files.put(id, store.blobPath(id));
            }
            return files;
        };
    }

    /** The reference kind under which sealed blobs are listed in the content store. */
    String SEALED_REFS = "sealed";

    /** The files of {@code a}, then those of {@code b} not in {@code a}. */
    static ServedFiles union(ServedFiles a, ServedFiles b) {
        return () -> {
            Map<ContentId, Path> files = new TreeMap<>(b.files());
            files.putAll(a.files());
            return files;
        };
    }
}

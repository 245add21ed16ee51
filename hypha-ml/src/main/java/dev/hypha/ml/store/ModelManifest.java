package dev.hypha.ml.store;

import dev.hypha.core.cid.ContentId;
import java.time.Instant;
import java.util.Objects;

/**
 * A name in the local store and the model blob it points to, with the facts {@code hypha model list} shows without
 * opening the blob. Stored as JSON by {@link ManifestCodec}.
 *
 * @param name       the model's name
 * @param cid        content id of the blob (unixfs-v1-2025), which is also the blob's file name
 * @param size       blob size in bytes
 * @param format     the file format, always {@value #FORMAT_GGUF} for now
 * @param summary    architecture, parameters, quantization, tensor types, context length
 * @param created    when the name was imported (from the store's clock)
 * @param sourceFile file name (without folders) the model was imported from
 */
public record ModelManifest(ModelName name, ContentId cid, long size, String format, ModelSummary summary,
                            Instant created, String sourceFile) {
    /** The only format the store holds so far. */
    public static final String FORMAT_GGUF = "gguf";

    public ModelManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cid, "cid");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(sourceFile, "sourceFile");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
    }
}

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
 * @param adapter    a LoRA adapter applied on top of the blob (Ollama's ADAPTER), when the model was created with one
 */
public record ModelManifest(ModelName name, ContentId cid, long size, String format, ModelSummary summary,
                            Instant created, String sourceFile, java.util.Optional<AdapterRef> adapter) {
    /**
     * A LoRA adapter blob (GGUF, llama.cpp's format) that {@code hypha model create --adapter} stored beside a base.
     *
     * @param cid        the adapter blob's content id (and file name)
     * @param size       its size in bytes
     * @param sourceFile file name (without folders) it was read from
     */
    public record AdapterRef(ContentId cid, long size, String sourceFile) {
        public AdapterRef {
            Objects.requireNonNull(cid, "adapter cid");
            Objects.requireNonNull(sourceFile, "adapter sourceFile");
            if (size < 0) {
                throw new IllegalArgumentException("adapter size must not be negative, got " + size);
            }
        }
    }

    /** A model without an adapter. */
    public ModelManifest(ModelName name, ContentId cid, long size, String format, ModelSummary summary, Instant created,
                         String sourceFile) {
        this(name, cid, size, format, summary, created, sourceFile, java.util.Optional.empty());
    }

    /** The only format the store holds so far. */
    public static final String FORMAT_GGUF = "gguf";

    public ModelManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cid, "cid");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(sourceFile, "sourceFile");
        Objects.requireNonNull(adapter, "adapter");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
    }
}

package dev.hypha.ml.train.store;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Blobs named by their content id (IPFS unixfs-v1-2025) under {@code <home>/content/blobs}, and named references to
 * them under {@code <home>/content/refs/<kind>/<name>} (datasets, trained models, a training run's latest checkpoint).
 *
 * <p>Every write goes to a temporary file in the same folder, is forced to disk, then atomically renamed, and the
 * folder is forced too: a kill -9 or power cut leaves either the old file or the new one, never a torn one. Every read
 * recomputes the content id, so a damaged or swapped blob is an error, never silently different weights or data.
 */
public final class ContentStore {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    /** Blobs are read whole; this keeps a damaged store from asking for more memory than any dataset or model here needs. */
    private static final long MAX_BLOB_BYTES = 1L << 31;

    private final Path blobs;
    private final Path refs;

    public ContentStore(Path home) {
        this.blobs = home.resolve("content").resolve("blobs");
        this.refs = home.resolve("content").resolve("refs");
    }

    /** Stores {@code bytes} (once: the same content is never written twice) and returns its id. */
    public ContentId put(byte[] bytes) {
        ContentId id = ContentIds.of(bytes);
        Path target = blobs.resolve(id.toString());
        if (!Files.exists(target)) {
            writeAtomically(target, bytes);
        }
        return id;
    }

    /** The blob with id {@code id}, checked against its id. */
    public byte[] get(ContentId id) {
        Path file = blobs.resolve(id.toString());
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BLOB_BYTES) {
                throw new HyphaException(ErrorCategory.INPUT, "stored blob " + file + " is larger than " + MAX_BLOB_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "nothing stored under id " + id + " (in " + blobs + ")", e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
        ContentId actual = ContentIds.of(bytes);
        if (!actual.equals(id)) {
            throw new HyphaException(ErrorCategory.INPUT, "stored blob " + file + " is damaged: its content id is " + actual);
        }
        return bytes;
    }

    /**
     * Where the blob {@code id} lives (whether or not it is there): for writers that stream a verified blob into the
     * store themselves (a temporary file in the same folder, then an atomic rename), such as a fetch from an IPFS gateway.
     */
    public Path blobPath(ContentId id) {
        return blobs.resolve(id.toString());
    }

    public boolean contains(ContentId id) {
        return Files.isRegularFile(blobs.resolve(id.toString()));
    }

    /** Points {@code kind/name} at {@code id} (atomically replacing an older reference). */
    public void setRef(String kind, String name, ContentId id) {
        writeAtomically(refPath(kind, name), (id + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** The id {@code kind/name} points at, if any. */
    public Optional<ContentId> ref(String kind, String name) {
        Path file = refPath(kind, name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            if (Files.size(file) > 256) {
                throw new HyphaException(ErrorCategory.INPUT, "reference " + file + " is too large to hold a content id");
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                return Optional.of(ContentId.parse(text));
            } catch (RuntimeException e) {
                throw new HyphaException(ErrorCategory.INPUT, "reference " + file + " does not hold a content id: " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every reference of {@code kind}, by name (sorted). A reference that does not hold a content id is an error naming
     * it, as {@link #ref} reports it.
     */
    public java.util.SortedMap<String, ContentId> refs(String kind) {
        Path folder = refs.resolve(kind);
        if (!validName(kind)) {
            throw new HyphaException(ErrorCategory.USAGE, "'" + kind + "' is not a valid reference kind");
        }
        java.util.SortedMap<String, ContentId> all = new java.util.TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return all;
        }
        try (java.util.stream.Stream<Path> names = Files.list(folder)) {
            for (Path p : (Iterable<Path>) names::iterator) {
                String name = p.getFileName().toString();
                if (validName(name)) { // temporary files of an interrupted write start with '.'
                    ref(kind, name).ifPresent(id -> all.put(name, id));
                }
            }
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot list " + folder + ": " + e.getMessage(), e);
        }
        return all;
    }

    /** True when {@code name} is usable as a reference name (lower-case letters, digits, '.', '_', '-'). */
    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    private Path refPath(String kind, String name) {
        if (!validName(kind) || !validName(name)) {
            throw new HyphaException(ErrorCategory.USAGE, "'" + name + "' is not a valid name: use 1-128 lower-case letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit");
        }
        return refs.resolve(kind).resolve(name);
    }

    private static void writeAtomically(Path target, byte[] bytes) {
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself reaches the disk
            } catch (IOException notSupported) {
                // some file systems cannot open folders; the rename is still atomic
            }
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure matters more
                }
            }
        }
    }
}

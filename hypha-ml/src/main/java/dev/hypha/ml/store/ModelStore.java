package dev.hypha.ml.store;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The local model store: content-addressed blobs and the manifests that name them.
 *
 * <pre>
 * &lt;home&gt;/models/blobs/&lt;cid&gt;                  model files, named by their content id (unixfs-v1-2025)
 * &lt;home&gt;/models/manifests/&lt;name&gt;/&lt;tag&gt;.json  one manifest per name:tag (see {@link ManifestCodec})
 * &lt;home&gt;/models/tmp/                         imports in progress (same file system, so moves are atomic)
 * &lt;home&gt;/models/store.lock                   held while blobs and manifests change
 * </pre>
 *
 * <p>Every change is a write to a temporary file followed by an atomic move, so a crash leaves either the old or the
 * new state and at worst a stray file in {@code tmp/}. A blob goes in before the manifest that names it, and goes
 * away only after the last manifest naming it; both steps happen under the store lock (a file lock, so two
 * {@code hypha} processes do not race), so a reader never finds a manifest whose blob is missing unless someone
 * deleted files by hand (which {@link #resolve} and {@link #verify} then report).
 */
public final class ModelStore {
    /** In-process guard in front of the file lock: the JVM refuses a second lock on one file from one process. */
    private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final Path blobs;
    private final Path manifests;
    private final Path tmp;
    private final Clock clock;

    /**
     * @param home  the Hypha home folder; the store lives in {@code home/models}, created on first import
     * @param clock gives the {@code created} time of manifests
     */
    public ModelStore(Path home, Clock clock) {
        this.root = Objects.requireNonNull(home, "home").toAbsolutePath().normalize().resolve("models");
        this.blobs = root.resolve("blobs");
        this.manifests = root.resolve("manifests");
        this.tmp = root.resolve("tmp");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The store's folder ({@code <home>/models}). */
    public Path root() {
        return root;
    }

    /**
     * Imports a GGUF model file under {@code name}: checks it is a model of a supported architecture, copies it into
     * the store while computing its content id (one pass over the file), keeps one blob per content, and points the
     * name at it (replacing what the name pointed at before).
     *
     * @throws ModelStoreException NOT_FOUND for a missing file, INPUT for a file that is not a supported GGUF model,
     *                             IO when the store cannot be written
     */
    public ImportResult importModel(Path source, ModelName name, ImportProgress progress) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(progress, "progress");
        if (Files.isDirectory(source)) {
            throw new ModelStoreException(ErrorCategory.INPUT, source + " is a folder; give the path of a .gguf file");
        }
        // Check the file before copying anything: a wrong file is rejected in milliseconds, not after a copy.
        ModelInspector.inspect(source);
        Path partial = null;
        try {
            createFolders();
            partial = Files.createTempFile(tmp, "import-", ".partial");
            ContentId cid = copyAndIdentify(source, partial, progress);
            // Summarise what was copied, not the source: the source may have changed since it was checked.
            ModelSummary summary = ModelInspector.inspect(partial);
            long size = Files.size(partial);
            String sourceFile = Optional.ofNullable(source.getFileName()).map(Path::toString).orElse(source.toString());
            ModelManifest manifest = new ModelManifest(name, cid, size, ModelManifest.FORMAT_GGUF, summary,
                    clock.instant(), sourceFile);
            try (StoreLock lock = lock()) {
                boolean deduplicated = storeBlob(partial, cid, size);
                Optional<ModelManifest> previous = find(name);
                writeAtomically(manifestPath(name), ManifestCodec.write(manifest));
                boolean replaced = previous.isPresent() && !previous.get().cid().equals(cid);
                if (replaced) {
                    collectGarbage();
                }
                return new ImportResult(manifest, deduplicated, replaced);
            }
        } catch (IOException e) {
            throw ioFailure("cannot import " + source + " into " + root, e);
        } finally {
            if (partial != null) {
                deleteQuietly(partial);
            }
        }
    }

    /** All manifests, sorted by name then tag. @throws ModelStoreException naming a damaged manifest */
    public List<ModelManifest> list() {
        List<ModelManifest> out = new ArrayList<>();
        for (Path file : manifestFiles()) {
            out.add(readManifest(file));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return List.copyOf(out);
    }

    /** The manifest of {@code name}, if the store has it. @throws ModelStoreException when it is damaged */
    public Optional<ModelManifest> find(ModelName name) {
        Path file = manifestPath(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(readManifest(file));
    }

    /** The manifest of {@code name}. @throws ModelStoreException NOT_FOUND when there is none */
    public ModelManifest show(ModelName name) {
        return find(name).orElseThrow(() -> ModelStoreException.notFound(name));
    }

    /**
     * The blob file of {@code name}, checked to exist with the size its manifest records (a cheap check; {@link #verify}
     * re-hashes the content).
     *
     * @throws ModelStoreException NOT_FOUND for an unknown name, IO for a missing or partial blob
     */
    public Path resolve(ModelName name) {
        ModelManifest manifest = show(name);
        Path blob = blobPath(manifest.cid());
        long actual;
        try {
            actual = Files.size(blob);
        } catch (NoSuchFileException e) {
            throw new ModelStoreException(ErrorCategory.IO, "the file of model '" + name + "' (" + blob
                    + ") is missing; import the model again", e);
        } catch (IOException e) {
            throw ioFailure("cannot read " + blob, e);
        }
        if (actual != manifest.size()) {
            throw new ModelStoreException(ErrorCategory.IO, "the file of model '" + name + "' (" + blob + ") has "
                    + actual + " bytes but should have " + manifest.size() + "; it is damaged, import the model again");
        }
        return blob;
    }

    /**
     * Re-reads the blob of {@code name} and checks its content id matches the manifest.
     *
     * @return the manifest, when the blob is intact
     * @throws ModelStoreException IO naming the blob when it is missing, partial or altered
     */
    public ModelManifest verify(ModelName name) {
        Path blob = resolve(name);
        ModelManifest manifest = show(name);
        ContentId actual;
        try {
            actual = ContentIds.of(blob);
        } catch (HyphaException e) {
            throw new ModelStoreException(ErrorCategory.IO, "cannot re-read " + blob + ": " + e.getMessage(), e);
        }
        if (!actual.equals(manifest.cid())) {
            throw new ModelStoreException(ErrorCategory.IO, "the file of model '" + name + "' (" + blob
                    + ") is damaged: its content id is " + actual + "; import the model again");
        }
        return manifest;
    }

    /**
     * Removes {@code name}, and every blob no manifest names any more.
     *
     * @throws ModelStoreException NOT_FOUND for an unknown name
     */
    public RemoveResult remove(ModelName name) {
        Path file = manifestPath(name);
        try (StoreLock lock = lock()) {
            if (!Files.isRegularFile(file)) {
                throw ModelStoreException.notFound(name);
            }
            // Even a damaged manifest can be removed: that is how a user gets out of one.
            Files.delete(file);
            deleteIfEmpty(file.getParent());
            return new RemoveResult(name, collectGarbage());
        } catch (IOException e) {
            throw ioFailure("cannot remove model '" + name + "' from " + root, e);
        }
    }

    /** Where the blob with this content id lives (whether or not it exists). */
    public Path blobPath(ContentId cid) {
        return blobs.resolve(cid.toString());
    }

    private Path manifestPath(ModelName name) {
        return manifests.resolve(name.name()).resolve(name.tag() + ".json");
    }

    private ContentId copyAndIdentify(Path source, Path partial, ImportProgress progress) throws IOException {
        long total = Files.size(source);
        try (InputStream in = Files.newInputStream(source);
             FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream copy = Channels.newOutputStream(out);
            ContentId cid = ContentIds.of(new TeeInputStream(in, copy, progress, total));
            out.force(true); // the blob must be on disk before a manifest names it
            return cid;
        }
    }

    /** Moves the copy into place unless an intact blob with that content is there already; true if it was. */
    private boolean storeBlob(Path partial, ContentId cid, long size) throws IOException {
        Path blob = blobPath(cid);
        if (Files.isRegularFile(blob) && Files.size(blob) == size) {
            return true;
        }
        // Absent, or a damaged leftover (wrong size): the fresh copy takes its place.
        move(partial, blob);
        return false;
    }

    /** Deletes every blob no manifest names; returns what it deleted. Skipped while any manifest is unreadable. */
    private List<ContentId> collectGarbage() throws IOException {
        Set<String> referenced = new TreeSet<>();
        for (Path file : manifestFiles()) {
            try {
                referenced.add(readManifest(file).cid().toString());
            } catch (ModelStoreException e) {
                // A damaged manifest may name any blob: keep them all until it is removed.
                return List.of();
            }
        }
        List<ContentId> deleted = new ArrayList<>();
        if (!Files.isDirectory(blobs)) {
            return deleted;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobs)) {
            for (Path blob : entries) {
                String fileName = blob.getFileName().toString();
                if (!referenced.contains(fileName) && Files.isRegularFile(blob)) {
                    Optional<ContentId> cid = parseCid(fileName);
                    if (cid.isPresent()) { // never delete files the store did not name
                        Files.deleteIfExists(blob);
                        deleted.add(cid.get());
                    }
                }
            }
        }
        deleted.sort(null);
        return deleted;
    }

    private static Optional<ContentId> parseCid(String text) {
        try {
            return Optional.of(ContentId.parse(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Manifest files in a stable order (sorted paths). */
    private List<Path> manifestFiles() {
        if (!Files.isDirectory(manifests)) {
            return List.of();
        }
        try (var walk = Files.walk(manifests, 2)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .filter(p -> manifests.relativize(p).getNameCount() == 2)
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw ioFailure("cannot list " + manifests, e);
        }
    }

    private ModelManifest readManifest(Path file) {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ioFailure("cannot read model manifest " + file, e);
        }
        ModelManifest manifest = ManifestCodec.read(json, file.toString());
        // The file's place must agree with the name inside it, or lookups by name would find the wrong model.
        if (!manifestPath(manifest.name()).equals(file)) {
            throw new ModelStoreException(ErrorCategory.INPUT, "model manifest " + file + " names model '"
                    + manifest.name() + "', which belongs in " + manifestPath(manifest.name())
                    + " (remove it with 'hypha model rm' and import the model again)");
        }
        return manifest;
    }

    private void createFolders() throws IOException {
        Files.createDirectories(blobs);
        Files.createDirectories(manifests);
        Files.createDirectories(tmp);
    }

    private void writeAtomically(Path target, byte[] content) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(tmp, "manifest-", ".partial");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                out.write(java.nio.ByteBuffer.wrap(content));
                out.force(true);
            }
            move(temp, target);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot move files atomically", e);
        }
    }

    private void deleteIfEmpty(Path folder) {
        try {
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // Not empty (another tag of the name) or busy: an empty folder left behind is harmless.
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stray temporary file in tmp/ is harmless; the original failure is what matters.
        }
    }

    private static ModelStoreException ioFailure(String what, Exception e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return new ModelStoreException(ErrorCategory.IO, what + ": " + cause, e);
    }

    private StoreLock lock() throws IOException {
        Files.createDirectories(root);
        ReentrantLock local = PROCESS_LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
        local.lock();
        try {
            FileChannel channel = FileChannel.open(root.resolve("store.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new StoreLock(local, channel, channel.lock());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /** Holds the in-process lock and the file lock together; closing releases both. */
    private record StoreLock(ReentrantLock local, FileChannel channel, FileLock fileLock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                fileLock.release();
                channel.close();
            } finally {
                local.unlock();
            }
        }
    }
}

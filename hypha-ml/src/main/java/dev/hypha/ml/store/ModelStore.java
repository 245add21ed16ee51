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
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 *
 * <p>Damage is found and repaired: a re-import re-hashes a stored blob of the same size and replaces it when its
 * content differs; {@link #resolveVerified} re-hashes a blob the first time a process loads it (about 0.6 s per
 * 400 MiB); stray {@code tmp/*.partial} files of killed imports are removed ({@link #removeStaleTemporaryFiles}),
 * while those of imports still running are kept because each import holds a file lock on its copy; one unreadable
 * manifest does not hide the others ({@link #list}).
 */
public final class ModelStore {
    /** In-process guard in front of the file lock: the JVM refuses a second lock on one file from one process. */
    private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();
    /** Blobs whose content id this process has checked, with the file's identity and state at that time. */
    private static final ConcurrentHashMap<Path, FileStamp> VERIFIED = new ConcurrentHashMap<>();

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
        if (Files.exists(source) && !Files.isRegularFile(source)) {
            // A FIFO, socket or device: opening one for reading can wait forever for a writer, or never end.
            throw new ModelStoreException(ErrorCategory.INPUT, source + " is not a regular file (a pipe, socket or"
                    + " device); give the path of a .gguf file");
        }
        // Check the file before copying anything: a wrong file is rejected in milliseconds, not after a copy.
        ModelInspector.inspect(source);
        Path partial = null;
        FileChannel partialChannel = null;
        try {
            try (StoreLock lock = lock()) {
                createFolders();
                removeStaleTemporaryFilesLocked();
                // Created and locked under the store lock, so a cleanup never sees it unlocked.
                partial = Files.createTempFile(tmp, "import-", ".partial");
                partialChannel = FileChannel.open(partial, StandardOpenOption.WRITE);
                partialChannel.lock(); // held until the import ends: marks the copy as in progress
            }
            ContentId cid = copyAndIdentify(source, partialChannel, progress);
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
            if (partialChannel != null) {
                try {
                    partialChannel.close(); // releases its lock
                } catch (IOException e) {
                    // nothing was written through it any more
                }
            }
        }
    }

    /**
     * Stores {@code name} as the model {@code base} with the LoRA adapter in {@code adapterFile} applied (Ollama's
     * {@code ADAPTER}): the manifest names the base's blob and the adapter's blob, each by content id. The adapter is
     * checked against the base (format, architecture, every tensor's name and shape) before anything is copied.
     *
     * @throws ModelStoreException NOT_FOUND for an unknown base or a missing file, INPUT for an adapter that does not
     *                             fit the base or a base that has an adapter itself, IO when the store cannot be written
     */
    public ImportResult createWithAdapter(ModelName name, ModelName base, Path adapterFile) {
        Objects.requireNonNull(adapterFile, "adapterFile");
        ModelManifest baseManifest = show(base);
        if (baseManifest.adapter().isPresent()) {
            throw new ModelStoreException(ErrorCategory.INPUT, "model '" + base + "' already has an adapter; create from its base,"
                    + " or merge it first (hypha finetune ... --merged-out FILE, then hypha model import)");
        }
        if (!Files.isRegularFile(adapterFile)) {
            throw new ModelStoreException(Files.exists(adapterFile) ? ErrorCategory.INPUT : ErrorCategory.NOT_FOUND,
                    adapterFile + (Files.exists(adapterFile) ? " is not a regular file" : " does not exist") + "; give the path of a LoRA adapter .gguf file");
        }
        checkAdapter(resolveVerified(base), adapterFile);
        Path partial = null;
        FileChannel partialChannel = null;
        try {
            try (StoreLock lock = lock()) {
                createFolders();
                partial = Files.createTempFile(tmp, "import-", ".partial");
                partialChannel = FileChannel.open(partial, StandardOpenOption.WRITE);
                partialChannel.lock();
            }
            ContentId cid = copyAndIdentify(adapterFile, partialChannel, ImportProgress.NONE);
            long size = Files.size(partial);
            checkAdapter(resolveVerified(base), partial); // what was copied, not the source, is what will be served
            String sourceFile = Optional.ofNullable(adapterFile.getFileName()).map(Path::toString).orElse(adapterFile.toString());
            ModelManifest manifest = new ModelManifest(name, baseManifest.cid(), baseManifest.size(), baseManifest.format(),
                    baseManifest.summary(), clock.instant(), baseManifest.sourceFile(),
                    Optional.of(new ModelManifest.AdapterRef(cid, size, sourceFile)));
            try (StoreLock lock = lock()) {
                if (!show(base).cid().equals(baseManifest.cid())) {
                    throw new ModelStoreException(ErrorCategory.INPUT, "model '" + base + "' changed while the adapter was stored; run the command again");
                }
                boolean deduplicated = storeBlob(partial, cid, size);
                Optional<ModelManifest> previous = find(name);
                writeAtomically(manifestPath(name), ManifestCodec.write(manifest));
                boolean replaced = previous.isPresent() && !previous.get().equals(manifest);
                if (replaced) {
                    collectGarbage();
                }
                return new ImportResult(manifest, deduplicated, replaced);
            }
        } catch (IOException e) {
            throw ioFailure("cannot store the adapter " + adapterFile + " in " + root, e);
        } finally {
            if (partial != null) {
                deleteQuietly(partial);
            }
            if (partialChannel != null) {
                try {
                    partialChannel.close();
                } catch (IOException e) {
                    // nothing was written through it any more
                }
            }
        }
    }

    private static void checkAdapter(Path baseBlob, Path adapterFile) {
        try (dev.hypha.ml.gguf.GgufFile baseFile = dev.hypha.ml.gguf.GgufFile.open(baseBlob);
             dev.hypha.ml.gguf.GgufFile adapter = dev.hypha.ml.gguf.GgufFile.open(adapterFile)) {
            dev.hypha.ml.llm.LoraAdapter.load(adapter, dev.hypha.ml.llm.ModelConfig.from(new dev.hypha.ml.llm.GgufModelSource(baseFile)));
        } catch (dev.hypha.ml.gguf.GgufFormatException | IllegalArgumentException e) {
            throw new ModelStoreException(ErrorCategory.INPUT, adapterFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where pulls from the network keep their partial files and progress journals: inside the store, so a finished
     * file moves into {@code blobs/} atomically, and outside {@code tmp/}, whose unlocked leftovers are deleted (a
     * pull's partial file is meant to survive a crash, to be resumed).
     */
    public Path pullFolder() {
        return root.resolve("pulls");
    }

    /**
     * Adopts a file fetched from the network: checks it is a supported GGUF model, re-computes its content id and
     * refuses it unless that is {@code expected} (the id the network named it by), then moves it into place as the blob
     * and points {@code name} at it. The file must lie on the store's file system ({@link #pullFolder()}); it is moved,
     * not copied, so a multi-gigabyte pull needs no second copy. The manifest is made here from the file, as an import
     * makes it: nothing but the content id is taken from the peers the bytes came from.
     *
     * @param progress told how far the content-id check has got
     * @throws ModelStoreException INPUT when the file is not a supported model or its content id differs, IO when the
     *                             store cannot be written
     */
    public ImportResult adoptVerified(Path file, ContentId expected, ModelName name, String sourceFile,
                                      ImportProgress progress) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(progress, "progress");
        ModelSummary summary = ModelInspector.inspect(file);
        try {
            long size = Files.size(file);
            ContentId actual;
            try (InputStream in = Files.newInputStream(file)) {
                actual = ContentIds.of(new TeeInputStream(in, OutputStream.nullOutputStream(), progress, size));
            }
            if (!actual.equals(expected)) {
                throw new ModelStoreException(ErrorCategory.INPUT, "the fetched file " + file + " has content id "
                        + actual + ", not " + expected + " as requested; it was not stored");
            }
            ModelManifest manifest = new ModelManifest(name, expected, size, ModelManifest.FORMAT_GGUF, summary,
                    clock.instant(), sourceFile);
            try (StoreLock lock = lock()) {
                createFolders();
                boolean deduplicated = storeBlob(file, expected, size);
                Optional<ModelManifest> previous = find(name);
                writeAtomically(manifestPath(name), ManifestCodec.write(manifest));
                boolean replaced = previous.isPresent() && !previous.get().cid().equals(expected);
                if (replaced) {
                    collectGarbage();
                }
                if (deduplicated) {
                    deleteQuietly(file);
                }
                return new ImportResult(manifest, deduplicated, replaced);
            }
        } catch (IOException e) {
            throw ioFailure("cannot store " + file + " in " + root, e);
        }
    }

    /**
     * The adapter blob of {@code name}, if the model has one, checked like {@link #resolveVerified} (size, and the
     * content id the first time this process reads it).
     *
     * @throws ModelStoreException IO naming the blob when it is missing or altered
     */
    public Optional<Path> resolveAdapterVerified(ModelName name) {
        ModelManifest manifest = show(name);
        if (manifest.adapter().isEmpty()) {
            return Optional.empty();
        }
        ModelManifest.AdapterRef a = manifest.adapter().get();
        Path blob = blobPath(a.cid());
        try {
            if (Files.size(blob) != a.size()) {
                throw new ModelStoreException(ErrorCategory.IO, "the adapter file of model '" + name + "' (" + blob + ") has "
                        + Files.size(blob) + " bytes but should have " + a.size() + "; create the model again");
            }
        } catch (NoSuchFileException e) {
            throw new ModelStoreException(ErrorCategory.IO, "the adapter file of model '" + name + "' (" + blob + ") is missing;"
                    + " create the model again (hypha model create " + name + " --from BASE --adapter FILE)", e);
        } catch (IOException e) {
            throw ioFailure("cannot read " + blob, e);
        }
        FileStamp before = FileStamp.of(blob);
        if (!before.equals(VERIFIED.get(blob))) {
            ContentId actual = ContentIds.of(blob);
            if (!actual.equals(a.cid())) {
                throw new ModelStoreException(ErrorCategory.IO, "the adapter file of model '" + name + "' (" + blob + ") is damaged:"
                        + " its content id is " + actual + ", not " + a.cid() + "; create the model again from " + a.sourceFile());
            }
            if (before.equals(FileStamp.of(blob))) {
                VERIFIED.put(blob, before);
            }
        }
        return Optional.of(blob);
    }

    /**
     * Deletes the temporary files of imports that were killed: every {@code tmp/*.partial} no live import holds a
     * lock on (an import locks its copy from creation to the end; the OS drops the lock when the process dies).
     *
     * @return how many files were deleted
     */
    public int removeStaleTemporaryFiles() {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (StoreLock lock = lock()) {
            return removeStaleTemporaryFilesLocked();
        } catch (IOException e) {
            throw ioFailure("cannot clean " + tmp, e);
        }
    }

    private int removeStaleTemporaryFilesLocked() throws IOException {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp, "*.partial")) {
            for (Path file : entries) {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    FileLock held;
                    try {
                        held = channel.tryLock();
                    } catch (OverlappingFileLockException inThisProcess) {
                        continue; // an import of this process is writing it
                    }
                    if (held == null) {
                        continue; // another process's import is writing it
                    }
                    try {
                        Files.deleteIfExists(file);
                        removed++;
                    } finally {
                        held.release();
                    }
                } catch (NoSuchFileException gone) {
                    // its import finished meanwhile
                } catch (IOException cannotJudge) {
                    // not openable by us (another user's?): leave it rather than fail the caller
                }
            }
        }
        return removed;
    }

    /** A manifest file that could not be read, with the reason (as {@link ModelStoreException} words it). */
    public record UnreadableManifest(Path file, Optional<ModelName> name, String problem) {
    }

    /** What {@link #list} found: the readable manifests, sorted, and the files that could not be read. */
    public record Listing(List<ModelManifest> models, List<UnreadableManifest> unreadable) {
        public Listing {
            models = List.copyOf(models);
            unreadable = List.copyOf(unreadable);
        }
    }

    /**
     * All manifests, sorted by name then tag. A damaged manifest does not hide the others: it is reported in
     * {@link Listing#unreadable()} with the name its place in the store gives it (so it can be removed by name).
     */
    public Listing list() {
        List<ModelManifest> out = new ArrayList<>();
        List<UnreadableManifest> unreadable = new ArrayList<>();
        for (Path file : manifestFiles()) {
            try {
                out.add(readManifest(file));
            } catch (ModelStoreException e) {
                unreadable.add(new UnreadableManifest(file, nameOfPlace(file), e.getMessage()));
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return new Listing(out, unreadable);
    }

    /** The name a manifest file's place stands for ({@code manifests/<name>/<tag>.json}), if it is a valid name. */
    private Optional<ModelName> nameOfPlace(Path file) {
        Path relative = manifests.relativize(file);
        String tagFile = relative.getFileName().toString();
        try {
            ModelName name = ModelName.parse(relative.getName(0) + ":" + tagFile.substring(0, tagFile.length() - 5));
            return manifestPath(name).equals(file) ? Optional.of(name) : Optional.empty();
        } catch (RuntimeException notAName) {
            return Optional.empty();
        }
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
     * @throws ModelStoreException IO naming the blob when it is missing, partial or altered, and saying how to repair
     */
    public ModelManifest verify(ModelName name) {
        Path blob = resolve(name);
        ModelManifest manifest = show(name);
        checkContent(manifest, blob);
        return manifest;
    }

    /**
     * Like {@link #resolve}, and the first time this process asks for the blob (or after the file changed: another
     * inode, size or modification time) its content id is re-computed and compared with the manifest, so a model
     * damaged in place is refused before it is loaded. It costs one read of the file (about 0.6 s per 400 MiB on a
     * loaded two-core machine, less than loading the model); later calls in the same process cost a stat.
     *
     * @throws ModelStoreException IO naming the blob when it is missing, partial or altered, and saying how to repair
     */
    public Path resolveVerified(ModelName name) {
        Path blob = resolve(name);
        ModelManifest manifest = show(name);
        FileStamp before = FileStamp.of(blob);
        if (before.equals(VERIFIED.get(blob))) {
            return blob;
        }
        checkContent(manifest, blob);
        if (before.equals(FileStamp.of(blob))) { // unchanged while it was read
            VERIFIED.put(blob, before);
        }
        return blob;
    }

    private static void checkContent(ModelManifest manifest, Path blob) {
        ContentId actual;
        try {
            actual = ContentIds.of(blob);
        } catch (HyphaException e) {
            throw new ModelStoreException(ErrorCategory.IO, "cannot re-read " + blob + ": " + e.getMessage(), e);
        }
        if (!actual.equals(manifest.cid())) {
            throw new ModelStoreException(ErrorCategory.IO, "the file of model '" + manifest.name() + "' (" + blob
                    + ") is damaged: its content id is " + actual + ", not " + manifest.cid() + "; repair it by"
                    + " importing the original file (" + manifest.sourceFile() + ") again: hypha model import FILE"
                    + " --name " + manifest.name() + " (or remove it: hypha model rm " + manifest.name() + ")");
        }
    }

    /** What identifies a file's state cheaply: its inode, size and modification time. */
    private record FileStamp(Object fileKey, long size, java.nio.file.attribute.FileTime modified) {
        static FileStamp of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
            } catch (IOException e) {
                throw ioFailure("cannot read " + file, e);
            }
        }
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

    /** Copies the source into {@code out} (not closed: its lock marks the import as running) and returns its id. */
    private ContentId copyAndIdentify(Path source, FileChannel out, ImportProgress progress) throws IOException {
        long total = Files.size(source);
        try (InputStream in = Files.newInputStream(source)) {
            OutputStream copy = Channels.newOutputStream(out);
            ContentId cid = ContentIds.of(new TeeInputStream(in, copy, progress, total));
            out.force(true); // the blob must be on disk before a manifest names it
            return cid;
        }
    }

    /**
     * Moves the copy into place unless an intact blob with that content is there already; true if it was. A stored
     * blob of the right size is re-hashed: one damaged in place (same size, other bytes) is replaced by the copy.
     */
    private boolean storeBlob(Path partial, ContentId cid, long size) throws IOException {
        Path blob = blobPath(cid);
        if (Files.isRegularFile(blob) && Files.size(blob) == size && intact(blob, cid)) {
            VERIFIED.put(blob, FileStamp.of(blob));
            return true;
        }
        // Absent, or damaged (wrong size or content): the fresh copy, hashed as it was made, takes its place.
        move(partial, blob);
        forceDirectory(blobs);
        return false;
    }

    private static boolean intact(Path blob, ContentId cid) {
        try {
            return ContentIds.of(blob).equals(cid);
        } catch (HyphaException unreadable) {
            return false; // replaced by the fresh copy
        }
    }

    /** Deletes every blob no manifest names; returns what it deleted. Skipped while any manifest is unreadable. */
    private List<ContentId> collectGarbage() throws IOException {
        Set<String> referenced = new TreeSet<>();
        for (Path file : manifestFiles()) {
            try {
                ModelManifest m = readManifest(file);
                referenced.add(m.cid().toString());
                m.adapter().ifPresent(a -> referenced.add(a.cid().toString()));
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
            forceDirectory(target.getParent());
        } finally {
            deleteQuietly(temp);
        }
    }

    private static void forceDirectory(Path folder) throws IOException {
        dev.hypha.core.io.DurableFiles.forceDirectory(folder);
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

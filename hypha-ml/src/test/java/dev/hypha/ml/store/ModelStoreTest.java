package dev.hypha.ml.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.tensor.GgmlType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private ModelStore store;
    private Path model;

    @BeforeEach
    void setUp() {
        store = new ModelStore(dir.resolve("home"), Clock.fixed(NOW, ZoneOffset.UTC));
        model = TinyGguf.write(dir.resolve("tiny.gguf"));
    }

    @Test
    void importStoresTheBlobUnderItsContentIdAndWritesAManifest() throws IOException {
        List<long[]> progress = new ArrayList<>();
        ImportResult result = store.importModel(model, ModelName.parse("tiny"),
                (done, total) -> progress.add(new long[] {done, total}));

        ModelManifest m = result.manifest();
        assertThat(m.name()).isEqualTo(new ModelName("tiny", "latest"));
        assertThat(m.cid()).isEqualTo(ContentIds.of(model));
        assertThat(m.size()).isEqualTo(Files.size(model));
        assertThat(m.format()).isEqualTo("gguf");
        assertThat(m.summary().architecture()).isEqualTo("llama");
        assertThat(m.summary().quantization()).isEqualTo("Q8_0");
        assertThat(m.summary().tensorTypes()).containsOnlyKeys("F32", "Q8_0");
        assertThat(m.summary().contextLength()).isEqualTo(256);
        assertThat(m.summary().parameterCount()).isPositive();
        assertThat(m.created()).isEqualTo(NOW);
        assertThat(m.sourceFile()).isEqualTo("tiny.gguf");
        assertThat(result.deduplicated()).isFalse();
        assertThat(result.replaced()).isFalse();

        Path blob = store.resolve(ModelName.parse("tiny:latest"));
        assertThat(blob).isEqualTo(store.root().resolve("blobs").resolve(m.cid().toString()));
        assertThat(Files.readAllBytes(blob)).isEqualTo(Files.readAllBytes(model));
        assertThat(store.root().resolve("manifests/tiny/latest.json")).isRegularFile();
        assertThat(store.root().resolve("tmp")).isEmptyDirectory();

        assertThat(progress).isNotEmpty();
        assertThat(progress.getLast()).containsExactly(Files.size(model), Files.size(model));
        assertThat(store.list().models()).containsExactly(m);
        assertThat(store.verify(m.name())).isEqualTo(m);
    }

    @Test
    void aPulledFileIsMovedIntoPlaceOnlyWhenItsContentIdIsTheExpectedOne() throws IOException {
        Files.createDirectories(store.pullFolder());
        Path pulled = Files.copy(model, store.pullFolder().resolve("x.partial"));
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 1] ^= 1; // same size, other content: still a readable GGUF
        Path other = dir.resolve("other.gguf");
        Files.write(other, bytes);
        Path wrong = Files.copy(other, store.pullFolder().resolve("y.partial"));

        assertThatThrownBy(() -> store.adoptVerified(wrong, ContentIds.of(model), ModelName.parse("tiny"), "net",
                (d, t) -> { }))
                .isInstanceOfSatisfying(ModelStoreException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageContaining("has content id " + ContentIds.of(other) + ", not " + ContentIds.of(model));
        assertThat(store.find(ModelName.parse("tiny"))).isEmpty();

        ImportResult result = store.adoptVerified(pulled, ContentIds.of(model), ModelName.parse("tiny"), "net",
                (d, t) -> { });
        assertThat(result.manifest().cid()).isEqualTo(ContentIds.of(model));
        assertThat(result.manifest().summary().architecture()).isEqualTo("llama");
        assertThat(pulled).as("moved, not copied").doesNotExist();
        assertThat(store.verify(ModelName.parse("tiny")).cid()).isEqualTo(ContentIds.of(model));
        assertThat(Files.readAllBytes(store.resolve(ModelName.parse("tiny")))).isEqualTo(Files.readAllBytes(model));
    }

    @Test
    void identicalContentIsStoredOnceAndItsBlobLivesUntilTheLastNameGoes() {
        ModelManifest a = store.importModel(model, ModelName.parse("a"), ImportProgress.NONE).manifest();
        ImportResult b = store.importModel(model, ModelName.parse("b:v1"), ImportProgress.NONE);

        assertThat(b.deduplicated()).isTrue();
        assertThat(b.manifest().cid()).isEqualTo(a.cid());
        assertThat(blobCount()).isEqualTo(1);
        assertThat(store.list().models()).extracting(m -> m.name().toString()).containsExactly("a:latest", "b:v1");

        assertThat(store.remove(ModelName.parse("a")).deletedBlobs()).isEmpty();
        assertThat(store.resolve(ModelName.parse("b:v1"))).exists();
        assertThat(store.remove(ModelName.parse("b:v1")).deletedBlobs()).containsExactly(a.cid());
        assertThat(blobCount()).isZero();
        assertThat(store.list().models()).isEmpty();
    }

    @Test
    void reimportingANameWithOtherContentReplacesItAndDropsTheOldBlob() {
        ModelManifest first = store.importModel(model, ModelName.parse("m"), ImportProgress.NONE).manifest();
        Path other = TinyGguf.write(dir.resolve("other.gguf"), Architecture.QWEN2, GgmlType.F32, 7);
        ImportResult second = store.importModel(other, ModelName.parse("m"), ImportProgress.NONE);

        assertThat(second.replaced()).isTrue();
        assertThat(second.manifest().summary().architecture()).isEqualTo("qwen2");
        assertThat(second.manifest().summary().quantization()).isEqualTo("F32");
        assertThat(store.blobPath(first.cid())).doesNotExist();
        assertThat(store.list().models()).containsExactly(second.manifest());
    }

    @Test
    void aMissingFileIsNotFound() {
        assertThatThrownBy(() -> store.importModel(dir.resolve("nope.gguf"), ModelName.parse("x"), ImportProgress.NONE))
                .isInstanceOf(ModelStoreException.class)
                .hasMessageContaining("no such file")
                .hasMessageContaining("nope.gguf")
                .extracting(e -> ((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND);
        assertThat(store.root()).doesNotExist();
    }

    @Test
    void aFileThatIsNotGgufIsRejectedBeforeAnythingIsStored() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.gguf"), "just some text, not a model\n");
        assertRejectedAsInput(text, "is not a valid GGUF model file");
    }

    @Test
    void aTruncatedGgufIsRejected() throws IOException {
        byte[] whole = Files.readAllBytes(model);
        Path truncated = Files.write(dir.resolve("truncated.gguf"), Arrays.copyOf(whole, whole.length / 2));
        assertRejectedAsInput(truncated, "is not a valid GGUF model file");
    }

    @Test
    void anUnsupportedArchitectureIsRejected() {
        Path t5 = dir.resolve("t5.gguf");
        new GgufWriter().putString("general.architecture", "t5").write(t5);
        assertRejectedAsInput(t5, "unsupported model architecture 't5'");
        assertRejectedAsInput(t5, "embedding encoders: bert, nomic-bert");
    }

    @Test
    void aFolderIsRejected() {
        assertRejectedAsInput(dir, "is a folder");
    }

    @Test
    void unknownNamesAreNotFound() {
        for (Runnable call : List.<Runnable>of(
                () -> store.show(ModelName.parse("ghost")),
                () -> store.resolve(ModelName.parse("ghost")),
                () -> store.remove(ModelName.parse("ghost:v2")))) {
            assertThatThrownBy(call::run)
                    .isInstanceOf(ModelStoreException.class)
                    .hasMessageContaining("no model named 'ghost")
                    .extracting(e -> ((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND);
        }
        assertThat(store.find(ModelName.parse("ghost"))).isEmpty();
    }

    @Test
    void aPartialBlobIsReportedAndAReimportRepairsIt() throws IOException {
        ModelManifest m = store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE).manifest();
        Path blob = store.blobPath(m.cid());
        byte[] whole = Files.readAllBytes(blob);
        Files.write(blob, Arrays.copyOf(whole, whole.length - 10));

        assertThatThrownBy(() -> store.resolve(m.name()))
                .hasMessageContaining("has " + (whole.length - 10) + " bytes but should have " + whole.length)
                .hasMessageContaining("import the model again");

        ImportResult again = store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE);
        assertThat(again.deduplicated()).isFalse();
        assertThat(Files.readAllBytes(store.resolve(m.name()))).isEqualTo(whole);
    }

    @Test
    void verifyFindsABlobWhoseBytesChangedButNotItsSize() throws IOException {
        ModelManifest m = store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE).manifest();
        Path blob = store.blobPath(m.cid());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 1] ^= 1;
        Files.write(blob, bytes);

        assertThat(store.resolve(m.name())).isEqualTo(blob); // the cheap check cannot see it
        assertThatThrownBy(() -> store.verify(m.name()))
                .isInstanceOf(ModelStoreException.class)
                .hasMessageContaining("is damaged: its content id is ");
    }

    @Test
    void aMissingBlobIsReported() throws IOException {
        ModelManifest m = store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE).manifest();
        Files.delete(store.blobPath(m.cid()));
        assertThatThrownBy(() -> store.resolve(m.name())).hasMessageContaining("is missing");
    }

    @Test
    void aDamagedManifestIsNamedAndCanStillBeRemoved() throws IOException {
        ModelManifest keep = store.importModel(model, ModelName.parse("keep"), ImportProgress.NONE).manifest();
        Path other = TinyGguf.write(dir.resolve("other.gguf"), Architecture.MISTRAL, GgmlType.F32, 3);
        ModelManifest broken = store.importModel(other, ModelName.parse("broken"), ImportProgress.NONE).manifest();
        Path file = store.root().resolve("manifests/broken/latest.json");
        Files.writeString(file, "{\"schemaVersion\": 1, \"name\": ", StandardCharsets.UTF_8);

        ModelStore.Listing listing = store.list();
        assertThat(listing.models()).containsExactly(keep);
        assertThat(listing.unreadable()).singleElement().satisfies(bad -> {
            assertThat(bad.file()).isEqualTo(file);
            assertThat(bad.name()).contains(ModelName.parse("broken"));
            assertThat(bad.problem()).contains(file.toString(), "not valid JSON");
        });
        assertThatThrownBy(() -> store.show(ModelName.parse("broken"))).hasMessageContaining("not valid JSON");
        assertThat(store.show(keep.name())).isEqualTo(keep);

        RemoveResult removed = store.remove(ModelName.parse("broken"));
        assertThat(removed.deletedBlobs()).containsExactly(broken.cid()); // no manifest names it any more
        assertThat(store.list().models()).containsExactly(keep);
    }

    @Test
    void aManifestFiledUnderAnotherNameIsRejected() throws IOException {
        store.importModel(model, ModelName.parse("one"), ImportProgress.NONE);
        Path moved = store.root().resolve("manifests/two/latest.json");
        Files.createDirectories(moved.getParent());
        Files.copy(store.root().resolve("manifests/one/latest.json"), moved);

        assertThatThrownBy(() -> store.show(ModelName.parse("two")))
                .hasMessageContaining("names model 'one:latest'");
    }

    @Test
    void reimportRepairsABlobDamagedWithoutASizeChange() throws IOException {
        ModelManifest m = store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE).manifest();
        Path blob = store.blobPath(m.cid());
        byte[] whole = Files.readAllBytes(blob);
        byte[] damaged = whole.clone();
        damaged[damaged.length / 2] ^= 0x40;
        Files.write(blob, damaged);

        ImportResult again = store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE);

        assertThat(again.deduplicated()).as("the stored copy was not the same content").isFalse();
        assertThat(Files.readAllBytes(blob)).isEqualTo(whole);
        assertThat(store.verify(m.name())).isEqualTo(m);
    }

    @Test
    void leftoversOfInterruptedImportsAreRemovedButNotThoseOfImportsInProgress() throws Exception {
        store.importModel(model, ModelName.parse("tiny"), ImportProgress.NONE);
        Path tmp = store.root().resolve("tmp");
        Path leftover = Files.write(tmp.resolve("import-1234.partial"), new byte[4096]); // its import was killed
        Path otherProcess = Files.write(tmp.resolve("import-5678.partial"), new byte[100]);
        Path thisProcess = Files.write(tmp.resolve("import-9012.partial"), new byte[100]);
        // Another process still writing its copy holds a lock on it (fcntl, as Java's FileChannel.lock takes).
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl, sys\n"
                + "f = open(sys.argv[1], 'r+')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
                + "sys.stdin.read()", otherProcess.toString()).redirectErrorStream(true).start();
        try (var thisImport = java.nio.channels.FileChannel.open(thisProcess, java.nio.file.StandardOpenOption.WRITE);
             var lock = thisImport.lock()) {
            assertThat(new String(holder.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("locked");

            store.importModel(model, ModelName.parse("again"), ImportProgress.NONE);

            assertThat(leftover).doesNotExist();
            assertThat(otherProcess).exists();
            assertThat(thisProcess).exists();
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("model.gguf");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();

        // Opening a FIFO for reading waits for a writer: an import that opens it hangs forever.
        assertThatThrownBy(() -> store.importModel(fifo, ModelName.parse("x"), ImportProgress.NONE))
                .isInstanceOf(ModelStoreException.class)
                .hasMessageContaining(fifo + " is not a regular file")
                .extracting(e -> ((HyphaException) e).category()).isEqualTo(ErrorCategory.INPUT);
    }

    private void assertRejectedAsInput(Path file, String message) {
        assertThatThrownBy(() -> store.importModel(file, ModelName.parse("x"), ImportProgress.NONE))
                .isInstanceOf(ModelStoreException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((HyphaException) e).category()).isEqualTo(ErrorCategory.INPUT);
        assertThat(store.list().models()).isEmpty();
        assertThat(blobCount()).isZero();
    }

    private long blobCount() {
        Path blobs = store.root().resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return 0;
        }
        try (var files = Files.list(blobs)) {
            return files.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package dev.hypha.core.cid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our importer against the JavaScript reference importer, run in the same test on the same files: equal root CIDs and
 * equal block counts. The profile sizes cover the edges the issue names; the small configurations (few-byte chunks,
 * width 2-4) build trees three and four levels deep, which the profile would need gigabytes to reach.
 */
class UnixFsReferenceTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private final Random random = new Random(20251125); // fixed seed: the same files every run

    @Test
    void profileMatchesTheReferenceImporter() throws Exception {
        long randomSize = 2L * MIB + random.nextInt(MIB);
        List<Long> sizes = List.of(0L, 1L, 11L, (long) MIB - 1, (long) MIB, (long) MIB + 1, 5L * MIB + 123, randomSize);
        compare(UnixFsImporter.PROFILE, sizes);
    }

    @Test
    void smallChunksAndNarrowTreesMatchTheReferenceImporter() throws Exception {
        List<Long> sizes = new ArrayList<>(List.of(0L, 1L, 100L, 101L, 200L, 300L, 301L, 900L, 901L, 2700L, 2701L, 8100L, 8101L));
        for (int i = 0; i < 5; i++) sizes.add((long) random.nextInt(20_000));
        compare(new UnixFsImporter(100, 3), sizes);
        compare(new UnixFsImporter(7, 2), List.of(0L, 7L, 8L, 14L, 15L, 29L, 57L, 113L, 1000L));
        compare(new UnixFsImporter(64, 4), List.of(256L, 257L, 1024L, 1025L, 4096L, 4097L, 5000L));
    }

    private void compare(UnixFsImporter importer, List<Long> sizes) throws Exception {
        List<Path> files = new ArrayList<>();
        for (long size : sizes) files.add(write(size));
        List<JsUnixFsImporter.Answer> expected = JsUnixFsImporter.cids(importer.chunkSize(), importer.width(), files);
        for (int i = 0; i < files.size(); i++) {
            MemoryBlockStore store = new MemoryBlockStore();
            ImportResult result;
            try (InputStream in = Files.newInputStream(files.get(i))) {
                result = importer.importFrom(in, store);
            }
            assertThat(result.root().toString())
                    .as("CID of %d bytes, chunk %d, width %d", sizes.get(i), importer.chunkSize(), importer.width())
                    .isEqualTo(expected.get(i).cid());
            assertThat(store.size()).as("distinct blocks of %d bytes", sizes.get(i)).isEqualTo(expected.get(i).blocks());
            assertThat(result.fileSize()).isEqualTo(sizes.get(i));
            assertThat(new ChunkVerifier(store).verify(result.root())).isEqualTo(sizes.get(i));
        }
    }

    private Path write(long size) throws IOException {
        Path file = Files.createTempFile(dir, "f" + size + "-", ".bin");
        byte[] content = new byte[(int) size];
        random.nextBytes(content);
        Files.write(file, content);
        return file;
    }
}

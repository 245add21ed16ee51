package dev.hypha.ml.train.export;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Writes an export crash-safely: into a temporary file beside the target, forced to disk, read back and checked, then
 * renamed over the target. A crash or a failed check leaves the target as it was (and no temporary file).
 */
public final class ExportFiles {
    private ExportFiles() {}

    /** Writes {@code content} to {@code target}; {@code check} gets the bytes read back from the disk and throws if wrong. */
    public static void write(Path target, byte[] content, Consumer<byte[]> check) {
        Path dir = folder(target);
        Path temp = null;
        try {
            temp = DurableFiles.writeTemp(dir, "." + target.getFileName() + ".", ".tmp", content);
            byte[] back = Files.readAllBytes(temp);
            if (!Arrays.equals(back, content)) {
                throw new HyphaException(ErrorCategory.IO, "the export read back from " + temp + " differs from what was written");
            }
            check.accept(back);
            moveIntoPlace(temp, target);
            temp = null;
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Copies a GGUF model file to {@code target}: the copy is parsed by the GGUF reader (every table and bound checked)
     * and its content id re-computed and compared with {@code expected} before it replaces the target.
     */
    public static void copyGguf(Path source, ContentId expected, Path target) {
        Path dir = folder(target);
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try (GgufFile parsed = GgufFile.open(temp)) {
                parsed.tensors(); // parsing checked every tensor's bounds; nothing more to do with it
            }
            ContentId actual = ContentIds.of(temp);
            if (!actual.equals(expected)) {
                throw new HyphaException(ErrorCategory.IO, "the copy of " + source + " has content id " + actual + ", expected "
                        + expected + "; the source changed or the disk is failing");
            }
            moveIntoPlace(temp, target);
            temp = null;
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static Path folder(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "the folder of " + target + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw HyphaException.input(target + " is a folder; --out names the file to write");
        }
        return dir;
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        // temporary files are created owner-only; an export is an ordinary file (rw-r--r--, as a copy would be)
        if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.forceDirectory(target.toAbsolutePath().getParent());
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the temporary file's name starts with a dot and ends in .tmp; nothing else refers to it
            }
        }
    }
}

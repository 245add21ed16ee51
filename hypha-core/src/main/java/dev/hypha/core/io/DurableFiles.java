package dev.hypha.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;

/**
 * Crash-safe file writes: write a temporary file next to the target, force it to disk, rename it into place
 * atomically, then force the folder so the rename itself survives a power cut. Without the first force a crash after
 * the rename can leave an empty or partial file under the final name (the rename reached the disk before the data);
 * without the second the file can vanish.
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /**
     * Creates a new temporary file in {@code dir} holding {@code content}, forced to disk.
     *
     * @return the temporary file; the caller moves it into place (or deletes it)
     */
    public static Path writeTemp(Path dir, String prefix, String suffix, byte[] content, FileAttribute<?>... attributes)
            throws IOException {
        Path temp = Files.createTempFile(dir, prefix, suffix, attributes);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) out.write(buffer);
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    /** Replaces {@code target} with {@code content} atomically and durably (temp file, force, rename, force folder). */
    public static void replace(Path target, byte[] content, FileAttribute<?>... attributes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = writeTemp(dir, "." + target.getFileName() + ".", ".tmp", content, attributes);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        forceDirectory(dir);
    }

    /** Writes a file's content to a stream; what {@link #replace(Path, Content)} makes durable. */
    @FunctionalInterface
    public interface Content {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with what {@code content} writes, streamed (for files too large to hold in memory), with
     * the same guarantees as {@link #replace(Path, byte[], FileAttribute[])}: when {@code content} throws, the target is
     * left as it was and the temporary file is removed.
     */
    public static void replace(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 java.io.OutputStream out = new java.io.BufferedOutputStream(
                         java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(dir);
    }

    /** Forces a folder's entries (names created, renamed or removed in it) to disk. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
